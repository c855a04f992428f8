/**
 * Data-parallel training in Node (src/training/data-parallel.ts), against one worker:
 *   npx tsx bench/dp-node.ts [--workers 2] [--batches 500] [--rounds 2]
 * Trains LeNet-5 on MNIST (batch 64, Adam) with the leader on the main thread and followers on
 * worker threads (src/training/follower-node.ts), then alone on the main thread, alternating
 * `--rounds` times, and prints images/s of each and how long the workers waited for each other.
 * A measurement, not a test; on a shared machine compare figures from one run.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseGraphText } from '../src/graph/parse';
import { initBackend } from '../src/training/backend';
import type { GradientExchange } from '../src/training/data-parallel';
import { startNodeFollowers, type NodeFollower } from '../src/training/follower-node';
import { loadMnist } from '../src/training/data/mnist';
import { nodeMnistReader } from '../src/training/data/node-readers';
import { seedWeights } from '../src/training/init';
import { compileForData, DEFAULT_SETTINGS, trainModel, type TrainSettings } from '../src/training/trainer';

const arg = (n: string, d: string) => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? process.argv[i + 1]! : d;
};
const workers = Number(arg('workers', '2'));
const batches = Number(arg('batches', '500'));
const rounds = Number(arg('rounds', '2'));

await initBackend(['wasm']);
const data = await loadMnist(nodeMnistReader());
const parsed = parseGraphText(readFileSync(new URL('../presets/lenet5.json', import.meta.url), 'utf8'));
if (!parsed.ok) throw new Error('presets/lenet5.json');
const graph = parsed.doc;
const subset = { ...data, train: { ...data.train, count: batches * 64 }, test: { ...data.test, count: 0 } };
const s: TrainSettings = { ...DEFAULT_SETTINGS, epochs: 1, validationSplit: 0, batchSize: 64, learningRate: 1e-3, seed: 7 };
console.log(`LeNet-5, batch 64, ${batches} batches; ${cpus().length}× ${cpus()[0]?.model.trim()}; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

for (let r = 0; r < rounds; r++) {
  for (const mode of ['data-parallel', 'one worker'] as const) {
    const c = compileForData(graph, data);
    seedWeights(tf, c.model, s.seed);
    let exchange: GradientExchange | undefined;
    let followers: NodeFollower[] = [];
    if (mode === 'data-parallel') {
      const share = { train: subset.train, shape: subset.shape, classes: subset.classes };
      ({ exchange, followers } = await startNodeFollowers(c, { workers, backend: 'wasm', graph, data: share, settings: s }));
    }
    const t0 = performance.now();
    const out = await trainModel(tf, c, subset, s, { parallel: exchange, keepWeights: true });
    const sec = (performance.now() - t0) / 1000;
    const results = await Promise.all(followers.map((f) => f.done));
    const waited = exchange ? ` (waiting: leader ${(exchange.waitedMs / 1000).toFixed(1)} s, followers ${results.map((x) => ((x.waitedMs ?? 0) / 1000).toFixed(1)).join(', ')} s)` : '';
    console.log(`${mode.padEnd(14)} ${Math.round(out.trainImages / sec)} images/s, loss ${out.epochs[0]!.loss.toFixed(4)}${waited}`);
    await Promise.all(followers.map((f) => f.worker.terminate()));
    c.model.dispose();
  }
}
