/**
 * The probe of a segmentation and a detection network, end to end on WASM. The Probe tab paints
 * U-Net mini's predicted mask over the test image beside the true one, untrained and again after
 * brief training on the built-in shapes with masks (then Stop); both are read back from their
 * canvases pixel by pixel: the true mask must be exactly the dataset's (generated here, in Node,
 * from the same seed), the legend must list the five classes with the shares counted here, and
 * the trained prediction must have learnt where the shapes are. Detector mini shows boxes over the
 * image, and its score threshold slider changes how many.
 */
import { expect, test, type Page } from '@playwright/test';
import { syntheticTaskData } from '../src/training/data/synthetic';
import { maskClassColor, objectColor } from '../src/viz/mask-colors';
import { openApp } from './helpers';

test.setTimeout(300_000);

/**
 * Batches of U-Net mini's brief training before Stop (measured on Shapes with masks as built in,
 * test image #0, whose background share is 0.823: after 70 batches it calls all but one pixel
 * background; after 150 it agrees with the truth on 0.847 of the pixels, after 200 on 0.919).
 */
const BATCHES = 200;

async function openPreset(page: Page, key: string) {
  await page.getByTestId('btn-presets').click();
  await page.getByTestId(`preset-${key}`).click();
  await expect(page.getByTestId('preset-gallery')).toHaveCount(0);
}

/** A canvas's pixels (RGBA) as the page drew them. */
const canvasPixels = (page: Page, testid: string) =>
  page.getByTestId(testid).evaluate((c: HTMLCanvasElement) => ({ width: c.width, height: c.height, data: Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data) }));

/**
 * A mask read back from a canvas drawn at full opacity: a pixel of class k's colour is class k,
 * any other (the grey image under the background) is class 0.
 */
function decodeMask(data: number[], classes: number): Uint8Array {
  const colours = Array.from({ length: classes }, (_, k) => maskClassColor(k));
  const mask = new Uint8Array(data.length / 4);
  for (let i = 0; i < mask.length; i++) {
    const k = colours.findIndex((c) => c && c[0] === data[i * 4] && c[1] === data[i * 4 + 1] && c[2] === data[i * 4 + 2]);
    mask[i] = k > 0 ? k : 0;
  }
  return mask;
}

/** The probe's predicted mask at full opacity, read back from its canvas, and the numbers under it. */
async function predictedMask(page: Page, classes: number) {
  await page.getByTestId('task-mask-opacity').fill('1');
  const px = await canvasPixels(page, 'task-mask-pred');
  const summary = page.getByTestId('task-mask-summary');
  return {
    size: [px.width, px.height],
    mask: decodeMask(px.data, classes),
    agreement: Number(await summary.getAttribute('data-agreement')),
    confidence: Number(await summary.getAttribute('data-confidence')),
  };
}

const agreement = (a: Uint8Array, b: ArrayLike<number>) => a.filter((v, i) => v === b[i]).length / a.length;

