/**
 * The trainer's learning-rate schedule, decoupled weight decay and early stopping, for real:
 * the rate each epoch trains with (and that the optimizer uses), AdamW steps against
 * torch.optim.AdamW, and early stopping that ends with the best epoch's weights.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPTIMIZERS } from '../graph/training-settings';
import type { GraphDoc } from '../graph/types';
import { pythonWith, runPython, titleFor } from '../export/python-testing';
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
    version: 1,
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

const PY = pythonWith(['torch']);

describe.skipIf(!PY.ok)(titleFor('decoupled weight decay', PY), () => {
  it('steps as torch.optim.AdamW (lr changing between steps), within 1e-6', async () => {
    const x = [
      [0.2, -1, 0.5],
      [1.5, 0.3, -0.7],
      [-0.4, 0.8, 1.1],
      [0.9, -0.6, 0.1],
    ];
    const y = [
      [1, 0],
      [0, 1],
      [0.5, -0.5],
      [-1, 2],
    ];
    const w0 = [
      [0.3, -0.2],
      [0.1, 0.4],
      [-0.5, 0.25],
    ];
    const b0 = [0.05, -0.1];
    const lrs = [0.1, 0.05, 0.02, 0.2];
    const wd = 0.3;
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    model.setWeights([tf.tensor2d(w0), tf.tensor1d(b0)]);
    // β2 = 1 − 2⁻⁹, exact in float32: tfjs computes Adam's bias correction 1 − β2^t in float32, where
    // 0.999 is 0.99900001 and the correction is off by 1.3e-5 relative (≈ 3e-6 here, with or without
    // decay); PyTorch computes it in float64.
    const beta2 = 0.998046875;
    const optimizer = tf.train.adam(lrs[0]!, 0.9, beta2);
    model.compile({ optimizer, loss: 'meanSquaredError' });
    const xs = tf.tensor2d(x);
    const ys = tf.tensor2d(y);
    for (const lr of lrs) {
      setLearningRate(optimizer, lr);
      const decayed = decoupledWeightDecay(tf, model, lr, wd);
      await model.trainOnBatch(xs, ys);
      decayed();
    }
    const [w, b] = model.getWeights().map((t) => Array.from(t.dataSync()));
    tf.dispose([xs, ys]);
    model.dispose();

    const dir = mkdtempSync(join(tmpdir(), 'layerlab-adamw-'));
    try {
      writeFileSync(
        join(dir, 'adamw.py'),
        `import json, torch
x = torch.tensor(${JSON.stringify(x)}); y = torch.tensor(${JSON.stringify(y)})
w = torch.tensor(${JSON.stringify(w0)}, requires_grad=True); b = torch.tensor(${JSON.stringify(b0)}, requires_grad=True)
opt = torch.optim.AdamW([w, b], lr=${lrs[0]}, betas=(0.9, ${beta2}), eps=1e-7, weight_decay=${wd})
for lr in ${JSON.stringify(lrs)}:
    for g in opt.param_groups:
        g['lr'] = lr
    opt.zero_grad()
    ((x @ w + b - y) ** 2).mean().backward()
    opt.step()
print(json.dumps([w.detach().flatten().tolist(), b.detach().tolist()]))
`,
      );
      const r = await runPython(['adamw.py'], dir);
      expect(r.code, r.stderr).toBe(0);
      const [tw, tb] = JSON.parse(r.stdout) as [number[], number[]];
      const diff = Math.max(...w!.map((v, i) => Math.abs(v - tw[i]!)), ...b!.map((v, i) => Math.abs(v - tb[i]!)));
      console.log(`AdamW, 4 steps, weight decay ${wd}: largest difference from torch.optim.AdamW ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-6);
      // And the decay did something: plain Adam ends elsewhere.
      expect(Math.abs(w![0]! - w0[0]![0]!)).toBeGreaterThan(0.1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
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
