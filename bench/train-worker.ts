/// <reference lib="webworker" />
/**
 * The training benchmark's own Web Worker (bundled with esbuild by training.ts, served next to the
 * built app under /__bench/). One job per worker, so every measurement starts from a fresh
 * TensorFlow.js with nothing installed:
 *   - 'layerlab': LayerLab's real training loop (src/training/trainer.ts: compileForData +
 *     trainModel on a preset, lenet5 or resnet-mini, backend chosen with initBackend like the app's
 *     worker, on WASM with the threads asked for: all cores by default, as the app),
 *     with or without live feature maps (sent to the page like the app's worker does);
 *   - 'plain': the plain tfjs script of plain-tfjs.ts, with tfjs' own gradients or with LayerLab's
 *     convolution gradients installed (the only way it trains on WASM); on WASM on one thread
 *     (tfjs' single-thread binary, what a page without cross-origin isolation gets).
 * Posts one message: the measurement, or the error.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { parseGraphText } from '../src/graph/parse';
import { initBackend, type BackendName } from '../src/training/backend';
import { installConvFilterGradient } from '../src/training/conv-grad';
import { fetchReader } from '../src/training/data/browser-readers';
import { loadMnist } from '../src/training/data/mnist';
import { compileForData, DEFAULT_SETTINGS, trainModel, type TrainSettings } from '../src/training/trainer';
import { fetchMnistTrain, plainLeNet5, trainPlain } from './plain-tfjs';

export const WASM_DIR = '/__bench/wasm/';

/** How long to warm up and measure: both conditions of a phase must hold; `capSeconds` ends it anyway. */
export interface Plan {
  warmupBatches: number;
  warmupSeconds: number;
  minBatches: number;
  maxBatches: number;
  seconds: number;
  capSeconds: number;
}

export interface Job {
  kind: 'layerlab' | 'plain';
  backend: BackendName;
  /** plain: install LayerLab's convolution gradients (layerlab: always, as initBackend does). */
  convGradients: boolean;
  /** layerlab: live feature maps every 400 ms at most (the app's setting). */
  featureMaps: boolean;
  batchSize: number;
  plan: Plan;
  /** layerlab: the graph file (presets/lenet5.json or presets/resnet-mini.json). */
  preset: string;
  /** layerlab on WASM: threads to ask initBackend for (default: all cores). */
  wasmThreads?: number;
}

export interface Measurement {
  imagesPerSecond: number;
  /** Batches and seconds measured (after the warm-up). */
  batches: number;
  seconds: number;
  warmupBatches: number;
  warmupSeconds: number;
  /** ms from the start of training to the end of the first batch (kernel compilation, first maps). */
  firstBatchMs: number;
  /** true when capSeconds ended the run before the plan was met. */
  capped: boolean;
}

export type JobResult =
  | ({ ok: true; backend: string; adapterInfo?: string; wasmThreads?: number; wasmThreadsWhy?: string; mapRefreshes?: number; lastLoss: number; setupMs: number } & Measurement)
  | { ok: false; error: string; stage: string };

/** Batch clock: call tick() after each batch; it says when the plan is done. */
export function meter(plan: Plan, batchSize: number) {
  const start = performance.now();
  let n = 0;
  let first = NaN;
  let warm: { t: number; n: number } | undefined;
  let result: Measurement | undefined;
  const finish = (from: { t: number; n: number }, now: number, capped: boolean) => {
    const batches = n - from.n;
    const seconds = (now - from.t) / 1000;
    result = {
      imagesPerSecond: batches > 0 ? (batches * batchSize) / seconds : NaN,
      batches,
      seconds,
      warmupBatches: from.n,
      warmupSeconds: (from.t - start) / 1000,
      firstBatchMs: first,
      capped,
    };
  };
  return {
    /** false once the plan is done. */
    tick(): boolean {
      if (result) return false;
      const now = performance.now();
      n++;
      if (n === 1) first = now - start;
      if (!warm && n >= plan.warmupBatches && now - start >= plan.warmupSeconds * 1000) {
        warm = { t: now, n };
        return true;
      }
      if (warm) {
        const m = n - warm.n;
        if ((m >= plan.minBatches && now - warm.t >= plan.seconds * 1000) || m >= plan.maxBatches) finish(warm, now, false);
      }
      if (!result && now - start >= plan.capSeconds * 1000) {
        // Out of time: what was measured after the warm-up, else everything after the first batch.
        if (warm && n > warm.n) finish(warm, now, true);
        else if (n > 1) finish({ t: start + first, n: 1 }, now, true);
        else finish({ t: start, n: 0 }, now, true);
      }
      return !result;
    },
    result: () => result,
  };
}