test('U-Net mini paints its mask over the probe image beside the true mask, before and after brief training', async ({ page }) => {
  const errors = await openApp(page, '/?backend=wasm');
  await openPreset(page, 'unet-mini');
  const data = await syntheticTaskData('shapes-masks', { seed: 42 });
  const [h, w] = data.shape;
  const truth0 = data.test.masks!.subarray(0, h * w);
  const trueCounts = data.classes.map((_, k) => truth0.filter((v) => v === k).length);

  // Untrained: the probe already paints a mask (random classes) beside the true one.
  await page.getByTestId('tab-probe').click();
  const probe = page.getByTestId('task-probe');
  await expect(probe).toBeVisible({ timeout: 60_000 });
  await expect(probe).toHaveAttribute('data-task', 'segmentation');
  await expect(page.getByTestId('probe-prediction')).toHaveCount(0);
  // The legend lists the five classes, with the predicted and the true share of each.
  const rows = page.getByTestId('task-legend-class');
  await expect(rows).toHaveCount(5);
  const legendOf = () => rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  const legend = await legendOf();
  expect(legend.map((r) => r[0]!.replace(' (no colour)', ''))).toEqual(data.classes);
  const near = (text: string, share: number) => expect(Math.abs(Number.parseFloat(text) - share * 100)).toBeLessThanOrEqual(0.5 + 1e-9);
  legend.forEach((r, k) => near(r[2]!, trueCounts[k]! / (h * w)));

  // At full opacity the classes' colours are exact: the true mask read back is the dataset's.
  const before = await predictedMask(page, 5);
  const truthPx = await canvasPixels(page, 'task-mask-truth');
  expect([truthPx.width, truthPx.height]).toEqual([w, h]);
  expect(before.size).toEqual([w, h]);
  const truthSeen = decodeMask(truthPx.data, 5);
  expect(Array.from(truthSeen)).toEqual(Array.from(truth0));
  expect(trueCounts[0]).toBeLessThan(h * w);
  // The predicted mask is drawn (an untrained network gives shapes' classes too), as the legend counts it.
  expect(before.mask.some((v) => v > 0)).toBe(true);
  legend.forEach((r, k) => near(r[1]!, before.mask.filter((v) => v === k).length / (h * w)));
  expect(before.agreement).toBeCloseTo(agreement(before.mask, truth0), 6);

  // Brief training, then Stop: the probe shows the trained network.
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-dataset-info')).toContainText('500', { timeout: 60_000 });
  await expect(page.getByTestId('train-fit-problem')).toHaveCount(0);
  await page.getByTestId('train-start').click();
  const started = Date.now();
  // Batches so far over the epochs ("epoch 2/5, batch 17/85" → 85 + 17).
  const batch = async () => {
    const m = /epoch (\d+)\/\d+, batch (\d+)\/(\d+)/.exec((await page.getByTestId('train-status').textContent()) ?? '');
    return m ? (Number(m[1]) - 1) * Number(m[3]) + Number(m[2]) : 0;
  };
  await expect.poll(batch, { timeout: 240_000, intervals: [500] }).toBeGreaterThanOrEqual(BATCHES);
  console.log(`trained ${await batch()} batches in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-start')).toBeVisible({ timeout: 60_000 });

  await page.getByTestId('tab-probe').click();
  await expect(probe).toBeVisible({ timeout: 60_000 });
  await expect.poll(async () => Number(await page.getByTestId('task-mask-summary').getAttribute('data-confidence')), { timeout: 30_000 }).not.toBeCloseTo(before.confidence, 6);
  const after = await predictedMask(page, 5);
  const background = trueCounts[0]! / (h * w);
  console.log(
    `untrained: agreement ${before.agreement.toFixed(3)}, confidence ${before.confidence.toFixed(3)}; trained: agreement ${after.agreement.toFixed(3)}, confidence ${after.confidence.toFixed(3)}, shape pixels ${after.mask.filter((v) => v > 0).length}; background share ${background.toFixed(3)}`,
  );
  expect(after.agreement).toBeCloseTo(agreement(after.mask, truth0), 6);
  // Trained, it is surer of its pixels, draws shapes mostly where they are, and so agrees with the
  // truth on more pixels than an all-background guess would.
  expect(after.confidence).toBeGreaterThan(before.confidence + 0.2);
  const shapes = after.mask.filter((v) => v > 0).length;
  const onShapes = after.mask.filter((v, i) => v > 0 && truth0[i]! > 0).length;
  expect(shapes).toBeGreaterThan(0);
  expect(onShapes / shapes).toBeGreaterThan(0.5);
  expect(after.agreement).toBeGreaterThan(background);
  await expect(page.getByTestId('task-mask-truth')).toBeVisible();

  // A drawing has no true mask, but still a predicted one.
  const pad = page.getByTestId('probe-draw');
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + 40, box.y + 40);
  await page.mouse.down();
  await page.mouse.move(box.x + 150, box.y + 150, { steps: 8 });
  await page.mouse.up();
  await expect(page.getByTestId('task-no-truth')).toBeVisible();
  await expect(page.getByTestId('task-mask-truth')).toHaveCount(0);
  await expect(page.getByTestId('task-mask-pred')).toBeVisible();
  expect(errors).toEqual([]);
});

/** How many pixels of the boxes' canvas are drawn in one of the object classes' colours (counted in the page). */
const classColouredPixels = (page: Page, classes: number) =>
  page.getByTestId('task-boxes').evaluate(
    (c: HTMLCanvasElement, colours) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (colours.some(([r, g, b]) => d[i] === r && d[i + 1] === g && d[i + 2] === b)) n++;
      return n;
    },
    Array.from({ length: classes }, (_, k) => [...objectColor(k)]),
  );

test('Detector mini draws boxes over the probe image, and the score threshold changes how many', async ({ page }) => {
  const errors = await openApp(page, '/?backend=wasm');
  await openPreset(page, 'detector-mini');
  const data = await syntheticTaskData('shapes-boxes', { seed: 42 });
  await page.getByTestId('tab-probe').click();
  const probe = page.getByTestId('task-probe');
  await expect(probe).toBeVisible({ timeout: 60_000 });
  await expect(probe).toHaveAttribute('data-task', 'detection');
  await expect(page.getByTestId('task-legend-class')).toHaveCount(data.classes.length);
  const trueBoxes = data.test.boxes![0]!.length;
  await expect(page.getByTestId('task-box-count')).toContainText(`the image has ${trueBoxes === 1 ? '1 true box' : `${trueBoxes} true boxes`}`);

  const count = async () => Number(await page.getByTestId('task-box-count').getAttribute('data-count'));
  const slider = page.getByTestId('task-score-threshold');
  await slider.fill('0.05');
  const low = await count();
  await slider.fill('0.95');
  const high = await count();
  console.log(`boxes at 0.05: ${low}, at 0.95: ${high}`);
  expect(low).toBeGreaterThan(high);
  // Boxes are drawn in their classes' colours, and none when none is shown.
  await slider.fill('0.05');
  await expect.poll(() => classColouredPixels(page, data.classes.length)).toBeGreaterThan(20);
  await slider.fill('0.95');
  if (high === 0) await expect.poll(() => classColouredPixels(page, data.classes.length)).toBe(0);
  else await expect.poll(() => classColouredPixels(page, data.classes.length)).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});
