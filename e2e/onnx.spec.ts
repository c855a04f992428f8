/**
 * ONNX export from the app: train LeNet-5 a little (WASM), download model.onnx and the TensorFlow.js
 * zip from the Export dialog, check outside the browser that the .onnx file is a valid ONNX model
 * (onnx-proto parses it; onnxruntime-web in Node runs it and agrees with TensorFlow.js in Node on the
 * zip's weights), and that the dialog's own "Check in ONNX Runtime" — ONNX Runtime loaded into the
 * page only then — says it agrees.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { compareWithTfjs, describeOnnxCheck, randomInputs } from '../src/export/onnx-check';
import { openApp } from './helpers';

async function downloadOne(page: Page, testid: string, dir: string): Promise<string> {
  const got = page.waitForEvent('download');
  await page.getByTestId(testid).click();
  const d = await got;
  const to = join(dir, d.suggestedFilename());
  await d.saveAs(to);
  return to;
}

test('a trained model exports as ONNX, runs in ONNX Runtime in Node, and the in-page ONNX Runtime check agrees', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const ortRequests: string[] = [];
  page.on('request', (r) => {
    if (/\/assets\/(ort[.-]|onnx-runtime)/.test(r.url())) ortRequests.push(r.url());
  });
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-train').click();
  // (A generous wait: MNIST takes long to load when the machine is busy.)
  await expect(page.getByTestId('train-dataset-info')).toContainText('60,000 training', { timeout: 90_000 });

  // Train a little, so the weights are the worker's trained ones rather than the seeded start.
  await page.getByTestId('train-start').click();
  await expect.poll(async () => Number((await page.getByTestId('train-status').textContent())?.match(/batch (\d+)\//)?.[1] ?? 0), { timeout: 60_000 }).toBeGreaterThanOrEqual(10);
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-start')).toBeVisible({ timeout: 30_000 });

  await page.getByTestId('btn-export-model').click();
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog.getByTestId('export-weights')).toContainText(/trained to epoch 1, batch \d+/);
  // The dialog says what goes in and out, in ONNX's layout.
  await expect(dialog.getByTestId('export-onnx-layout')).toContainText('Input "input": float32 N×1×28×28 (N×C×H×W');
  await expect(dialog.getByTestId('export-onnx-layout')).toContainText('output "output": N×10');

  const dir = testInfo.outputPath('downloads');
  const onnxPath = await downloadOne(page, 'export-onnx', dir);
  expect(onnxPath).toMatch(/LeNet-5\.onnx$/);
  await expect(dialog.getByTestId('export-done')).toContainText('ONNX model (.onnx): downloaded (trained to epoch 1');
  const zipPath = await downloadOne(page, 'export-tfjs-zip', dir);
  // ONNX Runtime has not been loaded into the page yet: only the check loads it.
  expect(ortRequests).toEqual([]);

  // The in-page check: ONNX Runtime (WASM) runs the downloaded bytes and agrees with the worker's TensorFlow.js.
  await dialog.getByTestId('export-onnx-check').click();
  const result = dialog.getByTestId('export-onnx-result');
  await expect(result).toBeVisible({ timeout: 60_000 });
  await expect(result).toHaveText(/^ONNX Runtime agrees: max difference \S+ on 4 random inputs \(outputs up to \S+; allowed \S+\)\.$/);
  await expect(result).toHaveAttribute('data-ok', 'true');
  expect(ortRequests.some((u) => /\.wasm$/.test(u))).toBe(true);
  expect(errors).toEqual([]);

  // Outside the browser: a valid ONNX model with the graph in its metadata...
  const bytes = new Uint8Array(readFileSync(onnxPath));
  const m = onnxProto.onnx.ModelProto.decode(bytes);
  expect(Number(m.irVersion)).toBeLessThanOrEqual(8);
  expect(m.graph?.input?.map((i) => i.name)).toEqual(['input']);
  expect(m.graph?.output?.map((o) => o.name)).toEqual(['output']);
  expect(m.graph?.node?.map((n) => n.name)).toEqual(expect.arrayContaining(['c1', 'f6']));
  expect(JSON.parse(m.metadataProps.find((p) => p.key === 'layerlab.graph')?.value ?? '{}').name).toBe('LeNet-5');

  // ...that onnxruntime-web in Node runs, giving what TensorFlow.js in Node gives with the zip's weights.
  const zip = unzipSync(readFileSync(zipPath));
  const modelJson = JSON.parse(Buffer.from(zip['model.json']!).toString('utf8'));
  const w = zip['weights.bin']!;
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer }),
  );
  const x = randomInputs([28, 28, 1], 5, 77);
  const want = model.predict(tf.tensor(x.nhwc, x.nhwcShape)) as tf.Tensor;
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes);
  const got = (await session.run({ input: new ort.Tensor('float32', x.nchw, x.nchwShape) })).output!;
  await session.release();
  const check = compareWithTfjs({ data: got.data as Float32Array, dims: got.dims }, { data: (await want.data()) as Float32Array, shape: want.shape });
  expect(check.ok, describeOnnxCheck(check)).toBe(true);
});
