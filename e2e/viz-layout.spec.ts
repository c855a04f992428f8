/**
 * Layout of what the app draws, measured in the real browser: the confusion matrix fits the side
 * panel with more than ten classes, a node keeps its height when it shows an error, the large map
 * view is not letterboxed, and learned kernels are drawn on a diverging scale with a legend.
 */
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { dropFolder, node, openApp } from './helpers';
import { writeImageFolder } from './png';

test.setTimeout(180_000);

const SHOTS = process.env.LAYOUT_SHOTS; // a folder to keep screenshots in, for a person to look at
const shot = async (page: Page, name: string) => SHOTS && (await page.screenshot({ path: join(SHOTS, `${name}.png`) }));

test('the confusion matrix of 12 classes fits the side panel: every column visible, nothing cut off', async ({ page }, testInfo) => {
  const dir = testInfo.outputPath('twelve');
  const counts = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`${i % 2 ? 'dark' : 'light'}-class-${String(i).padStart(2, '0')}`, 3]));
  writeImageFolder(dir, counts);
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-backend-info')).toContainText('Training on wasm', { timeout: 60_000 });
  await dropFolder(page, dir, 'twelve');
  await expect(page.getByTestId('train-dataset-info')).toContainText('12 classes', { timeout: 60_000 });
  await page.getByTestId('train-fit-fix').first().click();
  await expect(page.getByTestId('train-fit-problem')).toHaveCount(0);
  const epochs = page.getByTestId('train-epochs');
  await epochs.fill('1');
  await epochs.press('Enter');
  await page.getByTestId('train-start').click();
  const matrix = page.getByTestId('confusion-matrix');
  await expect(matrix).toBeVisible({ timeout: 90_000 });
  await matrix.scrollIntoViewIfNeeded();
  await shot(page, 'confusion-12');

  const panel = (await page.getByTestId('train-panel').boundingBox())!;
  const table = (await matrix.boundingBox())!;
  expect(table.x).toBeGreaterThanOrEqual(panel.x);
  expect(table.x + table.width).toBeLessThanOrEqual(panel.x + panel.width + 0.5);
  // The last column's cells lie inside the panel and are as wide as the first column's.
  const first = (await page.getByTestId('confusion-0-0').boundingBox())!;
  const last = (await page.getByTestId('confusion-11-11').boundingBox())!;
  expect(last.x + last.width).toBeLessThanOrEqual(panel.x + panel.width + 0.5);
  expect(Math.abs(last.width - first.width)).toBeLessThan(1.5);
  // No cell's text overflows it: each cell's content fits its box.
  const overflowing = await matrix.locator('td').evaluateAll((tds) => tds.filter((td) => td.scrollWidth > td.clientWidth + 1).length);
  expect(overflowing).toBe(0);
  // Counts add up to the test images (12 classes × 3 images, 20% held out per class: 12).
  const total = await matrix.locator('td').evaluateAll((tds) => tds.reduce((a, td) => a + (Number(td.textContent) || 0), 0));
  expect(total).toBe(12);
  expect(errors).toEqual([]);
});

test('a node keeps its height when an error appears and disappears; the full message is in its tooltip', async ({ page }) => {
  const errors = await openApp(page);
  const c3 = node(page, 'c3');
  const height = async () => (await c3.boundingBox())!.height;
  const below = (await node(page, 'f6').boundingBox())!;
  const before = await height();
  await c3.click({ position: { x: 60, y: 10 } });
  const filters = page.getByTestId('inspector').getByTestId('param-inspector-c3-filters');
  await filters.fill('100000');
  await filters.press('Enter');
  const message = c3.getByTestId('node-message');
  await expect(message).toContainText('filters = 100,000 is out of range (1–4,096)');
  await shot(page, 'node-error');
  expect(await height()).toBe(before);
  // The message is cut to one line on the node; its tooltip has all of it.
  const box = (await message.boundingBox())!;
  expect(box.height).toBeLessThan(20);
  expect(await message.getAttribute('title')).toContain('filters = 100,000 is out of range (1–4,096)');
  // The node above does not reach the node below it.
  const c3Box = (await c3.boundingBox())!;
  expect(c3Box.y + c3Box.height).toBeLessThan(below.y);
  await filters.fill('16');
  await filters.press('Enter');
  await expect(message).toHaveCount(0);
  expect(await height()).toBe(before);
  expect(errors).toEqual([]);
});

