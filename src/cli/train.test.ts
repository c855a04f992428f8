import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BAD_GRAPHS } from '../../fixtures/bad-graphs';
import { loadMnist } from '../training/data/mnist';
import { nodeMnistReader } from '../training/data/node-readers';
import { loadSavedModel } from './testing';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'layerlab.js');
const tmp = mkdtempSync(join(tmpdir(), 'layerlab-train-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the real `layerlab` executable. */
function layerlab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], { cwd: tmp });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const loadSaved = loadSavedModel;

describe('layerlab train', () => {
  it('trains the LeNet-5 preset to at least 98.5% test accuracy in 3 epochs on WASM, and saves a model tfjs loads', async () => {
    const out = join(tmp, 'lenet');
    const r = await layerlab('train', join(root, 'presets', 'lenet5.json'), '--backend', 'wasm', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(Object.keys(last)).toEqual(['backend', 'epochs', 'trainImages', 'imagesPerSecond', 'testAccuracy', 'testLoss']);
    expect(last.backend).toBe('wasm');
    expect(last.epochs).toBe(3);
    expect(last.trainImages).toBe(3 * 57_000); // 5% of the 60,000 held out for validation
    expect(last.testAccuracy).toBeGreaterThanOrEqual(0.985);
    expect(last.testLoss).toBeLessThan(0.1);
    expect(r.stderr).toMatch(/epoch 3: loss .* validation/);

    // The saved files are a real tfjs model: re-measure its accuracy independently.
    const model = await loadSaved(out);
    const mnist = await loadMnist(nodeMnistReader(), { limit: { train: 1, test: 2000 } });
    const x = tf.tensor4d(mnist.test.images, [mnist.test.count, 28, 28, 1]);
    const pred = (model.predict(x) as tf.Tensor).argMax(1).dataSync();
    let correct = 0;
    pred.forEach((p, i) => (correct += p === mnist.test.labels[i] ? 1 : 0));
    expect(correct / mnist.test.count).toBeGreaterThan(0.98);
    expect(readFileSync(join(out, 'graph.json'), 'utf8')).toBe(readFileSync(join(root, 'presets', 'lenet5.json'), 'utf8'));
    x.dispose();
    model.dispose();
  }, 900_000);

  it('a quick run on CPU with --limit and --epochs', async () => {
    const r = await layerlab('train', join(root, 'presets', 'mlp.json'), '--backend', 'cpu', '--epochs', '1', '--limit', '600', '--json', '--out', join(tmp, 'mlp'));
    expect(r.code, r.stderr).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ backend: 'cpu', epochs: 1, trainImages: 540 });
    expect(last.testAccuracy).toBeGreaterThan(0.3);
  }, 300_000);

  it('explains what it cannot do, with exit statuses 1 and 2', async () => {
    const broken = join(tmp, 'cycle.json');
    writeFileSync(broken, BAD_GRAPHS.find((b) => b.name === 'a cycle')!.text());
    const cycle = await layerlab('train', broken);
    expect(cycle.code).toBe(1);
    expect(cycle.stderr).toMatch(/fix it first:\n.*form a cycle/);

    // A segmentation graph cannot train yet: refused in words, before any data is loaded.
    const seg = join(tmp, 'segmentation.json');
    writeFileSync(seg, readFileSync(join(root, 'presets', 'lenet5.json'), 'utf8').replace('"dataset": "mnist"', '"task": "segmentation", "dataset": "mnist"'));
    const segmentation = await layerlab('train', seg);
    expect(segmentation.code).toBe(1);
    expect(segmentation.stderr).toMatch(/^layerlab: Training for segmentation is not available yet in this version/m);
    expect(segmentation.stderr).not.toMatch(/training LeNet-5 on mnist/);

    const custom = join(tmp, 'custom.json');
    writeFileSync(custom, readFileSync(join(root, 'presets', 'lenet5.json'), 'utf8').replace('"dataset": "mnist"', '"dataset": "custom"'));
    const own = await layerlab('train', custom);
    expect(own.code).toBe(2);
    expect(own.stderr).toMatch(/your own images .* only the browser app can open/);

    expect((await layerlab('train', join(root, 'presets', 'lenet5.json'), '--backend', 'webgl')).stderr).toMatch(/--backend must be wasm or cpu/);
    expect((await layerlab('train', join(root, 'presets', 'lenet5.json'), '--epochs', 'many')).code).toBe(2);
  }, 120_000);
});
