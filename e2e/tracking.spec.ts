/**
 * The tracking lab end to end on the WASM backend: Detector mini trains one epoch on Shapes with
 * boxes, the Probe tab's Tracking section tracks a clip of moving shapes with it (MOTA shown, its
 * counts consistent), the clip plays (the frame advances), pauses, the slider picks a frame and the
 * true boxes can be drawn over it.
 * A classifier's Probe tab has no Tracking section.
 */
import { expect, test } from '@playwright/test';
import { openApp, setSetting } from './helpers';

test('a briefly trained Detector mini tracks the moving shapes: MOTA shown, the clip plays and pauses', async ({ page }) => {
  test.setTimeout(360_000);
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-backend-info')).toContainText('Training on wasm', { timeout: 60_000 });
  await expect(page.getByTestId('train-dataset-info')).toContainText('10 classes', { timeout: 60_000 });
  // LeNet-5, a classifier: no tracking in its probe.
  await page.getByTestId('tab-probe').click();
  await expect(page.getByTestId('probe-panel')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('tracking-lab-toggle')).toHaveCount(0);

  await page.getByTestId('tab-train').click();
  await page.getByTestId('btn-presets').click();
  await page.getByTestId('preset-detector-mini').click();
  await expect(page.getByTestId('graph-title')).toContainText('Detector mini');
  await expect(page.getByTestId('train-dataset-info')).toContainText('32×32×1, 4 classes (boxes per image)', { timeout: 60_000 });
  await setSetting(page, 'train-epochs', 1);
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('result-map')).toHaveText(/^\d+\.\d%$/, { timeout: 240_000 });

  await page.getByTestId('tab-probe').click();
  await page.getByTestId('tracking-lab-toggle').click();
  const mota = page.getByTestId('tracking-mota');
  await expect(mota).toContainText(/MOTA -?\d+\.\d% · missed \d+ · false boxes \d+ · identity switches \d+ \(of \d+ boxes in the clip\)/, { timeout: 60_000 });
  // The counts add up: MOTA = 1 − (missed + false + switches) / boxes.
  const [pct, missed, fp, sw, gt] = ((await mota.textContent())!.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
  expect(gt).toBeGreaterThan(0);
  expect(Math.abs(pct! - 100 * (1 - (missed! + fp! + sw!) / gt!))).toBeLessThanOrEqual(0.051);
  // Trained for an epoch, it finds some of the shapes.
  expect(missed!).toBeLessThan(gt!);

  const canvas = page.getByTestId('tracking-canvas');
  const frame = page.getByTestId('tracking-frame');
  await expect(frame).toHaveValue('0');
  await expect(canvas).toHaveAttribute('data-frame', '0');
  await expect(page.getByTestId('tracking-caption')).toContainText('Frame 1 of 60');
  // Something is drawn: the canvas is not one colour.
  const distinct = await canvas.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4 * 37) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    return seen.size;
  });
  expect(distinct).toBeGreaterThan(10);

  // Play: the frame advances; Pause: it stays.
  await page.getByTestId('tracking-play').click();
  await expect(page.getByTestId('tracking-play')).toHaveText('Pause');
  await expect.poll(async () => Number(await frame.inputValue()), { timeout: 10_000 }).toBeGreaterThan(2);
  await page.getByTestId('tracking-play').click();
  await expect(page.getByTestId('tracking-play')).toHaveText('Play');
  const stopped = await frame.inputValue();
  await page.waitForTimeout(600);
  await expect(frame).toHaveValue(stopped);
  await expect(canvas).toHaveAttribute('data-frame', stopped);

  // The slider picks a frame.
  await frame.fill('42');
  await expect(canvas).toHaveAttribute('data-frame', '42');
  await expect(page.getByTestId('tracking-caption')).toContainText(/Frame 43 of 60 · \d+ tracks? in view · 3 shapes to find/);
  // The true boxes (dashed) are drawn over the frame when asked, and gone again.
  const pixels = () => canvas.evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data).join(','));
  const plain = await pixels();
  await page.getByTestId('tracking-truth').check();
  await expect.poll(pixels).not.toBe(plain);
  await page.getByTestId('tracking-truth').uncheck();
  await expect.poll(pixels).toBe(plain);
  expect(errors).toEqual([]);
});
