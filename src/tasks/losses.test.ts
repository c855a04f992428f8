/**
 * The task losses in tfjs against the formulas written out in plain loops (brute force), on
 * seeded random tensors; and their gradients exist (training can use them).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRand } from '../training/data/rng';
import { encodeDetectionTargets, gridOf } from './detection';
import { DETECTION_LOSS_WEIGHTS, detectionLoss, pixelAccuracy, segmentationLoss } from './losses';
import { maskTargets } from './segmentation';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const rand = createRand(11);
const clip = (p: number) => Math.min(1 - 1e-7, Math.max(1e-7, p));
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

function softmaxRows(logits: Float32Array, k: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let o = 0; o < logits.length; o += k) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits[o + j]!);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(logits[o + j]! - max);
    for (let j = 0; j < k; j++) out[o + j] = Math.exp(logits[o + j]! - max) / sum;
  }
  return out;
}

describe('segmentation loss', () => {
  const [n, h, w, k] = [2, 5, 4, 3];
  const masks = Uint8Array.from({ length: n * h * w }, () => Math.floor(rand() * k));
  const y = maskTargets(masks, n, h * w, k);
  const p = softmaxRows(Float32Array.from({ length: n * h * w * k }, () => rand() * 4 - 2), k);

  function bruteCE(): number {
    let s = 0;
    for (let i = 0; i < n * h * w; i++) s -= Math.log(clip(p[i * k + masks[i]!]!));
    return s / (n * h * w);
  }
  function bruteDice(): number {
    let mean = 0;
    for (let c = 0; c < k; c++) {
      let inter = 0;
      let sp = 0;
      let sy = 0;
      for (let i = 0; i < n * h * w; i++) {
        inter += p[i * k + c]! * y[i * k + c]!;
        sp += p[i * k + c]!;
        sy += y[i * k + c]!;
      }
      mean += (2 * inter + 1) / (sp + sy + 1) / k;
    }
    return 1 - mean;
  }

  it('per-pixel cross-entropy, and + soft Dice, as the formulas say', () => {
    const yt = tf.tensor4d(y, [n, h, w, k]);
    const pt = tf.tensor4d(p, [n, h, w, k]);
    expect(segmentationLoss(tf, k, false)(yt, pt).dataSync()[0]).toBeCloseTo(bruteCE(), 5);
    expect(segmentationLoss(tf, k, true)(yt, pt).dataSync()[0]).toBeCloseTo(bruteCE() + bruteDice(), 5);
    // Pixel accuracy: the share of pixels whose largest probability is the true class.
    let right = 0;
    for (let i = 0; i < n * h * w; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (p[i * k + c]! > p[i * k + best]!) best = c;
      if (best === masks[i]) right++;
    }
    expect(pixelAccuracy(tf, k)(yt, pt).dataSync()[0]).toBeCloseTo(right / (n * h * w), 6);
    tf.dispose([yt, pt]);
  });

  it('one sigmoid channel: binary cross-entropy', () => {
    const bin = Uint8Array.from(masks, (m) => (m > 0 ? 1 : 0));
    const q = Float32Array.from(bin, () => rand());
    let s = 0;
    for (let i = 0; i < bin.length; i++) s -= bin[i] ? Math.log(clip(q[i]!)) : Math.log(1 - clip(q[i]!));
    const yt = tf.tensor4d(maskTargets(bin, n, h * w, 1), [n, h, w, 1]);
    const pt = tf.tensor4d(q, [n, h, w, 1]);
    expect(segmentationLoss(tf, 1, false)(yt, pt).dataSync()[0]).toBeCloseTo(s / bin.length, 5);
    tf.dispose([yt, pt]);
  });
});

describe('detection loss', () => {
  it('objectness BCE (weighted 1 / 0.5), 5 × squared box error and class cross-entropy in object cells, per image', () => {
    const grid = gridOf([4, 4, 8]);
    const boxes = [
      [
        { cls: 0, x: 2, y: 3, w: 10, h: 6 },
        { cls: 2, x: 18, y: 20, w: 9, h: 9 },
      ],
      [],
      [{ cls: 1, x: 0, y: 0, w: 31, h: 31 }],
    ];
    const n = boxes.length;
    const { targets } = encodeDetectionTargets(boxes, grid, 32, 32);
    const out = Float32Array.from(targets, () => rand() * 6 - 3);
    const wts = DETECTION_LOSS_WEIGHTS;
    let sum = 0;
    for (let o = 0; o < out.length; o += 8) {
      const t = targets[o]!;
      const s = sigmoid(out[o]!);
      sum += -(t * Math.log(s) + (1 - t) * Math.log(1 - s)) * (t ? wts.object : wts.noObject);
      if (!t) continue;
      for (let j = 1; j < 5; j++) sum += wts.box * (sigmoid(out[o + j]!) - targets[o + j]!) ** 2;
      const probs = softmaxRows(out.subarray(o + 5, o + 8), 3);
      for (let c = 0; c < 3; c++) if (targets[o + 5 + c]) sum -= wts.class * Math.log(probs[c]!);
    }
    const yt = tf.tensor4d(targets, [n, 4, 4, 8]);
    const pt = tf.tensor4d(out, [n, 4, 4, 8]);
    expect(detectionLoss(tf, 3)(yt, pt).dataSync()[0]).toBeCloseTo(sum / n, 4);
    // A gradient flows to every output (training can use the loss).
    const g = tf.grad((x: tf.Tensor) => detectionLoss(tf, 3)(yt, x))(pt);
    expect(g.shape).toEqual([n, 4, 4, 8]);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([yt, pt, g]);
  });
});
