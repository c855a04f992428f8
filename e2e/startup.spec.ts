/**
 * The cold start formats numbers without Intl (src/graph/format.ts): the page's first Intl number
 * format sets up ICU's formatting data, 43–95 ms of start-up on this project's machine. This
 * watches every Number#toLocaleString and Intl.NumberFormat until LeNet-5 is on screen with its
 * totals, and expects none.
 */
import { expect, test } from '@playwright/test';

test('the app starts to LeNet-5 without setting up Intl number formatting', async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __intlCalls: string[] };
    w.__intlCalls = [];
    const where = () => (new Error().stack ?? '').split('\n').slice(3, 4).join('').trim();
    const tls = Number.prototype.toLocaleString;
    Number.prototype.toLocaleString = function (this: number, ...a: Parameters<typeof tls>) {
      w.__intlCalls.push(`toLocaleString ${where()}`);
      return tls.apply(this, a);
    };
    const NF = Intl.NumberFormat;
    Intl.NumberFormat = function (this: unknown, ...a: ConstructorParameters<typeof NF>) {
      w.__intlCalls.push(`Intl.NumberFormat ${where()}`);
      return new NF(...a);
    } as unknown as typeof Intl.NumberFormat;
  });
  await page.goto('/');
  await expect(page.locator('[data-testid="node"]')).toHaveCount(9);
  await expect(page.getByTestId('total-params')).toContainText('61,706');
  expect(await page.evaluate(() => (window as unknown as { __intlCalls: string[] }).__intlCalls)).toEqual([]);
});
