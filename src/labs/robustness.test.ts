/**
 * Accuracy under a transform and sweeps, against an independent computation: a hand-made linear
 * classifier evaluated in plain JavaScript on images transformed one by one, and tfjs's own
 * predict on a whole (manually transformed) test set for a small convolutional network.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainData } from '../training/trainer';
import { evaluateUnderTransform, probabilityUnderTransform, sweep } from './robustness';
import { IDENTITY_TRANSFORM, singleTransform, transformImage, type ProbeTransform } from './transforms';

const H = 8;
const W = 8;
const SIZE = H * W;
const CLASSES = 3;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/**
 * 3 classes of 8×8 images: a bright bar on the left, at the top, or a dot in the middle, with
 * noise, stored as bytes (as MNIST is). Rotations and shifts move them between classes.
 */
function makeData(count: number, seed = 1): TrainData {
  const r = rng(seed);
  const images = new Uint8Array(count * SIZE);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = Math.floor(r() * CLASSES);
    labels[i] = label;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const on = label === 0 ? x === 1 || x === 2 : label === 1 ? y === 1 || y === 2 : Math.abs(x - 3.5) < 1.5 && Math.abs(y - 3.5) < 1.5;
        images[i * SIZE + y * W + x] = Math.round(255 * Math.min(1, (on ? 0.8 : 0) + 0.2 * r()));
      }
  }
  return { classes: ['left', 'top', 'middle'], shape: [H, W, 1], train: { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 }, test: { images, labels, count } };
}

/** The matched-filter weights: each class's template, centred. */
function templateWeights(): { w: Float32Array; b: Float32Array } {
  const w = new Float32Array(SIZE * CLASSES);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const t = [x === 1 || x === 2 ? 1 : -0.25, y === 1 || y === 2 ? 1 : -0.25, Math.abs(x - 3.5) < 1.5 && Math.abs(y - 3.5) < 1.5 ? 1 : -0.25];
      for (let k = 0; k < CLASSES; k++) w[(y * W + x) * CLASSES + k] = t[k]!;
    }
  return { w, b: new Float32Array([0.1, -0.1, 0.05]) };
}

/** The same linear classifier in tfjs: flatten, dense with softmax. */
function linearModel(): tf.Sequential {
  const { w, b } = templateWeights();
  const m = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [H, W, 1] }), tf.layers.dense({ units: CLASSES, activation: 'softmax' })] });
  m.layers[1]!.setWeights([tf.tensor2d(w, [SIZE, CLASSES]), tf.tensor1d(b)]);
  return m;
}

/** Plain-JS softmax probabilities of the linear classifier for one image. */
function jsProbabilities(img: Float32Array): number[] {
  const { w, b } = templateWeights();
  const z = Array.from({ length: CLASSES }, (_, k) => {
    let s = b[k]!;
    for (let i = 0; i < SIZE; i++) s += img[i]! * w[i * CLASSES + k]!;
    return s;
  });
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, c) => a + c, 0);
  return e.map((v) => v / sum);
}

/** Independent accuracy: every image transformed on its own and classified in plain JS. */
function jsAccuracy(data: TrainData, t: ProbeTransform, limit: number): number {
  let correct = 0;
  const n = Math.min(limit, data.test.count);
  for (let i = 0; i < n; i++) {
    const img = Float32Array.from(data.test.images.subarray(i * SIZE, (i + 1) * SIZE), (v) => v / 255);
    const p = jsProbabilities(transformImage(img, [H, W, 1], t));
    if (p.indexOf(Math.max(...p)) === data.test.labels[i]) correct++;
  }
  return correct / n;
}

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

