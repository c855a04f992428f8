/**
 * Training in the browser, end to end: the Train tab drives the TensorFlow.js worker on the WASM
 * backend (`?backend=wasm`, the fast one on this machine), with the real mouse, keyboard and file
 * chooser. Each test starts in a fresh context (LeNet-5, MNIST) and keeps the work small: one
 * epoch, stopped early where MNIST would take long, or a tiny folder of generated images.
 */
import { expect, test, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dropFolder, node, openApp, setSetting } from './helpers';
import { encodeGreyPng, writeImageFolder } from './png';

/** Opens the app on WASM, goes to the Train tab and waits for MNIST to be loaded. */
async function openTrainTab(page: Page) {
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-dataset-info')).toContainText('60,000 training and 10,000 test images, 28×28×1, 10 classes', { timeout: 30_000 });
  await expect(page.getByTestId('train-backend-info')).toContainText('Training on wasm');
  return errors;
}

const progress = async (page: Page) => Number(await page.getByTestId('train-progress').getAttribute('aria-valuenow'));
/** The batch number the status line shows ("epoch 1/1, batch 123/1782 · …"). */
const batchNumber = async (page: Page) => Number((await page.getByTestId('train-status').textContent())?.match(/batch (\d+)\//)?.[1] ?? NaN);
const lossPoints = async (page: Page) => Number(await page.getByTestId('chart-loss').getAttribute('data-points'));
/** The pixels of the feature map drawn on node `id` (its canvas, as a PNG data URL). */
const mapPixels = (page: Page, id: string) =>
  node(page, id)
    .getByTestId('node-map')
    .locator('canvas')
    .evaluate((c: HTMLCanvasElement) => c.toDataURL());

/** Chooses a folder through the file chooser that the Dataset menu's "Your images" opens. */
async function chooseFolder(page: Page, dir: string) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('train-dataset').selectOption('custom');
  const fc = await chooser;
  expect(fc.isMultiple()).toBe(true);
  await fc.setFiles(dir);
}

/** Applies every "Fix it" the Train tab offers until the graph fits the dataset. */
async function fixFit(page: Page) {
  const fix = page.getByTestId('train-fit-fix');
  for (let i = 0; i < 4 && (await fix.count()) > 0; i++) await fix.first().click();
  await expect(page.getByTestId('train-fit-problem')).toHaveCount(0);
}

test('LeNet-5 trains on MNIST: progress, live charts, changing feature maps, Pause, Resume and Stop', async ({ page }) => {
  const errors = await openTrainTab(page);
  await setSetting(page, 'train-epochs', 1);
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-stop')).toBeVisible();
  await expect(page.getByTestId('train-start')).toHaveCount(0);

  // The first-layer node shows its feature maps while training.
  const map = node(page, 'c1').getByTestId('node-map');
  await expect(map.getByTestId('feature-map')).toHaveAttribute('data-kind', 'grid');
  await expect(node(page, 'output').getByTestId('feature-map')).toHaveAttribute('data-kind', 'probs');

  // Progress and the loss chart move on.
  await expect(page.getByTestId('train-status')).toContainText(/epoch 1\/1, batch \d+\/\d+ · [\d,]+ images\/s/);
  await expect.poll(() => progress(page), { timeout: 15_000 }).toBeGreaterThan(0);
  const p1 = await progress(page);
  await expect.poll(() => lossPoints(page)).toBeGreaterThan(0);
  const n1 = await lossPoints(page);
  const pixels1 = await mapPixels(page, 'c1');
  await expect.poll(() => progress(page), { timeout: 15_000 }).toBeGreaterThan(p1);
  await expect.poll(() => lossPoints(page)).toBeGreaterThan(n1);
  // A later refresh paints different pixels: the filters are learning.
  await expect.poll(() => mapPixels(page, 'c1'), { timeout: 15_000 }).not.toBe(pixels1);
  await expect(page.getByTestId('train-backend-info')).toContainText('wasm');

  // Pause holds the batches (the worker must see the message mid-epoch), Resume goes on.
  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('train-resume')).toBeVisible();
  await page.waitForTimeout(700); // the batch in flight and its report land
  const held = await batchNumber(page);
  await page.waitForTimeout(1_500); // dozens of batches' time on WASM
  expect(await batchNumber(page), 'no batches while paused').toBe(held);
  await page.getByTestId('train-resume').click();
  await expect(page.getByTestId('train-pause')).toBeVisible();
  await expect.poll(() => batchNumber(page)).toBeGreaterThan(held);

  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-start')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('train-stop')).toHaveCount(0);
  await expect(page.getByTestId('train-status')).toContainText(/Stopped by you at epoch 1, batch \d+/);
  // It stopped well before the end of the epoch.
  expect(await progress(page)).toBeLessThan(100);
  expect(errors).toEqual([]);
});

