import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPreset } from '../../fixtures/presets';
import type { GraphDoc } from '../graph/types';
import { initBackend } from './backend';
import { makeShapes } from './data/shapes';
import { syntheticTaskData } from './data/synthetic';
import type { FeatureMap } from './feature-maps';
import { OPTIMIZERS } from '../graph/training-settings';
import { compileForData, divergedMessage, EXPLODED_LOSS, hasDiverged, makeOptimizer, trainModel, type TrainData, type TrainSettings } from './trainer';

const preset = loadPreset;

/** LeNet-5 with a 4-class output, for the 4 synthetic shapes. */
function lenetFor(data: TrainData): GraphDoc {
  const doc = preset('lenet5');
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === 'output' ? { ...n, params: { ...n.params, units: data.classes.length } } : n)) };
}

const settings: TrainSettings = { optimizer: 'adam', learningRate: 0.003, batchSize: 32, epochs: 3, validationSplit: 0.1, seed: 7 };

let data: TrainData;
beforeAll(async () => {
  expect((await initBackend(['wasm'])).name).toBe('wasm');
  data = makeShapes({ count: 2000, testCount: 200, size: 28, seed: 3 });
});

describe('trainModel', () => {
  it('learns the shapes, keeps tensor memory flat across epochs, and reports progress', async () => {
    const compiled = compileForData(lenetFor(data), data);
    const batches: number[] = [];
    const outcome = await trainModel(tf, compiled, data, settings, { onBatch: (p) => batches.push(p.done), progressInterval: 0 });
    expect(outcome.status).toBe('done');
    expect(outcome.epochs).toHaveLength(3);
    // Flat memory: the same number of tensors after every epoch (weights + optimizer state only).
    const counts = outcome.epochs.map((e) => e.numTensors);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(counts[2]).toBe(counts[1]);
    // Really learned: well above the 25% of guessing among 4 shapes.
    expect(outcome.test!.accuracy).toBeGreaterThan(0.7);
    expect(outcome.epochs[2]!.loss).toBeLessThan(outcome.epochs[0]!.loss);
    // The confusion matrix counts every test image once.
    expect(outcome.test!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(200);
    expect(batches.at(-1)).toBe(1);
    expect(outcome.trainImages).toBe(3 * 1800);
    compiled.model.dispose();
  });

  it('trains the same way twice with the same seed (seeded weights, order and split)', async () => {
    const run = async (seed: number) => {
      const compiled = compileForData(lenetFor(data), data);
      const losses: number[] = [];
      await trainModel(tf, compiled, data, { ...settings, epochs: 1, seed }, { progressInterval: 0, onBatch: (p) => losses.push(p.loss) });
      compiled.model.dispose();
      return losses;
    };
    const a = await run(11);
    expect(await run(11)).toEqual(a);
    expect(await run(12)).not.toEqual(a);
  });

  it('stops with an explanation when the loss becomes NaN (learning rate 1e6)', async () => {
    const compiled = compileForData(lenetFor(data), data);
    const outcome = await trainModel(tf, compiled, data, { ...settings, learningRate: 1e6, epochs: 2 });
    expect(outcome.status).toBe('diverged');
    expect(outcome.message).toMatch(/loss (became NaN|became infinite|exploded)/);
    expect(outcome.message).toMatch(/learning rate \(1000000\) is probably too high/);
    expect(outcome.test).toBeUndefined();
    compiled.model.dispose();
  });

  it('stops when asked, and waits while paused', async () => {
    const compiled = compileForData(lenetFor(data), data);
    let batches = 0;
    let paused = true;
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    setTimeout(() => {
      paused = false;
      release();
    }, 300);
    const start = Date.now();
    const outcome = await trainModel(tf, compiled, data, settings, {
      progressInterval: 0,
      onBatch: () => batches++,
      waitWhilePaused: () => (paused ? released : Promise.resolve()),
      shouldStop: () => batches >= 3,
    });
    expect(Date.now() - start).toBeGreaterThanOrEqual(250); // it waited for the pause to end
    expect(outcome.status).toBe('stopped');
    expect(outcome.message).toMatch(/Stopped by you at epoch 1, batch 4/);
    expect(batches).toBe(3);
    compiled.model.dispose();
  });

  it('sends every node’s feature maps, normalised per node', async () => {
    const compiled = compileForData(lenetFor(data), data);
    const refreshes: FeatureMap[][] = [];
    await trainModel(tf, compiled, data, { ...settings, epochs: 1 }, { onFeatureMaps: (m) => refreshes.push(m), featureMapInterval: 0 });
    expect(refreshes.length).toBeGreaterThan(1);
    const first = refreshes[0]!;
    expect(first.map((m) => m.nodeId)).toEqual(compiled.probeIds);
    const c1 = first.find((m) => m.nodeId === 'c1')!;
    expect(c1.kind).toBe('grid');
    if (c1.kind !== 'grid') return;
    expect(c1.channels).toBe(6);
    // One scale for the whole node: its darkest pixel is 0 and its brightest 255.
    expect(Math.min(...c1.pixels)).toBe(0);
    expect(Math.max(...c1.pixels)).toBe(255);
    const out = first.find((m) => m.nodeId === 'output')!;
    expect(out.kind).toBe('probs');
    if (out.kind === 'probs') expect(out.values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    // The maps change as the model learns.
    const last = refreshes.at(-1)!.find((m) => m.nodeId === 'f5')!;
    const before = first.find((m) => m.nodeId === 'f5')!;
    expect(last.kind === 'bars' && before.kind === 'bars' && Array.from(last.values).join() !== Array.from(before.values).join()).toBe(true);
    compiled.model.dispose();
  });

  it('refuses a graph that does not fit the data, saying what to change', () => {
    expect(() => compileForData(preset('lenet5'), data)).toThrow(/output gives 10 values but the dataset has 4 classes: end with a Dense layer of 4 units/);
    const wide = { ...data, shape: [32, 32, 3] as [number, number, number] };
    expect(() => compileForData(lenetFor(data), wide)).toThrow(/Input node is 28×28×1 but the dataset's images are 32×32×3/);
  });
});

describe('makeOptimizer (from the optimizer table)', () => {
  it('sets every optimizer up as TensorFlow.js does, with the learning rate', () => {
    const expected: Record<(typeof OPTIMIZERS)[number], [string, Record<string, unknown>]> = {
      sgd: ['SGD', { learningRate: 0.05 }],
      momentum: ['Momentum', { learningRate: 0.05, momentum: 0.9, useNesterov: false }],
      adam: ['Adam', { learningRate: 0.05, beta1: 0.9, beta2: 0.999 }],
      rmsprop: ['RMSProp', { learningRate: 0.05, decay: 0.9, momentum: 0 }],
    };
    for (const o of OPTIMIZERS) {
      const opt = makeOptimizer(tf, { optimizer: o, learningRate: 0.05 });
      expect(opt.getClassName()).toBe(expected[o][0]);
      expect(opt.getConfig()).toMatchObject(expected[o][1]);
      opt.dispose();
    }
    expect(() => makeOptimizer(tf, { optimizer: 'adagrad' as never, learningRate: 0.05 })).toThrow(/Unknown optimizer "adagrad"/);
  });

  it("calls a loss at the clipped cross-entropy's ceiling diverged for classification only (a detection loss sums over the grid's cells)", () => {
    expect(hasDiverged(EXPLODED_LOSS)).toBe(true);
    expect(hasDiverged(EXPLODED_LOSS - 0.1)).toBe(false);
    expect(hasDiverged(40, 'detection')).toBe(false);
    expect(hasDiverged(40, 'segmentation')).toBe(false);
    for (const task of ['classification', 'segmentation', 'detection'] as const) {
      expect(hasDiverged(NaN, task)).toBe(true);
      expect(hasDiverged(Infinity, task)).toBe(true);
    }
  });

  it("suggests the optimizer's usual learning rate when training blows up", () => {
    expect(divergedMessage(NaN, 1, 2, { ...settings, optimizer: 'sgd', learningRate: 10 })).toMatch(/e\.g\. 0\.01\.$/);
    expect(divergedMessage(NaN, 1, 2, { ...settings, optimizer: 'adam', learningRate: 10 })).toMatch(/e\.g\. 0\.001\.$/);
  });
});

describe('compileForData and the task', () => {
  it("refuses a graph whose task is not the dataset's, and an output that does not fit the task, in words, before training", async () => {
    const before = tf.memory().numTensors;
    for (const task of ['segmentation', 'detection'] as const) {
      const doc = { ...lenetFor(data), training: { task } };
      expect(() => compileForData(doc, data)).toThrow(`This graph's task is ${task} but the dataset has one class per image (classification)`);
    }
    expect(tf.memory().numTensors).toBe(before);
    // A classifier (the task written down or not) still compiles.
    const c = compileForData({ ...lenetFor(data), training: { task: 'classification' } }, data);
    expect(c.model.outputs[0]!.shape).toEqual([null, 4]);
    c.model.dispose();
    // U-Net mini on the 5 classes of shapes with masks fits; on a 3-class mask set it does not, and says what would.
    const masks = await syntheticTaskData('shapes-masks', { count: 12 });
    const unet = preset('unet-mini');
    compileForData(unet, masks).model.dispose();
    expect(() => compileForData(unet, { ...masks, classes: ['background', 'a', 'b'] })).toThrow(
      'The output is 32×32×5 but a mask of this dataset is 32×32 with 3 classes (background, a, b): end with a 1×1 Conv 2D of 3 filters and softmax',
    );
    const boxes = await syntheticTaskData('shapes-boxes', { count: 12 });
    const det = preset('detector-mini');
    compileForData(det, boxes).model.dispose();
    expect(() => compileForData(det, { ...boxes, classes: ['a', 'b'] })).toThrow('needs 7 channels per cell');
    expect(() => compileForData(det, masks)).toThrow("This graph's task is detection but the dataset has a mask per image (segmentation)");
    expect(tf.memory().numTensors).toBe(before);
  });
});
