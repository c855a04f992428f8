/**
 * The probe's mask and boxes (task-probe.ts) against the model's own output, read here
 * independently: the mask is the arg-max class of every pixel and its confidence that class's
 * probability, the truth is the dataset's for that very image, and the boxes the slider shows at
 * any threshold are the boxes decoding at that threshold gives.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPreset } from '../../fixtures/presets';
import { decodeDetections, gridOf } from '../tasks/detection';
import { initBackend } from './backend';
import { syntheticTaskData } from './data/synthetic';
import { imageOf } from './data/gather';
import { TASK_PROBE_MIN_SCORE, taskPrediction } from './task-probe';
import { compileForData } from './trainer';

beforeAll(async () => {
  expect((await initBackend(['wasm'])).name).toBe('wasm');
});

async function rawOutput(model: tf.LayersModel, image: Float32Array, shape: [number, number, number]) {
  const x = tf.tensor4d(image, [1, ...shape]);
  const y = model.predict(x) as tf.Tensor;
  const out = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return out;
}

describe('the probe of a segmentation network', () => {
  it("gives every pixel's arg-max class and its probability, and the dataset's mask of that image", async () => {
    const data = await syntheticTaskData('shapes-masks', { count: 12, testCount: 6, seed: 3 });
    const compiled = compileForData(loadPreset('unet-mini'), data);
    const [h, w, c] = data.shape;
    const image = imageOf(data.test, 4, h * w * c);
    const before = tf.memory().numTensors;
    const p = await taskPrediction(tf, compiled, data, image, { split: 'test', index: 4 });
    expect(tf.memory().numTensors).toBe(before);
    if (p?.task !== 'segmentation') throw new Error('expected a segmentation prediction');
    expect([p.width, p.height, p.channels]).toEqual([w, h, c]);
    expect(p.classes).toEqual(data.classes);
    expect(Array.from(p.image)).toEqual(Array.from(image));

    const out = await rawOutput(compiled.model, image, data.shape);
    const k = data.classes.length;
    for (let i = 0; i < h * w; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (out[i * k + j]! > out[i * k + best]!) best = j;
      expect(p.mask[i]).toBe(best);
      expect(p.confidence[i]).toBeCloseTo(out[i * k + best]!, 6);
    }
    expect(Array.from(p.truth!)).toEqual(Array.from(data.test.masks!.subarray(4 * h * w, 5 * h * w)));
    expect(p.truth!.some((v) => v > 0)).toBe(true);
    // The training split too, and no truth for an image of the user's.
    const train = await taskPrediction(tf, compiled, data, imageOf(data.train, 7, h * w * c), { split: 'train', index: 7 });
    expect(Array.from((train as { truth: Uint8Array }).truth)).toEqual(Array.from(data.train.masks!.subarray(7 * h * w, 8 * h * w)));
    expect((await taskPrediction(tf, compiled, data, image, null))?.truth).toBeNull();
    compiled.model.dispose();
  });

  it('has nothing to say for a classifier (the probe shows class bars then)', async () => {
    const data = await syntheticTaskData('shapes-masks', { count: 6, testCount: 2, seed: 3 });
    const compiled = compileForData(loadPreset('unet-mini'), data);
    expect(await taskPrediction(tf, compiled, { ...data, task: 'classification' }, imageOf(data.test, 0, 32 * 32), null)).toBeNull();
    compiled.model.dispose();
  });
});

describe('the probe of a detector', () => {
  it('gives the boxes down to the lowest score, so that any threshold shows what decoding at it gives; and the true boxes', async () => {
    const data = await syntheticTaskData('shapes-boxes', { count: 12, testCount: 6, seed: 3 });
    const compiled = compileForData(loadPreset('detector-mini'), data);
    const [h, w, c] = data.shape;
    const image = imageOf(data.test, 2, h * w * c);
    const p = await taskPrediction(tf, compiled, data, image, { split: 'test', index: 2 });
    if (p?.task !== 'detection') throw new Error('expected a detection prediction');
    expect(p.classes).toEqual(data.classes);
    expect(p.truth).toEqual(data.test.boxes![2]);
    expect(p.truth!.length).toBeGreaterThan(0);
    // An untrained detector scores many cells around 0.1: there are boxes to filter.
    expect(p.detections.length).toBeGreaterThan(0);
    for (let i = 0; i < p.detections.length; i++) {
      expect(p.detections[i]!.score).toBeGreaterThanOrEqual(TASK_PROBE_MIN_SCORE);
      if (i) expect(p.detections[i]!.score).toBeLessThanOrEqual(p.detections[i - 1]!.score);
    }
    const out = await rawOutput(compiled.model, image, data.shape);
    const grid = gridOf([8, 8, 5 + data.classes.length]);
    const scores = p.detections.map((d) => d.score);
    const cuts = [TASK_PROBE_MIN_SCORE, 0.08, 0.1, 0.12, 0.15, 0.25, ...scores.slice(0, 5)];
    for (const t of cuts) expect(p.detections.filter((d) => d.score >= t)).toEqual(decodeDetections(out, grid, w, h, { scoreThreshold: t, iou: 0.5 }));
    expect((await taskPrediction(tf, compiled, data, image, null))?.truth).toBeNull();
    compiled.model.dispose();
  });
});
