/**
 * A data-parallel follower on a Node worker thread, for data-parallel.test.ts and
 * bench/dp-node.ts (loaded through tsx, see startNodeFollower): trains MNIST shares of the graph
 * in `workerData` from the leader's weights, and posts back its final weights.
 */
import * as tf from '@tensorflow/tfjs';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { GraphDoc } from '../graph/types';
import { initBackend } from './backend';
import { GradientExchange, type ExchangeSpec } from './data-parallel';
import { loadMnist } from './data/mnist';
import { nodeMnistReader } from './data/node-readers';
import { compileForData, followTraining, type TrainSettings } from './trainer';

export interface NodeFollowerJob {
  buffer: SharedArrayBuffer;
  spec: ExchangeSpec;
  rank: number;
  graph: GraphDoc;
  weights: Float32Array[];
  settings: TrainSettings;
  /** Test only: fail after this many steps. */
  failAfter?: number;
}

export interface NodeFollowerResult {
  images?: number;
  weights?: Float32Array[];
  waitedMs?: number;
  error?: string;
}

/** Starts a follower thread; resolves `ready` once it waits for steps, `done` with its result. */
export function startNodeFollower(job: NodeFollowerJob): { worker: Worker; ready: Promise<void>; done: Promise<NodeFollowerResult> } {
  const file = new URL('./data-parallel.follower.testing.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(file)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: job });
  let ready!: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  const done = new Promise<NodeFollowerResult>((resolve) => {
    worker.on('message', (m: 'ready' | NodeFollowerResult) => (m === 'ready' ? ready() : resolve(m)));
    worker.on('error', (e) => resolve({ error: e.message }));
  });
  return { worker, ready: readyP, done };
}

async function follow(job: NodeFollowerJob): Promise<NodeFollowerResult> {
  await initBackend(['wasm']);
  const data = await loadMnist(nodeMnistReader());
  const compiled = compileForData(job.graph, data);
  const ws = compiled.model.getWeights();
  compiled.model.setWeights(ws.map((w, i) => tf.tensor(job.weights[i]!, w.shape)));
  const exchange = new GradientExchange(job.buffer, job.spec, job.rank);
  if (job.failAfter !== undefined) {
    // Fails inside a step, as a kernel error would.
    let steps = 0;
    const real = compiled.model.trainOnBatch.bind(compiled.model);
    compiled.model.trainOnBatch = (x, y) => {
      if (++steps > job.failAfter!) throw new Error('test failure in the follower');
      return real(x, y);
    };
  }
  parentPort!.postMessage('ready');
  try {
    const images = await followTraining(tf, compiled, data, job.settings, exchange);
    return { images, weights: compiled.model.getWeights().map((w) => w.dataSync() as Float32Array), waitedMs: exchange.waitedMs };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

if (parentPort && workerData && (workerData as NodeFollowerJob).buffer) {
  follow(workerData as NodeFollowerJob).then((r) => parentPort!.postMessage(r));
}
