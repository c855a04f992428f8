import { expect, test } from '@playwright/test';
import { node, openApp } from './helpers';
test('debug scroll', async ({ page }) => {
  await openApp(page);
  const scroll = () => page.evaluate(() => [...document.querySelectorAll('*')].filter((e) => e.scrollLeft || e.scrollTop).map((e) => `${e.className} ${e.scrollLeft},${e.scrollTop}`));
  console.log('before', await scroll());
  for (const id of ['image', 'c1', 'output', 'f6']) {
    const box = await node(page, id).boundingBox();
    console.log(id, JSON.stringify(box));
    await node(page, id).locator('.ll-node-header').click({ force: true });
    console.log('after click', id, await scroll(), await page.evaluate(() => document.activeElement?.getAttribute('data-node-id')));
  }
  await page.getByTestId('palette-search').focus();
  await page.keyboard.type('conv');
  await page.keyboard.press('Enter');
  for (let i = 0; i < 10; i++) { await page.waitForTimeout(100); console.log(i, await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80))); }
  expect(1).toBe(1);
});
