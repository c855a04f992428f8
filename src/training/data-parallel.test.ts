/**
 * Data-parallel training (data-parallel.ts, trainer.ts' followTraining) with a real follower on a
 * Node worker thread, both on WASM, LeNet-5 on MNIST:
 * - the follower's weights end bit-identical to the leader's (each applies the same average);
 * - the run equals one worker training on the whole batches, up to float rounding (the average of
 *   the shares' mean-loss gradients, weighted by their counts, is the batch's gradient);
 * - a last batch smaller than the workers (the follower's share empty) keeps them in step;
 * - a follower that fails mid-run stops the leader at once with a clear error, not a hang.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseGraphText } from '../graph/parse';
import type { GraphDoc } from '../graph/types';
import { initBackend } from './backend';
import { shareSizes, WorkerFailed } from './data-parallel';
import { startNodeFollowers } from './follower-node';
import { loadMnist } from './data/mnist';
import { nodeMnistReader } from './data/node-readers';
import { seedWeights } from './init';
import { compileForData, DEFAULT_SETTINGS, trainModel, type TrainData, type TrainSettings } from './trainer';

let data: TrainData;
let graph: GraphDoc;

beforeAll(async () => {
  await initBackend(['wasm']);
  data = await loadMnist(nodeMnistReader());
  const parsed = parseGraphText(readFileSync(new URL('../../presets/lenet5.json', import.meta.url), 'utf8'));
  if (!parsed.ok) throw new Error('lenet5 preset');
  graph = parsed.doc;
}, 60_000);

/** 20 batches of 64 and one of 1 image (the follower's share of it is empty). */
const COUNT = 20 * 64 + 1;
const settings: TrainSettings = { ...DEFAULT_SETTINGS, epochs: 1, validationSplit: 0, batchSize: 64, seed: 11 };

function subset(): TrainData {
  return { ...data, train: { ...data.train, count: COUNT }, test: { ...data.test, count: 0 } };
}

async function run(workers: number, failAfter?: number) {
  const c = compileForData(graph, data);
  seedWeights(tf, c.model, settings.seed);
  const d = subset();
  const share = { train: d.train, shape: d.shape, task: d.task, classes: d.classes };
  const { exchange, followers } = await startNodeFollowers(c, { workers, backend: 'wasm', graph, data: share, settings, timeoutMs: 20_000, failAfter });
  try {
    const t0 = performance.now();
    const outcome = await trainModel(tf, c, subset(), settings, { parallel: exchange, keepWeights: true }).catch((e: unknown) => e as Error);
    const seconds = (performance.now() - t0) / 1000;
    const results = await Promise.all(followers.map((f) => f.done));
    const weights = c.model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
    return { outcome, seconds, results, weights };
  } finally {
    await Promise.all(followers.map((f) => f.worker.terminate()));
    c.model.dispose();
  }
}

describe('data-parallel training', () => {
  it('splits a batch as evenly as possible, the leader first', () => {
    expect(shareSizes(64, 2)).toEqual([32, 32]);
    expect(shareSizes(65, 2)).toEqual([33, 32]);
    expect(shareSizes(1, 2)).toEqual([1, 0]);
    expect(shareSizes(10, 4)).toEqual([3, 3, 2, 2]);
  });

  it('two workers stay bit-identical and match one worker on the whole batches', async () => {
    const single = compileForData(graph, data);
    const one = await trainModel(tf, single, subset(), settings);
    const ref = single.model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
    single.model.dispose();

    const dp = await run(2);
    if (dp.outcome instanceof Error) throw dp.outcome;
    const f = dp.results[0]!;
    expect(f.error).toBeUndefined();
    // The follower trained half of each batch of 64, and nothing of the last one-image batch.
    expect(f.images).toBe(20 * 32);
    expect(dp.outcome.trainImages).toBe(COUNT);
    // Bit-identical copies.
    expect(f.weights!.length).toBe(dp.weights.length);
    f.weights!.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(dp.weights[i]!)));
    // The same training as one worker, up to float rounding: after 21 Adam steps every weight
    // within 1e-4 of the single-worker run's, relative to the largest weight of its tensor.
    let worst = 0;
    ref.forEach((r, i) => {
      const scale = Math.max(...Array.from(r, Math.abs));
      for (let j = 0; j < r.length; j++) worst = Math.max(worst, Math.abs(r[j]! - dp.weights[i]![j]!) / scale);
    });
    expect(worst).toBeLessThan(1e-4);
    if (process.env.LAYERLAB_DP_REPORT) console.log('worst relative difference', worst);
    // The loss the leader reports is the whole batches' (both shares weighted), as one worker's.
    expect(dp.outcome.epochs[0]!.loss).toBeCloseTo(one.epochs[0]!.loss, 3);
    expect(dp.outcome.epochs[0]!.accuracy).toBeCloseTo(one.epochs[0]!.accuracy, 2);
  }, 120_000);

  it('a follower that fails stops the leader at once with an error that says so', async () => {
    const dp = await run(2, 3);
    expect(dp.outcome).toBeInstanceOf(WorkerFailed);
    expect((dp.outcome as Error).message).toBe('Data-parallel training: training worker 2 failed.');
    expect(dp.results[0]!.error).toBe('test failure in the follower');
    // Well inside the exchange's 20 s time limit: it did not wait for it.
    expect(dp.seconds).toBeLessThan(15);
  }, 120_000);
});
