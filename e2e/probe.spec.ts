/**
 * The Probe tab on a fresh page (it loads the graph's test set itself, never having seen the Train
 * tab) and its drawing pad under the real mouse: the pad stays put after a stroke, and a stroke is
 * one connected line, not a trail of separate dots.
 */
import { expect, test, type Page } from '@playwright/test';
import { openApp } from './helpers';

// Loading MNIST's test set in the worker takes a while on a busy 2-core machine.
test.setTimeout(180_000);

const bars = (page: Page) =>
  page
    .getByTestId('probe-prediction')
    .locator('.ll-bar')
    .evaluateAll((els) => els.map((e) => parseFloat((e as HTMLElement).style.width)));

/** The pad's pixels as a 0/1 mask of "white" (red channel above 128), row-major, and its size. */
const padMask = (page: Page) =>
  page.getByTestId('probe-draw').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const mask: number[] = [];
    for (let i = 0; i < c.width * c.height; i++) mask.push(d[i * 4]! > 128 ? 1 : 0);
    return { w: c.width, h: c.height, mask };
  });

/** Connected components (4-neighbour) of the white pixels: their count and pixel sizes. */
function components(w: number, h: number, mask: number[]) {
  const label = new Int32Array(w * h).fill(-1);
  const sizes: number[] = [];
  for (let start = 0; start < w * h; start++) {
    if (!mask[start] || label[start] !== -1) continue;
    const id = sizes.length;
    let size = 0;
    const stack = [start];
    label[start] = id;
    while (stack.length) {
      const i = stack.pop()!;
      size++;
      const x = i % w;
      const y = (i - x) / w;
      for (const [nx, ny] of [
        [x + 1, y],
        [x - 1, y],
        [x, y + 1],
        [x, y - 1],
      ] as const) {
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const j = ny * w + nx;
        if (mask[j] && label[j] === -1) {
          label[j] = id;
          stack.push(j);
        }
      }
    }
    sizes.push(size);
  }
  return { count: sizes.length, sizes, label };
}

/** A stroke with the real mouse: press, a few far-apart moves (each one pointer event), release. */
async function stroke(page: Page, points: { x: number; y: number }[]) {
  await page.mouse.move(points[0]!.x, points[0]!.y);
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(p.x, p.y);
  await page.mouse.up();
}

test('on a fresh page the Probe tab loads the test set itself and predicts, without the Train tab', async ({ page }) => {
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-probe').click();
  // Ten class probabilities that sum to 100%.
  await expect.poll(async () => (await bars(page)).length, { timeout: 90_000 }).toBe(10);
  await expect.poll(async () => (await bars(page)).reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
  await expect(page.getByTestId('probe-sample')).toContainText('#0:');
  // The Train tab was never opened: its panel was never mounted.
  await expect(page.getByTestId('train-panel')).toHaveCount(0);
  await expect(page.getByText('Choose a dataset in the Train tab first')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('drawing on the probe pad: the pad never moves under the pen, and strokes are connected lines', async ({ page }) => {
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-probe').click();
  await expect.poll(async () => (await bars(page)).length, { timeout: 90_000 }).toBe(10);
  const pad = page.getByTestId('probe-draw');
  const before = (await pad.boundingBox())!;
  const initial = await padMask(page);
  expect(initial.mask.reduce((a, b) => a + b, 0)).toBe(0); // a black pad to start with
  const predictionBefore = await bars(page);

  // First stroke: a diagonal from the top-left towards the middle, in 4 moves ~35 px apart
  // (further apart than the pen is wide, so stamped dots would leave gaps).
  const P = (fx: number, fy: number) => ({ x: before.x + fx * before.width, y: before.y + fy * before.height });
  const first = [P(0.15, 0.15), P(0.27, 0.27), P(0.39, 0.39), P(0.51, 0.51), P(0.63, 0.63)];
  await stroke(page, first);
  await expect.poll(() => bars(page)).not.toEqual(predictionBefore); // the probe now predicts for the drawing
  const after = (await pad.boundingBox())!;
  expect(after).toEqual(before); // nothing moved under the pen

  // Second stroke: a horizontal line lower down, well away from the first one.
  const second = [P(0.1, 0.85), P(0.3, 0.85), P(0.5, 0.85), P(0.7, 0.85), P(0.9, 0.85)];
  await stroke(page, second);
  expect((await pad.boundingBox())!).toEqual(before);

  const { w, h, mask } = await padMask(page);
  if (process.env.LAYOUT_SHOTS) await page.getByTestId('probe-panel').screenshot({ path: `${process.env.LAYOUT_SHOTS}/probe.png` });
  const { count, label } = components(w, h, mask);
  expect(count).toBe(2); // two strokes, each one connected line
  // Every point along each stroke's path (sampled every pad pixel) is white and in that stroke's
  // component: the segments between pointer events are drawn, and the second stroke landed where
  // the mouse was (in pad pixels, computed from the unchanged box).
  const toPad = (p: { x: number; y: number }) => ({ x: ((p.x - before.x) / before.width) * w, y: ((p.y - before.y) / before.height) * h });
  const componentsAlong = (pts: { x: number; y: number }[]) => {
    const seen = new Set<number>();
    for (let k = 1; k < pts.length; k++) {
      const a = toPad(pts[k - 1]!);
      const b = toPad(pts[k]!);
      const n = Math.ceil(Math.hypot(b.x - a.x, b.y - a.y));
      for (let t = 0; t <= n; t++) {
        const x = Math.round(a.x + ((b.x - a.x) * t) / n);
        const y = Math.round(a.y + ((b.y - a.y) * t) / n);
        const i = Math.min(h - 1, y) * w + Math.min(w - 1, x);
        expect(mask[i], `pixel ${x},${y} on the stroke`).toBe(1);
        seen.add(label[i]!);
      }
    }
    return [...seen];
  };
  const c1 = componentsAlong(first);
  const c2 = componentsAlong(second);
  expect(c1).toHaveLength(1);
  expect(c2).toHaveLength(1);
  expect(c1[0]).not.toBe(c2[0]);
  // Far from both strokes the pad is still black.
  expect(mask[Math.round(0.15 * h) * w + Math.round(0.85 * w)]).toBe(0);
  expect(errors).toEqual([]);
});
