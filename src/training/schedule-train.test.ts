/**
 * The trainer's learning-rate schedule, decoupled weight decay and early stopping, for real:
 * the rate each epoch trains with (and that the optimizer uses) and early stopping that ends with
 * the best epoch's weights (src/export/optimizers.test.ts checks the weight decay against torch.optim.AdamW).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPTIMIZERS } from '../graph/training-settings';
import type { GraphDoc } from '../graph/types';
import { initBackend } from './backend';
import { mulberry32 } from './data/rng';
import { scheduledLearningRate } from './schedule';
import { compileForData, decoupledWeightDecay, makeOptimizer, setLearningRate, trainModel, type TrainData, type TrainSettings } from './trainer';

beforeAll(async () => {
  expect((await initBackend(['wasm'])).name).toBe('wasm');
});

/** A small MLP on 8×8 images with `k` classes. */
function mlp(k: number): GraphDoc {
  return {
    format: 'layerlab-graph',
    version: 2,
    name: 'tiny',
    nodes: [
      { id: 'image', type: 'input', params: { shape: [8, 8, 1] }, position: [0, 0] },
      { id: 'flatten', type: 'flatten', params: {}, position: [1, 0] },
      { id: 'hidden', type: 'dense', params: { units: 64, activation: 'relu' }, position: [2, 0] },
      { id: 'output', type: 'dense', params: { units: k, activation: 'softmax' }, position: [3, 0] },
    ],
    edges: [
      { from: ['image', 'out'], to: ['flatten', 'in'] },
      { from: ['flatten', 'out'], to: ['hidden', 'in'] },
      { from: ['hidden', 'out'], to: ['output', 'in'] },
    ],
  } as GraphDoc;
}

/** Random 8×8 images; labels follow the mean brightness of the left half (learnable) or are random noise. */
function data(n: number, seed: number, randomLabels: boolean): TrainData {
  const rng = mulberry32(seed);
  const split = (count: number) => {
    const images = new Float32Array(count * 64);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      let left = 0;
      for (let p = 0; p < 64; p++) {
        const v = rng();
        images[i * 64 + p] = v;
        if (p % 8 < 4) left += v;
      }
      labels[i] = randomLabels ? Math.floor(rng() * 4) : Math.max(0, Math.min(3, Math.floor(((left / 32 - 0.42) / 0.16) * 4)));
    }
    return { images, labels, count };
  };
  return { classes: ['a', 'b', 'c', 'd'], shape: [8, 8, 1], train: split(n), test: split(50) };
}

describe('the learning-rate schedule in the trainer', () => {
  it('trains each epoch with the scheduled rate and reports it', async () => {
    const d = data(256, 1, false);
    for (const s of [
      { lrSchedule: 'step', lrFactor: 0.5, lrStepEpochs: 2 },
      { lrSchedule: 'cosine', minLearningRate: 0.001 },
    ] as const) {
      const settings: TrainSettings = { optimizer: 'sgd', learningRate: 0.05, batchSize: 64, epochs: 5, validationSplit: 0.25, seed: 3, ...s };
      const compiled = compileForData(mlp(4), d);
      const seen: number[] = [];
      const outcome = await trainModel(tf, compiled, d, settings, { progressInterval: 0, onBatch: (p) => seen.push(p.learningRate!) });
      compiled.model.dispose();
      const want = [1, 2, 3, 4, 5].map((e) => scheduledLearningRate(settings, e));
      expect(outcome.epochs.map((m) => m.learningRate)).toEqual(want);
      expect(new Set(seen)).toEqual(new Set(want));
    }
  });

  it('changes the rate every optimizer steps with (SGD exactly: w − lr × g)', () => {
    for (const name of OPTIMIZERS) {
      const w = tf.variable(tf.tensor1d([1, -2, 3]));
      const opt = makeOptimizer(tf, { optimizer: name, learningRate: 1 });
      const step = () => opt.minimize(() => tf.sum(tf.mul(w, tf.tensor1d([0.5, 1, -1]))), false, [w]);
      setLearningRate(opt, 0);
      step();
      expect(Array.from(w.dataSync()), name).toEqual([1, -2, 3]);
      setLearningRate(opt, 0.1);
      step();
      const moved = Array.from(w.dataSync());
      expect(moved, name).not.toEqual([1, -2, 3]);
      if (name === 'sgd') [1 - 0.05, -2 - 0.1, 3 + 0.1].forEach((v, i) => expect(moved[i]).toBeCloseTo(v, 6));
      opt.dispose();
      w.dispose();
    }
  });
});

describe('early stopping', () => {
  it('stops once the validation loss stops falling and ends with the best epoch’s weights', async () => {
    // Random labels: the network can only memorise the training images, so the validation loss
    // soon rises.
    const d = data(400, 5, true);
    const compiled = compileForData(mlp(4), d);
    const snapshots: number[][] = [];
    const settings: TrainSettings = { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 40, validationSplit: 0.25, seed: 9, earlyStopping: 3 };
    const outcome = await trainModel(tf, compiled, d, settings, {
      onEpoch: () => snapshots.push(compiled.model.getWeights().flatMap((t) => Array.from(t.dataSync()))),
    });
    const final = compiled.model.getWeights().flatMap((t) => Array.from(t.dataSync()));
    compiled.model.dispose();
    const val = outcome.epochs.map((m) => m.valLoss!);
    // Brute force: the best epoch is the lowest validation loss; the run stops 3 epochs after it.
    const best = val.indexOf(Math.min(...val)) + 1;
    expect(outcome.status).toBe('done');
    expect(outcome.keptEpoch).toBe(best);
    expect(outcome.stoppedEarlyAt).toBe(best + 3);
    expect(outcome.epochs).toHaveLength(best + 3);
    expect(val.slice(best).every((v) => v >= val[best - 1]!)).toBe(true);
    expect(final).toEqual(snapshots[best - 1]);
    expect(final).not.toEqual(snapshots.at(-1));
    // The test score is that of the restored weights, and memory stays flat with the kept copy.
    expect(outcome.test).toBeDefined();
    expect(new Set(outcome.epochs.slice(1).map((m) => m.numTensors)).size).toBe(1);
  }, 120_000);

  it('keeps the best weights without stopping when asked, and does nothing without validation', async () => {
    const d = data(300, 6, true);
    const run = async (s: Partial<TrainSettings>) => {
      const compiled = compileForData(mlp(4), d);
      const outcome = await trainModel(tf, compiled, d, { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 8, validationSplit: 0.25, seed: 2, ...s });
      compiled.model.dispose();
      return outcome;
    };
    const kept = await run({ keepBestWeights: true });
    const val = kept.epochs.map((m) => m.valLoss!);
    expect(kept.epochs).toHaveLength(8);
    expect(kept.stoppedEarlyAt).toBeUndefined();
    expect(kept.keptEpoch).toBe(val.indexOf(Math.min(...val)) + 1);
    const noVal = await run({ validationSplit: 0, earlyStopping: 1, keepBestWeights: true });
    expect(noVal.epochs).toHaveLength(8);
    expect(noVal.keptEpoch).toBeUndefined();
  }, 120_000);
});