test('the large map fits its aspect ratio with no bars; kernels are blue–white–red with a legend', async ({ page }) => {
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-probe').click();
  await expect(page.getByTestId('probe-prediction').locator('li')).toHaveCount(10, { timeout: 90_000 });
  await node(page, 'c3').getByTestId('node-map-open').click();
  const modal = page.getByTestId('node-detail');
  const map = modal.getByTestId('feature-map').locator('canvas');
  await expect(map).toBeVisible();
  await expect(modal.getByTestId('kernel-canvas')).toBeVisible();
  await shot(page, 'node-detail');
  await modal.getByTestId('kernel-legend').scrollIntoViewIfNeeded();
  await shot(page, 'kernels');
  // The canvas box has the bitmap's aspect ratio (so object-fit adds no bars) and fills it.
  const m = await map.evaluate((c: HTMLCanvasElement) => ({ w: c.width, h: c.height, cw: c.clientWidth, ch: c.clientHeight, fit: getComputedStyle(c).objectFit }));
  expect(m.w).toBeGreaterThan(0);
  expect(Math.abs(m.cw / m.ch - m.w / m.h)).toBeLessThan(0.02);
  // Node thumbnails too: c1's map on the canvas keeps its ratio.
  const thumb = await node(page, 'c1').getByTestId('node-map').locator('canvas').evaluate((c: HTMLCanvasElement) => ({ w: c.width, h: c.height, cw: c.clientWidth, ch: c.clientHeight }));
  expect(Math.abs(thumb.cw / thumb.ch - thumb.w / thumb.h)).toBeLessThan(0.05);

  // Kernels: the legend is symmetric about 0 and covers the range it states.
  const lo = Number(await modal.getByTestId('kernel-legend-min').textContent());
  const hi = Number(await modal.getByTestId('kernel-legend-max').textContent());
  expect(lo).toBeCloseTo(-hi, 6);
  const range = (await modal.getByTestId('kernel-range').textContent())!;
  const [, a, b] = range.match(/Weights from (-?[\d.e-]+) to (-?[\d.e-]+)/)!;
  expect(Number(a)).toBeLessThan(0); // freshly initialised weights have both signs
  expect(Number(b)).toBeGreaterThan(0);
  expect(Math.max(-Number(a), Number(b))).toBeCloseTo(hi, 1);
  // The picture uses both ends of the scale: bluish (b > r) and reddish (r > b) pixels, and the
  // strongest weight is a saturated end colour.
  const colours = await modal.getByTestId('kernel-canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let blue = 0;
    let red = 0;
    let saturated = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 2]! > d[i]! + 20) blue++;
      if (d[i]! > d[i + 2]! + 20) red++;
      if ((d[i] === 33 && d[i + 1] === 102 && d[i + 2] === 172) || (d[i] === 178 && d[i + 1] === 24 && d[i + 2] === 43)) saturated++;
    }
    return { blue, red, saturated };
  });
  expect(colours.blue).toBeGreaterThan(0);
  expect(colours.red).toBeGreaterThan(0);
  expect(colours.saturated).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

test('with every Probe section open the page itself never scrolls: the toolbar stays in view', async ({ page }) => {
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-probe').click();
  await expect(page.getByTestId('probe-prediction').locator('li')).toHaveCount(10, { timeout: 90_000 });
  await page.getByTestId('invariance-lab-toggle').click();
  await page.getByTestId('explain-lab').locator('summary').click();
  await expect(page.getByTestId('explain-caption')).toContainText('Grad-CAM', { timeout: 60_000 });
  const page_ = () => page.evaluate(() => ({ scrollable: document.documentElement.scrollHeight - innerHeight, scrollY, toolbarTop: document.querySelector('.ll-toolbar')!.getBoundingClientRect().top }));
  expect(await page_()).toEqual({ scrollable: 0, scrollY: 0, toolbarTop: 0 });
  // Bringing the panel's last section to the top (as links into a section do) scrolls only the panel.
  await page.evaluate(() => document.querySelector('[data-testid="explain-lab"]')!.scrollIntoView({ block: 'start' }));
  expect(await page_()).toEqual({ scrollable: 0, scrollY: 0, toolbarTop: 0 });
  expect(errors).toEqual([]);
});
