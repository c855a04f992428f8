/**
 * The WebGPU path end to end, in the 'webgpu' project (Chromium with --enable-unsafe-webgpu; see
 * playwright.config.ts). Headless on a machine without a GPU the adapter is SwiftShader: real
 * WebGPU, but tens of images per second, so the test trains a few batches and stops.
 * A missing adapter is a failure, never a skip: this test exists to prove the path works.
 */
import { expect, test } from '@playwright/test';
import { node, openApp } from './helpers';

test('LeNet-5 trains on WebGPU: backend, batches, feature maps, and Stop ends the batches', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = await openApp(page, '/?backend=webgpu');

  // Ask the browser directly first, so a missing adapter fails with the reason, not a timeout.
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: { vendor: string; architecture: string } } | null> } }).gpu;
    if (!gpu) return { error: 'navigator.gpu is missing: this Chromium has no WebGPU (is --enable-unsafe-webgpu passed? is this a secure context?)' };
    const a = await gpu.requestAdapter();
    if (!a) return { error: 'navigator.gpu.requestAdapter() returned null: no WebGPU adapter (SwiftShader or a GPU) is available; Chromium on Linux needs --enable-unsafe-webgpu (the webgpu project in playwright.config.ts passes it)' };
    return { vendor: a.info?.vendor ?? '', architecture: a.info?.architecture ?? '' };
  });
  if ('error' in adapter) throw new Error(`WebGPU is not available: ${adapter.error}`);

  await page.getByTestId('tab-train').click();
  const backendInfo = page.getByTestId('train-backend-info');
  await expect(backendInfo, 'the app should train on webgpu when ?backend=webgpu and an adapter exists').toContainText('Training on webgpu', { timeout: 30_000 });
  await expect(page.getByTestId('train-backend')).toHaveValue('webgpu');
  await expect(page.getByTestId('train-dataset-info')).toContainText('60,000 training and 10,000 test images', { timeout: 30_000 });

  // Small batches: each one is quick even on SwiftShader.
  const batch = page.getByTestId('train-batch');
  await batch.fill('16');
  await batch.press('Enter');
  await expect(batch).toHaveValue('16');
  await page.getByTestId('train-start').click();
  const trainingStartedAt = Date.now();

  // A feature map on the first convolution, then at least two batches done.
  await expect(node(page, 'c1').getByTestId('node-map').getByTestId('feature-map')).toHaveAttribute('data-kind', 'grid', { timeout: 60_000 });
  const status = page.getByTestId('train-status');
  await expect
    .poll(async () => Number((await status.textContent())?.match(/batch (\d+)\//)?.[1] ?? 0), { timeout: 60_000, message: 'at least two batches on webgpu' })
    .toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('chart-loss')).toBeVisible();
  expect(Number(await page.getByTestId('chart-loss').getAttribute('data-points'))).toBeGreaterThan(0);
  await expect(page.getByTestId('train-device-lost')).toHaveCount(0);

  // Stop: the loop ends at the next batch boundary. (The app then scores the 10,000 test images,
  // which takes minutes on SwiftShader, so the test checks that the batches stopped instead.)
  const batchNow = async () => Number((await status.textContent())?.match(/batch (\d+)\//)?.[1] ?? 0);
  const atStop = await batchNow();
  const startedAt = Date.now();
  await page.getByTestId('train-stop').click();
  // Long enough for at least three more batches at the speed seen so far (compiling included).
  const perBatchMs = (startedAt - trainingStartedAt) / Math.max(atStop, 1);
  await page.waitForTimeout(Math.min(30_000, Math.max(6_000, 3 * perBatchMs)));
  const after = await batchNow();
  expect(after, `batches went on after Stop (${atStop} → ${after}; about ${Math.round(perBatchMs)} ms per batch)`).toBeLessThanOrEqual(atStop + 1);
  await expect(backendInfo).toContainText('webgpu');
  await expect(page.getByTestId('train-message')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a lost WebGPU device stops the run with a message; switching backend keeps the graph and the trained weights', async ({ page }) => {
  test.setTimeout(120_000);
  // ?faults=1 exposes window.layerlabFaults.loseDevice(), which destroys the worker's GPU device.
  const errors = await openApp(page, '/?backend=webgpu&faults=1');
  const nodesBefore = await page.getByTestId('node').count();
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-backend-info')).toContainText('Training on webgpu', { timeout: 30_000 });
  await expect(page.getByTestId('train-dataset-info')).toContainText('60,000 training', { timeout: 30_000 });
  const batch = page.getByTestId('train-batch');
  await batch.fill('16');
  await batch.press('Enter');
  await page.getByTestId('train-start').click();

  const status = page.getByTestId('train-status');
  const batchNow = async () => Number((await status.textContent())?.match(/batch (\d+)\//)?.[1] ?? 0);
  await expect.poll(batchNow, { timeout: 60_000, message: 'a few batches on webgpu' }).toBeGreaterThanOrEqual(2);
  // The worker copies the weights off the GPU every 5 s or so: let it take one.
  await page.waitForTimeout(6_000);
  await page.evaluate(() => (window as unknown as { layerlabFaults: { loseDevice(): Promise<void> } }).layerlabFaults.loseDevice());

  const lost = page.getByTestId('train-device-lost');
  await expect(lost).toContainText('The GPU stopped working', { timeout: 15_000 });
  await expect(lost).toContainText(/the weights from epoch 1, batch \d+ are kept/);
  const keptAt = (await lost.textContent())!.match(/epoch 1, batch (\d+)/)![1]!;
  expect(Number(keptAt)).toBeGreaterThanOrEqual(1);
  // The run is over, the graph untouched.
  await expect(page.getByTestId('train-start')).toBeVisible();
  expect(await page.getByTestId('node').count()).toBe(nodesBefore);

  await page.getByTestId('train-device-fallback').click();
  await expect(page.getByTestId('train-backend-info')).toContainText('Training on webgl', { timeout: 30_000 });
  await expect(page.getByTestId('train-kept-weights')).toContainText(`epoch 1, batch ${keptAt}`);

  // Continue trains on from the kept weights on the new backend.
  const before = await batchNow();
  await page.getByTestId('train-continue').click();
  await expect.poll(batchNow, { timeout: 60_000, message: 'training goes on on webgl' }).not.toBe(before);
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-start')).toBeVisible({ timeout: 30_000 });
  expect(errors).toEqual([]);
});

test('the labs run on WebGPU too: a rotation changes the prediction, a sweep, Grad-CAM and a node window', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = await openApp(page, '/?backend=webgpu');
  await page.getByTestId('tab-probe').click();
  const bars = page.getByTestId('probe-prediction').locator('li');
  await expect(bars).toHaveCount(10, { timeout: 90_000 });
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-backend-info')).toContainText('Training on webgpu', { timeout: 30_000 });
  await page.getByTestId('tab-probe').click();

  // The invariance lab: a half turn changes what the (untrained) network says.
  const prediction = () => page.getByTestId('probe-prediction').innerText();
  const before = await prediction();
  await page.getByTestId('invariance-lab-toggle').click();
  await page.getByTestId('inv-slider-rotate').fill('180');
  await expect.poll(prediction, { timeout: 60_000 }).not.toBe(before);
  // A short sweep on 20 test images draws its points.
  await page.getByTestId('inv-sweep-values').fill('0, 90');
  await page.getByTestId('inv-sweep-count').fill('20');
  await page.getByTestId('inv-sweep-run').click();
  await expect(page.getByTestId('inv-chart')).toHaveAttribute('data-points', '2', { timeout: 120_000 });

  // Grad-CAM on the last convolution (gradients on the GPU).
  await page.getByTestId('explain-lab').locator('summary').click();
  await expect(page.getByTestId('explain-caption')).toContainText('Grad-CAM on c3', { timeout: 120_000 });

  // A node window: the arithmetic is read back from the GPU and matches the network's value.
  await node(page, 'c1').getByTestId('node-map-open').click();
  const detail = page.getByTestId('node-detail');
  const map = detail.getByTestId('nw-map');
  await expect(map.locator('canvas')).toBeVisible();
  await map.locator('canvas').hover({ position: { x: 10, y: 10 } });
  await expect(detail.getByTestId('nw-where')).toContainText('c1, row', { timeout: 60_000 });
  const value = Number(await detail.getByTestId('nw-value').innerText({ timeout: 60_000 }).then((t) => t.match(/-?\d+(\.\d+)?/)?.[0]));
  const result = Number(await detail.getByTestId('nw-result').innerText().then((t) => t.match(/-?\d+(\.\d+)?/)?.[0]));
  expect(Number.isFinite(value)).toBe(true);
  expect(result).toBeCloseTo(value, 2);
  expect(errors).toEqual([]);
});