describe('evaluateUnderTransform', () => {
  const data = makeData(300);

  it('matches an independent plain-JS classification of each transformed image, for every transform, in batches', async () => {
    const model = linearModel();
    const transforms: ProbeTransform[] = [
      IDENTITY_TRANSFORM,
      singleTransform('rotate', 90),
      singleTransform('rotate', 30),
      singleTransform('shift-x', 2),
      singleTransform('shift-y', -3),
      singleTransform('scale', 1.5),
      singleTransform('brightness', 0.3),
      { ...IDENTITY_TRANSFORM, rotate: 15, shiftX: 1 },
    ];
    const seen = new Set<number>();
    for (const t of transforms) {
      const expected = jsAccuracy(data, t, 250);
      // A batch size that does not divide the count: the last batch is partial.
      const got = await evaluateUnderTransform(tf, model, data, t, { limit: 250, batchSize: 64 });
      expect(got, JSON.stringify(t)).toBeCloseTo(expected, 10);
      seen.add(Math.round(got * 1000));
    }
    // The transforms do change what the classifier sees (else the test could not fail).
    expect(seen.size).toBeGreaterThan(3);
    expect(await evaluateUnderTransform(tf, model, data, IDENTITY_TRANSFORM)).toBeGreaterThan(0.95);
    expect(await evaluateUnderTransform(tf, model, data, singleTransform('rotate', 90))).toBeLessThan(0.7);
    model.dispose();
  });

  it('at the identity equals plain evaluation (tfjs predict on the whole test set); the limit takes the first N', async () => {
    // A small conv net with random weights, images stored as floats this time.
    const testFloats = Float32Array.from(data.test.images, (v) => v / 255);
    const floats: TrainData = { ...data, test: { ...data.test, images: testFloats } };
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [H, W, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
      ],
    });
    const plain = (n: number, images: Float32Array) =>
      tf.tidy(() => {
        const pred = (model.predict(tf.tensor4d(images.subarray(0, n * SIZE), [n, H, W, 1])) as tf.Tensor).argMax(1).dataSync();
        return Array.from(pred).reduce((c, p, i) => c + (p === data.test.labels[i] ? 1 : 0), 0) / n;
      });
    for (const n of [1, 37, 300]) expect(await evaluateUnderTransform(tf, model, floats, IDENTITY_TRANSFORM, { limit: n, batchSize: 50 })).toBeCloseTo(plain(n, testFloats), 10);
    // Beyond the test set: all of it.
    expect(await evaluateUnderTransform(tf, model, floats, IDENTITY_TRANSFORM, { limit: 10_000 })).toBeCloseTo(plain(300, testFloats), 10);
    // And under a rotation: tfjs predict on images transformed one by one.
    const t = singleTransform('rotate', 45);
    const rotated = new Float32Array(100 * SIZE);
    for (let i = 0; i < 100; i++) rotated.set(transformImage(testFloats.subarray(i * SIZE, (i + 1) * SIZE), [H, W, 1], t), i * SIZE);
    expect(await evaluateUnderTransform(tf, model, floats, t, { limit: 100, batchSize: 30 })).toBeCloseTo(plain(100, rotated), 10);
    model.dispose();
  });

  it('keeps tensor memory flat', async () => {
    const model = linearModel();
    await evaluateUnderTransform(tf, model, data, IDENTITY_TRANSFORM, { limit: 10 });
    const before = tf.memory().numTensors;
    await evaluateUnderTransform(tf, model, data, singleTransform('rotate', 10), { limit: 300, batchSize: 32 });
    await sweep(tf, model, data, 'scale', [0.5, 1, 2], { limit: 100, probe: { image: new Float32Array(SIZE).fill(0.5), label: 2 } });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('NaN with no images', async () => {
    const model = linearModel();
    expect(await evaluateUnderTransform(tf, model, data, IDENTITY_TRANSFORM, { limit: 0 })).toBeNaN();
    model.dispose();
  });
});

describe('sweep', () => {
  const data = makeData(120, 5);

  it('one point per value, the same as evaluating each single transform, with the probe probability from plain JS', async () => {
    const model = linearModel();
    const probeImage = Float32Array.from(data.test.images.subarray(7 * SIZE, 8 * SIZE), (v) => v / 255);
    const label = data.test.labels[7]!;
    const values = [-90, -30, 0, 30, 90];
    const progress: [number, number][] = [];
    const points = await sweep(tf, model, data, 'rotate', values, { limit: 80, probe: { image: probeImage, label }, onProgress: (d, n) => progress.push([d, n]) });
    expect(points.map((p) => p.value)).toEqual(values);
    expect(progress).toEqual(values.map((_, i) => [i + 1, values.length]));
    for (const p of points) {
      expect(p.accuracy).toBeCloseTo(jsAccuracy(data, singleTransform('rotate', p.value), 80), 10);
      expect(p.probability).toBeCloseTo(jsProbabilities(transformImage(probeImage, [H, W, 1], singleTransform('rotate', p.value)))[label]!, 5);
    }
    // Accuracy at 0 equals plain evaluation, and rotating by 90° hurts this classifier.
    expect(points[2]!.accuracy).toBeCloseTo(await evaluateUnderTransform(tf, model, data, IDENTITY_TRANSFORM, { limit: 80 }), 10);
    expect(points[4]!.accuracy).toBeLessThan(points[2]!.accuracy);
    // Without a probe there is no probability.
    const bare = await sweep(tf, model, data, 'brightness', [0, 1], { limit: 20 });
    expect(bare).toEqual([
      { value: 0, accuracy: expect.any(Number) },
      { value: 1, accuracy: expect.any(Number) },
    ]);
    // A black image: the classifier sees only its biases.
    expect(bare[0]!.accuracy).toBeCloseTo(jsAccuracy(data, singleTransform('brightness', 0), 20), 10);
    expect(await probabilityUnderTransform(tf, model, probeImage, [H, W, 1], 0, singleTransform('brightness', 0))).toBeCloseTo(jsProbabilities(new Float32Array(SIZE))[0]!, 5);
    model.dispose();
  });
});