test('a learning rate of 10 (the highest a graph file allows) stops training with the NaN explanation', async ({ page }) => {
  await openTrainTab(page);
  // The preset's own optimizer (Adam). tfjs clips probabilities, so the exploded network's loss
  // pins at its ceiling instead of NaN; the trainer treats both the same and explains.
  await expect(page.getByTestId('train-optimizer')).toHaveValue('adam');
  await setSetting(page, 'train-epochs', 1);
  await setSetting(page, 'train-lr', 10); // Adam at 10 blows LeNet-5 up within two batches
  await page.getByTestId('train-start').click();
  const message = page.getByTestId('train-message');
  await expect(message).toContainText(/NaN|learning rate/, { timeout: 30_000 });
  await expect(message).toContainText('too high');
  await expect(message).toContainText('learning rate (10)');
  await expect(message).toContainText(/epoch 1, batch \d+/);
  await expect(page.getByTestId('train-start')).toBeVisible();
  // It stopped within the first few batches, not at the end of the epoch.
  expect(await progress(page)).toBeLessThan(100);
});

test('a folder of your own images: two classes, "Fix it" adapts the output, one epoch gives a test accuracy', async ({ page }, testInfo) => {
  const dir = testInfo.outputPath('shades');
  writeImageFolder(dir, { dark: 12, light: 12 });
  await openTrainTab(page);

  await chooseFolder(page, dir);
  const info = page.getByTestId('train-dataset-info');
  await expect(info).toContainText(/^shades: \d+ training and \d+ test images, 28×28×1, 2 classes$/);
  const [train, testCount] = (await info.textContent())!.match(/\d+/g)!.map(Number);
  expect(train! + testCount!).toBe(24);
  await expect(page.getByTestId('train-skipped')).toHaveCount(0);

  // LeNet-5 ends in 10 units: the panel says so and offers a fix.
  await expect(page.getByTestId('train-fit-problem')).toContainText('2 classes');
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await fixFit(page);
  await expect(node(page, 'output').getByTestId('node-shape')).toHaveText('2');

  await setSetting(page, 'train-epochs', 1);
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('test-accuracy')).toHaveText(/^\d+\.\d\d%$/, { timeout: 30_000 });
  await expect(page.getByTestId('train-status')).toHaveText('Done.');
  await expect(page.getByTestId('confusion-matrix')).toBeVisible();
  await expect(page.getByTestId('confusion-1-1')).toBeVisible();
  await expect(page.getByTestId('confusion-2-2')).toHaveCount(0);
  // The output node now shows the two class names' probabilities.
  await expect(node(page, 'output').getByTestId('feature-map-top')).toContainText(/^(dark|light) · /);
});

test('a broken image in the folder is skipped and listed; training uses the rest', async ({ page }, testInfo) => {
  const dir = testInfo.outputPath('with-broken');
  writeImageFolder(dir, { dark: 10, light: 10 });
  writeFileSync(join(dir, 'dark', 'broken.png'), Buffer.from('this is not a PNG at all \u0000\u0001\u0002 garbage'));
  await openTrainTab(page);

  await chooseFolder(page, dir);
  const info = page.getByTestId('train-dataset-info');
  await expect(info).toContainText(/^with-broken: \d+ training and \d+ test images, 28×28×1, 2 classes$/);
  const [train, testCount] = (await info.textContent())!.match(/\d+/g)!.map(Number);
  expect(train! + testCount!).toBe(20);
  const skipped = page.getByTestId('train-skipped');
  await expect(skipped).toContainText('1 file could not be read and was skipped');
  await expect(skipped).toContainText('broken.png');
  await expect(skipped.locator('li')).toHaveCount(1);

  await fixFit(page);
  await setSetting(page, 'train-epochs', 1);
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('test-accuracy')).toHaveText(/^\d+\.\d\d%$/, { timeout: 30_000 });
  // The list stays while the rest trains.
  await expect(skipped).toContainText('broken.png');
});

test('the probe predicts for the untrained model and follows a drawing', async ({ page }) => {
  await openTrainTab(page);
  await page.getByTestId('tab-probe').click();
  const items = page.getByTestId('probe-prediction').locator('li');
  await expect(items).toHaveCount(10);
  await expect(items.first()).toContainText(/^0.*\d+\.\d%$/);
  // The bars carry the exact probabilities (their widths); the text rounds them.
  const bars = () => page.getByTestId('probe-prediction').locator('.ll-bar').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.width).join(' '));
  await expect.poll(async () => (await bars()).split(' ').filter(Boolean).length).toBe(10);
  const before = await bars();
  // Every node shows what it sees for the probe image, trained or not.
  await expect(node(page, 'c1').getByTestId('feature-map')).toBeVisible();
  const c1Before = await mapPixels(page, 'c1');

  // Draw a stroke (a "1") with the mouse on the black canvas.
  const box = (await page.getByTestId('probe-draw').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.48, box.y + box.height * 0.85, { steps: 20 });
  await page.mouse.up();

  await expect.poll(bars).not.toBe(before);
  await expect(items).toHaveCount(10);
  await expect.poll(() => mapPixels(page, 'c1')).not.toBe(c1Before);
});

