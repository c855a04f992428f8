/**
 * The invariance lab in the Probe tab, end to end on WASM: LeNet-5 trained briefly (a few
 * thousand MNIST images, then Stop), the rotation slider changes the prediction and every node's
 * feature maps, a sweep draws its curves (points, legend, numbers), and a kept model is drawn next
 * to the current one on the same images.
 */
import { expect, test, type Page } from '@playwright/test';
import { node, openApp } from './helpers';

test.setTimeout(300_000);

const bars = (page: Page) =>
  page
    .getByTestId('probe-prediction')
    .locator('.ll-bar')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).style.width).join(' '));

/** The pixels of the feature map drawn on node `id` (its canvas, as a PNG data URL). */
const mapPixels = (page: Page, id: string) =>
  node(page, id)
    .getByTestId('node-map')
    .locator('canvas')
    .first()
    .evaluate((c: HTMLCanvasElement) => c.toDataURL());

/** The sweep's numbers table: one row per value, [value, then probability and accuracy per model]. */
const table = (page: Page) =>
  page
    .getByTestId('inv-table')
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent ?? '')));

/** How many pixels of the plot's canvas are drawn in roughly this colour. */
const plotPixels = (page: Page, rgb: [number, number, number]) =>
  page
    .getByTestId('inv-chart')
    .locator('canvas')
    .evaluate((c: HTMLCanvasElement, [r, g, b]) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]! - r) < 40 && Math.abs(d[i + 1]! - g) < 40 && Math.abs(d[i + 2]! - b) < 40 && d[i + 3]! > 200) n++;
      return n;
    }, rgb);

const BLUE: [number, number, number] = [0x35, 0x58, 0xd4];
const ORANGE: [number, number, number] = [0xd9, 0x48, 0x0f];

test('rotation slider, sweep and a kept model on LeNet-5 trained briefly on WASM', async ({ page }) => {
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-dataset-info')).toContainText('10,000 test images', { timeout: 60_000 });
  await page.getByTestId('train-start').click();
  // A few thousand images are enough for a LeNet-5 that reads most digits; then Stop keeps the weights.
  await expect.poll(async () => Number(await page.getByTestId('train-progress').getAttribute('aria-valuenow')), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-start')).toBeVisible({ timeout: 60_000 });

  await page.getByTestId('tab-probe').click();
  await expect.poll(async () => (await bars(page)).split(' ').filter(Boolean).length, { timeout: 60_000 }).toBe(10);
  // Nothing of the lab is there until its section is opened.
  await expect(page.getByTestId('inv-slider-rotate')).toHaveCount(0);
  await page.getByTestId('invariance-lab-toggle').click();
  const rotate = page.getByTestId('inv-slider-rotate');
  await expect(rotate).toBeVisible();
  await expect(page.getByTestId('inv-seen')).toBeVisible();
  await expect(page.getByTestId('inv-value-rotate')).toHaveText('0°');

  // The trained model reads test image #0 (a 7) at identity.
  const before = await bars(page);
  const c1Before = await mapPixels(page, 'c1');
  const seenBefore = await page.getByTestId('inv-seen').locator('canvas').evaluate((c: HTMLCanvasElement) => c.toDataURL());
  await rotate.fill('180');
  await expect(page.getByTestId('inv-value-rotate')).toHaveText('180°');
  await expect.poll(() => bars(page)).not.toBe(before);
  await expect.poll(() => mapPixels(page, 'c1')).not.toBe(c1Before);
  await expect.poll(() => page.getByTestId('inv-seen').locator('canvas').evaluate((c: HTMLCanvasElement) => c.toDataURL())).not.toBe(seenBefore);
  // Reset puts it back: the same prediction as before.
  await page.getByTestId('inv-reset-rotate').click();
  await expect(page.getByTestId('inv-value-rotate')).toHaveText('0°');
  await expect.poll(() => bars(page)).toBe(before);

  // A sweep of the rotation over 200 test images: five points, one model.
  await page.getByTestId('inv-sweep-values').fill('-90, -45, 0, 45, 90');
  await page.getByTestId('inv-sweep-count').fill('200');
  await page.getByTestId('inv-sweep-run').click();
  const chart = page.getByTestId('inv-chart');
  await expect(chart).toHaveAttribute('data-points', '5', { timeout: 60_000 });
  await expect(chart).toHaveAttribute('data-series', '1');
  await expect(page.getByTestId('inv-legend-item')).toHaveCount(1);
  await expect(chart).toContainText('probability of “7” (the image’s label)');
  await expect(chart).toContainText('accuracy on 200 test images');
  const first = await table(page);
  expect(first.map((r) => r[0])).toEqual(['-90', '-45', '0', '45', '90']);
  const pct = (s: string) => parseFloat(s);
  // Upright digits are read far better than digits turned by 90°: LeNet-5 is not rotation invariant.
  expect(pct(first[2]![2]!)).toBeGreaterThan(70);
  expect(pct(first[4]![2]!)).toBeLessThan(pct(first[2]![2]!) - 30);
  expect(pct(first[2]![1]!)).toBeGreaterThan(pct(first[0]![1]!));
  // The curves are drawn (the current model's colour on the plot).
  expect(await plotPixels(page, BLUE)).toBeGreaterThan(100);

  // Keep this model, sweep again: two series, and the kept one is the same curve on the same images.
  await expect(page.getByTestId('inv-pin-label')).toHaveValue(/^LeNet-5, /);
  await page.getByTestId('inv-pin-label').fill('LeNet-5, a few batches');
  await page.getByTestId('inv-pin').click();
  await expect(page.getByTestId('inv-pins').locator('li')).toHaveCount(1);
  await expect(page.getByTestId('inv-pins')).toContainText('LeNet-5, a few batches');
  await page.getByTestId('inv-sweep-run').click();
  await expect(chart).toHaveAttribute('data-series', '2', { timeout: 60_000 });
  await expect(page.getByTestId('inv-legend-item')).toHaveText(['LeNet-5 (now)', 'LeNet-5, a few batches']);
  const second = await table(page);
  expect(second.map((r) => [r[0], r[3], r[4]])).toEqual(first.map((r) => [r[0], r[1], r[2]]));
  expect(await plotPixels(page, ORANGE)).toBeGreaterThan(100);
  if (process.env.LAYOUT_SHOTS) await page.getByTestId('invariance-lab').screenshot({ path: `${process.env.LAYOUT_SHOTS}/invariance.png` });

  // Removing it leaves one model for the next sweep.
  await page.getByRole('button', { name: 'Remove LeNet-5, a few batches' }).click();
  await expect(page.getByTestId('inv-pins')).toHaveCount(0);

  // Closing the section puts the probe image back as it was: no hidden rotation stays behind.
  await rotate.fill('90');
  await expect.poll(() => bars(page)).not.toBe(before);
  await page.getByTestId('invariance-lab-toggle').click();
  await expect(rotate).toHaveCount(0);
  await expect.poll(() => bars(page)).toBe(before);
  expect(errors).toEqual([]);
});
