/**
 * Data-parallel followers on Node worker threads (data-parallel.ts; the browser's are follower.ts):
 * `layerlab train --workers N`, bench/dp-node.ts and data-parallel.test.ts start them with
 * startNodeFollower. Each thread runs TensorFlow.js on the leader's backend, with its own copy of
 * the model (the leader's starting weights) and of the training split, trains its share of every
 * batch until the leader ends the run (trainer.ts' followTraining), and posts back its result.
 * The thread loads this TypeScript file through tsx, as bin/layerlab.js loads the CLI.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { GraphDoc } from '../graph/types';
import { initBackend, type BackendName } from './backend';
import { exchangeSpec, GradientExchange, type ExchangeSpec } from './data-parallel';
import type { FollowerData } from './follower';
import { compileForData, followTraining, type TrainSettings } from './trainer';
import type { CompiledGraph } from '../compiler/compile';

export interface NodeFollowerJob {
  buffer: SharedArrayBuffer;
  spec: ExchangeSpec;
  rank: number;
  backend: BackendName;
  graph: GraphDoc;
  data: FollowerData;
  /** The leader's starting weights (model.getWeights() order). */
  weights: Float32Array[];
  settings: TrainSettings;
  /** Tests only: the follower's trainOnBatch throws after this many steps. */
  failAfter?: number;
}

export interface NodeFollowerResult {
  images?: number;
  /** Its weights at the end (the same as the leader's, bit for bit). */
  weights?: Float32Array[];
  waitedMs?: number;
  error?: string;
}

/** Starts a follower thread; `ready` resolves once it waits for steps, `done` with its result. */
export function startNodeFollower(job: NodeFollowerJob): { worker: Worker; ready: Promise<void>; done: Promise<NodeFollowerResult> } {
  const file = new URL(import.meta.url).href;
  // tsx's loader, found from here (an eval'd thread would look for it from the working directory).
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(file)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: job });
  let ready!: () => void;
  let failed!: (e: Error) => void;
  const readyP = new Promise<void>((res, rej) => {
    ready = res;
    failed = rej;
  });
  const done = new Promise<NodeFollowerResult>((resolve) => {
    worker.on('message', (m: 'ready' | NodeFollowerResult) => {
      if (m === 'ready') return ready();
      if (m.error) failed(new Error(m.error));
      resolve(m);
    });
    worker.on('error', (e) => {
      failed(e);
      resolve({ error: e.message });
    });
    worker.on('exit', (code) => {
      failed(new Error(`the training thread exited (code ${code})`));
      resolve({ error: `the training thread exited (code ${code})` });
    });
  });
  readyP.catch(() => {});
  return { worker, ready: readyP, done };
}

export type NodeFollower = ReturnType<typeof startNodeFollower>;

/**
 * Starts `workers − 1` follower threads for a run of `compiled` (from its current weights) and
 * waits until they wait for steps; returns the leader's exchange (to pass to trainModel as
 * `parallel`) and the followers. Threads that fail to start are stopped, and the error thrown.
 */
export async function startNodeFollowers(
  compiled: CompiledGraph,
  opts: { workers: number; backend: BackendName; graph: GraphDoc; data: FollowerData; settings: TrainSettings; timeoutMs?: number; failAfter?: number },
): Promise<{ exchange: GradientExchange; followers: NodeFollower[] }> {
  const spec = exchangeSpec(compiled.model, opts.workers, opts.settings.batchSize);
  const buffer = GradientExchange.create(spec);
  const weights = compiled.model.getWeights().map((w) => w.dataSync() as Float32Array);
  const { backend, graph, data, settings, failAfter } = opts;
  const followers = Array.from({ length: opts.workers - 1 }, (_, k) => startNodeFollower({ buffer, spec, rank: k + 1, backend, graph, data, weights, settings, failAfter }));
  try {
    await Promise.all(followers.map((f) => f.ready));
  } catch (e) {
    await Promise.all(followers.map((f) => f.worker.terminate()));
    throw e;
  }
  return { exchange: new GradientExchange(buffer, spec, 0, opts.timeoutMs), followers };
}

async function follow(job: NodeFollowerJob): Promise<NodeFollowerResult> {
  const info = await initBackend([job.backend]);
  if (info.name !== job.backend) return { error: `the ${job.backend} backend did not start in a training thread` };
  const compiled = compileForData(job.graph, job.data);
  const ws = compiled.model.getWeights();
  compiled.model.setWeights(ws.map((w, i) => tf.tensor(job.weights[i]!, w.shape)));
  const exchange = new GradientExchange(job.buffer, job.spec, job.rank);
  if (job.failAfter !== undefined) {
    let steps = 0;
    const real = compiled.model.trainOnBatch.bind(compiled.model);
    compiled.model.trainOnBatch = (x, y) => {
      if (++steps > job.failAfter!) throw new Error('test failure in the follower');
      return real(x, y);
    };
  }
  parentPort!.postMessage('ready');
  try {
    const images = await followTraining(tf, compiled, job.data, job.settings, exchange);
    return { images, weights: compiled.model.getWeights().map((w) => w.dataSync() as Float32Array), waitedMs: exchange.waitedMs };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

if (parentPort && workerData && (workerData as NodeFollowerJob).buffer) {
  follow(workerData as NodeFollowerJob).then(
    (r) => parentPort!.postMessage(r),
    (e: unknown) => parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) }),
  );
}