test('a node’s map opens all its channels large, and a convolution’s learned kernels', async ({ page }) => {
  await openTrainTab(page);
  await page.getByTestId('tab-probe').click();
  await expect(page.getByTestId('probe-prediction').locator('li')).toHaveCount(10);
  await node(page, 'c3').getByTestId('node-map-open').click();
  const detail = page.getByTestId('node-detail');
  await expect(detail).toBeVisible();
  await expect(detail.getByTestId('feature-map').first()).toHaveAttribute('data-kind', 'grid');
  await expect(detail).toContainText('16 of 16 channels');
  await expect(detail.getByTestId('node-kernels')).toBeVisible();
  await expect(detail).toContainText('16 filters of 5×5 (averaged over 6 input channels)');
  await page.keyboard.press('Escape');
  await expect(detail).toHaveCount(0);
});

/** Dispatches a real drop event on `testid` carrying these files (a real DataTransfer, as the OS would give). */
async function dropFiles(page: Page, testid: string, files: { name: string; type: string; bytes: Buffer }[]) {
  const payload = files.map((f) => ({ name: f.name, type: f.type, b64: f.bytes.toString('base64') }));
  await page.getByTestId(testid).evaluate((el, list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    el.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
    el.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, payload);
}

test('dropping an image file on the probe predicts for it; a file that is not an image says so', async ({ page }) => {
  await openTrainTab(page);
  await page.getByTestId('tab-probe').click();
  const bars = () => page.getByTestId('probe-prediction').locator('.ll-bar').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.width).join(' '));
  await expect.poll(async () => (await bars()).split(' ').filter(Boolean).length).toBe(10);
  const before = await bars();
  const c1Before = await mapPixels(page, 'c1');

  // A 28×28 "7": a bar along the top and a diagonal down to the bottom left.
  const px = new Uint8Array(28 * 28);
  for (let x = 6; x < 22; x++) for (let y = 5; y < 8; y++) px[y * 28 + x] = 255;
  for (let y = 8; y < 24; y++) for (let d = -1; d <= 1; d++) px[y * 28 + Math.round(21 - (y - 8) * 0.6) + d] = 255;
  await dropFiles(page, 'probe-draw', [{ name: 'seven.png', type: 'image/png', bytes: encodeGreyPng(28, 28, px) }]);
  await expect.poll(bars).not.toBe(before);
  await expect.poll(() => mapPixels(page, 'c1')).not.toBe(c1Before);
  // The dropped picture is what the probe canvas shows now (its top-left is black, its top bar white).
  const drawn = await page.getByTestId('probe-draw').evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d')!;
    const at = (x: number, y: number) => ctx.getImageData(Math.round((x * c.width) / 28), Math.round((y * c.height) / 28), 1, 1).data[0];
    return { corner: at(1, 1), bar: at(14, 6.5) };
  });
  expect(drawn.corner).toBeLessThan(40);
  expect(drawn.bar).toBeGreaterThan(200);

  await dropFiles(page, 'probe-draw', [{ name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('not an image') }]);
  await expect(page.getByTestId('notice')).toContainText('notes.txt is not an image this browser can read');
});

test('dropping a folder of class sub-folders on the Train tab loads it as the dataset', async ({ page }, testInfo) => {
  // A real drop event over real files (see dropFolder): the panel's handler, the folder walk, decoding and the split all run.
  const dir = testInfo.outputPath('dropped');
  writeImageFolder(dir, { dark: 6, light: 6 });
  await openTrainTab(page);
  await dropFolder(page, dir, 'dropped');
  await expect(page.getByTestId('train-dataset-info')).toContainText(/^dropped: \d+ training and \d+ test images, 28×28×1, 2 classes$/, { timeout: 30_000 });
  const [train, testCount] = (await page.getByTestId('train-dataset-info').textContent())!.match(/\d+/g)!.map(Number);
  expect(train! + testCount!).toBe(12);
  await expect(page.getByTestId('train-fit-problem')).toContainText('2 classes');
});

test('a dataset chosen while another is still loading is the one that loads', async ({ page }) => {
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-train').click();
  // While MNIST (the preset's dataset) is still being read: choose Shapes.
  await expect(page.getByTestId('train-status')).toContainText('Loading mnist', { timeout: 30_000 });
  await page.getByTestId('train-dataset').selectOption('shapes');
  await expect(page.getByTestId('train-dataset-info')).toContainText('shapes', { timeout: 60_000 });
  await expect(page.getByTestId('train-dataset-info')).not.toContainText('60,000 training');
  // And MNIST's late arrival does not replace it.
  await page.waitForTimeout(3000);
  await expect(page.getByTestId('train-dataset-info')).toContainText('shapes');
  expect(errors).toEqual([]);
});
