/**
 * `layerlab explain`, run in-process on a small LeNet-5 trained here by `layerlab train --limit`:
 * the JSON's shape and values, its prediction and saliency against the saved files evaluated by
 * tfjs itself (tf.loadLayersModel, logits and tf.grad written out here), the readable shade map,
 * and exit status 2 with a message for bad arguments.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../training/data/mnist';
import { nodeMnistReader } from '../training/data/node-readers';
import { runCli, loadSavedModel } from './testing';

const root = join(__dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'layerlab-explain-'));
const modelDir = join(tmp, 'lenet');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = runCli;

const loadSaved = loadSavedModel;

beforeAll(async () => {
  // LeNet-5 on 1,200 MNIST images for one epoch: enough to have opinions, in seconds.
  const r = await run('train', join(root, 'presets', 'lenet5.json'), '--backend', 'wasm', '--epochs', '1', '--limit', '1200', '--out', modelDir);
  expect(r.code, r.err).toBe(0);
}, 300_000);

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1)!);

describe('layerlab explain', () => {
  it('gives Grad-CAM on the last conv by default, as the documented JSON: 28 rows of 28 values in [0, 1]', async () => {
    const r = await run('explain', modelDir, '--image', '3', '--json');
    expect(r.code, r.err).toBe(0);
    const j = lastJson(r.out);
    expect(Object.keys(j)).toEqual(['method', 'layer', 'predicted', 'class', 'heatmap']);
    expect(j.method).toBe('gradcam');
    expect(j.layer).toBe('c3'); // LeNet-5's last Conv 2D
    expect(j.class).toBe(j.predicted);
    expect(j.heatmap.length).toBe(28);
    for (const row of j.heatmap) {
      expect(row.length).toBe(28);
      for (const v of row) expect(v >= 0 && v <= 1).toBe(true);
    }
    const flat = j.heatmap.flat() as number[];
    expect(Math.max(...flat)).toBe(1);

    // The prediction is the saved model's, evaluated by tfjs itself on MNIST test image 3.
    await tf.setBackend('cpu');
    const model = await loadSaved(modelDir);
    const mnist = await loadMnist(nodeMnistReader(), { limit: { train: 1, test: 10 } });
    const x = tf.tensor4d(mnist.test.images.slice(3 * 784, 4 * 784), [1, 28, 28, 1]);
    const probs = (model.predict(x) as tf.Tensor).dataSync();
    expect(j.predicted).toBe(Array.from(probs).indexOf(Math.max(...probs)));

    // Another node and another class.
    const other = lastJson((await run('explain', modelDir, '--image', '3', '--layer', 'c1', '--class', String((j.predicted + 1) % 10), '--json')).out);
    expect(other.layer).toBe('c1');
    expect(other.class).toBe((j.predicted + 1) % 10);
    expect(other.predicted).toBe(j.predicted);
    model.dispose();
  });

  it('saliency matches |∂logit/∂input| of the saved model computed with tf.grad, divided by its maximum', async () => {
    const r = await run('explain', modelDir, '--image', '5', '--method', 'saliency', '--class', '4', '--json');
    expect(r.code, r.err).toBe(0);
    const j = lastJson(r.out);
    expect(j.method).toBe('saliency');
    expect(j.layer).toBeNull();
    expect(j.class).toBe(4);

    await tf.setBackend('cpu');
    const model = await loadSaved(modelDir);
    const mnist = await loadMnist(nodeMnistReader(), { limit: { train: 1, test: 10 } });
    // The logits: the tensor entering the output Dense, times its kernel, plus its bias.
    const body = tf.model({ inputs: model.inputs, outputs: model.getLayer('f6').output as tf.SymbolicTensor });
    const [k, b] = model.getLayer('output').getWeights();
    const x = tf.tensor4d(mnist.test.images.slice(5 * 784, 6 * 784), [1, 28, 28, 1]);
    const g = tf.grad((xx: tf.Tensor) => (body.apply(xx) as tf.Tensor).matMul(k!).add(b!).reshape([-1]).mul(tf.oneHot(4, 10).toFloat()).sum())(x);
    const abs = Array.from(g.abs().dataSync());
    const max = Math.max(...abs);
    const flat = j.heatmap.flat() as number[];
    abs.forEach((v, i) => expect(Math.abs(flat[i]! - v / max)).toBeLessThan(1e-3));
    model.dispose();
  });

  it('prints the image and the heatmap as shades, with the classes, without --json', async () => {
    const r = await run('explain', modelDir, '--image', '0');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Grad-CAM on c3 for class \d \(\d\); predicted \d \(\d\), true class 7 \(7\)$/);
    expect(lines[1]).toMatch(/^image\s+heatmap/);
    expect(lines.length).toBe(2 + 28);
    // The digit's strokes show in the image column (dark shades where the ink is).
    expect(lines.slice(2).some((l) => /[#%@]/.test(l.slice(0, 56)))).toBe(true);
    expect(r.out).not.toMatch(/"heatmap"/);
    expect(r.err).toMatch(/mnist test image 0/);
  });

  it.each([
    [['explain', modelDir], /--image N is required/],
    [['explain', modelDir, '--image', 'two'], /--image must be the number/],
    [['explain', modelDir, '--image', '-1'], /--image must be the number|--image/],
    [['explain', modelDir, '--image', '0', '--method', 'lime'], /--method must be saliency or gradcam/],
    [['explain', modelDir, '--image', '0', '--method', 'saliency', '--layer', 'c1'], /--layer chooses the node for Grad-CAM/],
    [['explain', modelDir, '--image', '0', '--class', 'x'], /--class must be a class number/],
    [['explain', modelDir, '--image', '0', '--class', '10'], /--class 10 does not exist: the classes are 0 to 9/],
    [['explain', modelDir, '--image', '0', '--layer', 'flatten'], /needs a node with a feature map.*flatten gives 400/],
    [['explain', modelDir, '--image', '0', '--layer', 'nope'], /no node "nope"/],
    [['explain', modelDir, '--image', '0', '--dataset', 'cifar'], /--dataset must be one of/],
    [['explain', join(tmp, 'missing'), '--image', '0'], /layerlab: /],
    [['explain', '--image', '0'], /takes one MODEL_DIR/],
  ])('exits 2 with a message for bad arguments: %j', async (args, message) => {
    const r = await run(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});