let stage = 'starting';
/** The WASM threads initBackend reported (layerlab jobs). */
let threads: { threads: number; why?: string } | undefined;
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function plainBackend(name: BackendName): Promise<void> {
  if (name === 'wasm') {
    setWasmPaths(WASM_DIR);
    // The single-thread binary: the bench page is cross-origin isolated, where tfjs would pick
    // the threaded one, whose threads cannot start from a bundle without LayerLab's fix.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`tf.setBackend('${name}') failed (active: ${tf.getBackend()})`);
  await tf.ready();
}

function adapter(name: string): string | undefined {
  try {
    const b = tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string }; gpgpu?: { gl?: WebGL2RenderingContext } };
    if (name === 'webgpu') return [b.adapterInfo?.vendor, b.adapterInfo?.architecture].filter(Boolean).join(' ') || undefined;
    if (name === 'webgl' && b.gpgpu?.gl) {
      const gl = b.gpgpu.gl;
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      return String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    }
  } catch {
    /* informative only */
  }
  return undefined;
}

async function run(job: Job): Promise<JobResult> {
  const t0 = performance.now();
  const clock = meter(job.plan, job.batchSize);
  let lastLoss = NaN;
  let mapRefreshes: number | undefined;
  if (job.kind === 'plain') {
    stage = 'backend';
    if (job.convGradients) installConvFilterGradient(tf);
    await plainBackend(job.backend);
    stage = 'data';
    const data = await fetchMnistTrain();
    stage = 'model';
    const model = plainLeNet5(tf);
    const setupMs = performance.now() - t0;
    stage = 'training';
    await trainPlain(tf, model, data, job.batchSize, (loss) => {
      lastLoss = loss;
      return clock.tick();
    });
    return finish(setupMs);
  }
  stage = 'backend';
  const info = await initBackend([job.backend], { wasmPaths: WASM_DIR, wasmThreads: job.wasmThreads });
  threads = info.wasmThreads;
  if (info.name !== job.backend) {
    const why = info.tried.find((t) => t.name === job.backend)?.reason ?? 'not chosen';
    throw new Error(`initBackend gave ${info.name}: ${why}`);
  }
  stage = 'data';
  const parsed = parseGraphText(job.preset);
  if (!parsed.ok) throw new Error(parsed.message);
  const data = await loadMnist(fetchReader('/datasets/mnist/'));
  stage = 'model';
  const compiled = compileForData(parsed.doc, data);
  // The preset's settings, with the benchmark's optimizer and batch size (the same as the plain script's and PyTorch's).
  const settings: TrainSettings = {
    ...DEFAULT_SETTINGS,
    ...(parsed.doc.training as Partial<TrainSettings>),
    optimizer: 'adam',
    learningRate: 0.001,
    batchSize: job.batchSize,
    epochs: 100,
    augmentation: undefined,
  };
  const setupMs = performance.now() - t0;
  stage = 'training';
  let stop = false;
  let lastYield = 0;
  if (job.featureMaps) mapRefreshes = 0;
  // Answer as soon as the measurement is done: after a stop, trainModel goes on to evaluate the
  // whole test set, which is not part of it (the page ends this worker once it has the answer).
  let measured!: (r: JobResult) => void;
  const early = new Promise<JobResult>((r) => (measured = r));
  const training = trainModel(tf, compiled, data, settings, {
    progressInterval: 0,
    onBatch: (p) => {
      lastLoss = p.loss;
      stop = !clock.tick();
      if (stop) measured(finish(setupMs));
    },
    featureMapInterval: 400,
    onFeatureMaps: job.featureMaps
      ? (maps) => {
          mapRefreshes!++;
          // To the page, as the app's worker sends them (structured clone through postMessage).
          postMessage({ type: 'maps', maps });
        }
      : undefined,
    shouldStop: () => stop,
    // As the app's worker does (src/training/worker.ts): a macrotask every 200 ms, so messages get through.
    waitWhilePaused: () => (performance.now() - lastYield < 200 ? Promise.resolve() : new Promise<void>((r) => setTimeout(() => r(void (lastYield = performance.now())), 0))),
  });
  return Promise.race([early, training.then(() => finish(setupMs))]);

  function finish(setupMs: number): JobResult {
    const m = clock.result();
    if (!m) throw new Error('training ended before the measurement did');
    const wasm = job.backend === 'wasm' ? (threads ?? { threads: 1, why: "tfjs' single-thread binary" }) : undefined;
    return { ok: true, backend: tf.getBackend(), adapterInfo: adapter(job.backend), wasmThreads: wasm?.threads, wasmThreadsWhy: wasm?.why, mapRefreshes, lastLoss, setupMs, ...m };
  }
}

self.onmessage = (e: MessageEvent<Job>) => {
  run(e.data).then(
    (r) => postMessage({ type: 'result', result: r }),
    (err: unknown) => postMessage({ type: 'result', result: { ok: false, error: errorText(err), stage } satisfies JobResult }),
  );
};
