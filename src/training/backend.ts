/**
 * Choosing the TensorFlow.js backend, in the browser (the training worker) and in Node (the CLI,
 * tests): WebGPU → WebGL → WASM → CPU, skipping what the environment cannot have, and checking
 * each step, since `tf.setBackend()` can resolve false (and a failed one leaves no backend
 * active) or throw. Whatever is chosen gets LayerLab's convolution gradients (conv-grad.ts),
 * which the WASM backend needs to train convolutions at all.
 *
 * Browser-only pieces are loaded with dynamic imports on the browser path only: the WebGPU
 * backend, and wasm-paths.browser.ts (the binaries' `?url` imports, and the fix that lets the
 * threaded binary start its threads from a bundle).
 *
 * WASM threads: tfjs loads its threaded SIMD binary only where SharedArrayBuffer can be posted
 * (a cross-origin isolated page: COOP same-origin + COEP require-corp) and never in Node. Its C++
 * side then caps the thread pool at min(requested, 8, navigator.hardwareConcurrency / 2), the
 * divisor read once when the module starts: one thread on a 2-core machine, whatever
 * `setThreadsCount` asks. chooseWasmThreads decides how many to use (all logical cores but one
 * when isolated, or the number asked for) and initBackend lifts the cap for the module's start
 * (see withLogicalCores).
 */
import * as tf from '@tensorflow/tfjs';
import { installConvFilterGradient } from './conv-grad';
import { MAX_TRAINING_WORKERS } from './data-parallel';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  reason?: string;
  /** It works, but only as a software GPU: passed over automatically, still selectable by hand. */
  slow?: boolean;
}

export interface BackendResult {
  name: BackendName;
  tried: BackendAttempt[];
  /** The GPU, for WebGPU (vendor / architecture) and WebGL (renderer), when the browser tells. */
  adapterInfo?: string;
  /** WASM: the threads tfjs actually runs (from its getThreadsCount), and why not more. */
  wasmThreads?: WasmThreads;
  /** WASM, when `workers` was asked for: the data-parallel plan. */
  parallel?: ParallelPlan;
}

export interface BackendOptions {
  /**
   * Where the WASM binaries are: a prefix ending in '/' (a URL in the browser, a directory in
   * Node) or a map from binary name to URL. Default: Vite asset URLs in the browser, the
   * package's dist/ directory in Node.
   */
  wasmPaths?: string | Record<string, string>;
  /** Install LayerLab's convolution gradients (default true; tests and benchmarks turn it off). */
  convGradients?: boolean;
  /**
   * WASM threads to ask for (default: every logical core where the page is cross-origin
   * isolated). 1 loads the single-thread binary, as a page without isolation gets. Only the
   * first WASM start in a worker counts: tfjs cannot restart its module with another count.
   */
  wasmThreads?: number;
  /**
   * WASM data-parallel training (chooseParallelPlan): the number of training workers. When the
   * plan has several, this worker starts WASM with the plan's threads per worker, and the result's
   * `parallel` says how many workers to train with. Default: none (one worker, `wasmThreads`).
   */
  workers?: number;
}

/** tfjs' WASM module pre-creates 8 pthread workers and caps its pool there. */
export const MAX_WASM_THREADS = 8;

/** What decides the WASM thread count (chooseWasmThreads' input). */
export interface WasmThreadEnv {
  /** Node (CLI, tests): tfjs never loads its threaded binary there. */
  node: boolean;
  /** `crossOriginIsolated` of the page or worker. */
  crossOriginIsolated: boolean;
  /** tfjs' own check (WASM_HAS_MULTITHREAD_SUPPORT): SharedArrayBuffer can be posted and WebAssembly has threads. */
  threadsSupported: boolean;
  /** navigator.hardwareConcurrency: logical cores (undefined where unknown). */
  logicalCores: number | undefined;
}

/** How many WASM threads to run, and why only one where that is all there can be. */
export interface WasmThreads {
  threads: number;
  /** Why one thread (or fewer than asked): for people, e.g. "page not cross-origin isolated". */
  why?: string;
  /** The error behind `why`, when there was one (the Train panel shows it on hover). */
  detail?: string;
}

/**
 * The WASM thread count: the `requested` number (capped at 8) or every logical core but one, where
 * the threaded binary can run; else 1 and why. Pure: the environment is passed in.
 */
export function chooseWasmThreads(env: WasmThreadEnv, requested?: number): WasmThreads {
  if (env.node) return { threads: 1, why: 'tfjs runs WASM on one thread in Node' };
  if (!env.crossOriginIsolated) return { threads: 1, why: 'page not cross-origin isolated' };
  if (!env.threadsSupported) return { threads: 1, why: 'this browser cannot share memory between WASM threads' };
  if (requested !== undefined && Number.isFinite(requested)) {
    const n = Math.max(1, Math.floor(requested));
    if (n > MAX_WASM_THREADS) return { threads: MAX_WASM_THREADS, why: `tfjs runs at most ${MAX_WASM_THREADS} WASM threads` };
    return n === 1 ? { threads: 1, why: 'set to 1 thread' } : { threads: n };
  }
  const cores = Math.max(1, Math.floor(env.logicalCores ?? 1));
  if (cores === 1) return { threads: 1, why: 'this machine has one core' };
  // One core stays with the page (it draws the live maps and charts) and the browser: tfjs'
  // threads wait for each other by spinning, so one of them losing its core to the page stalls the
  // rest. On this project's 2-core machine the app trained LeNet-5 faster on 1 thread than on 2
  // (README, "Performance").
  if (cores - 1 > MAX_WASM_THREADS) return { threads: MAX_WASM_THREADS, why: `tfjs runs at most ${MAX_WASM_THREADS} WASM threads` };
  return { threads: cores - 1, why: `one of the ${cores} cores is left to the page` };
}

/** Data-parallel training (data-parallel.ts): how many workers share each batch, and their threads. */
export interface ParallelPlan {
  /** Training workers, the leader included (1: no data parallelism). */
  workers: number;
  /** WASM threads each of them runs. */
  threadsPerWorker: number;
  /** Why one worker, for people (e.g. "page not cross-origin isolated"). */
  why?: string;
  /** Several were planned, but the others did not start: `why` says why. */
  fellBack?: boolean;
}

export { MAX_TRAINING_WORKERS } from './data-parallel';

/**
 * Data-parallel WASM training with `requestedWorkers` workers (the ?workers=N of the URL), each
 * training its share of every batch on its own copy of the model, with the machine's cores split
 * between them as tfjs threads; or one worker, and why. Needs what WASM threads need: a cross-origin
 * isolated page (SharedArrayBuffer). Pure: the environment is passed in.
 */
export function chooseParallelPlan(env: WasmThreadEnv, requestedWorkers: number, requestedThreads?: number): ParallelPlan {
  const one = (why: string): ParallelPlan => ({ workers: 1, threadsPerWorker: chooseWasmThreads(env, requestedThreads).threads, why });
  if (env.node) return one('in Node the command line trains in one process');
  if (!env.crossOriginIsolated) return one('page not cross-origin isolated');
  if (!env.threadsSupported) return one('this browser cannot share memory between workers');
  const workers = Number.isFinite(requestedWorkers) ? Math.min(MAX_TRAINING_WORKERS, Math.max(1, Math.floor(requestedWorkers))) : 1;
  if (workers === 1) return one('set to 1 worker');
  const cores = Math.max(1, Math.floor(env.logicalCores ?? 1));
  const threadsPerWorker = Math.min(MAX_WASM_THREADS, Math.max(1, Math.floor(cores / workers)));
  return { workers, threadsPerWorker };
}

/** The environment chooseWasmThreads and chooseParallelPlan decide on, read here. */
export async function wasmThreadEnv(): Promise<WasmThreadEnv> {
  let threadsSupported = false;
  try {
    threadsSupported = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  } catch {
    // An unregistered flag: the WASM backend is not loaded yet (or failed to).
  }
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  return { node: isNode(), crossOriginIsolated: g.crossOriginIsolated === true, threadsSupported, logicalCores: g.navigator?.hardwareConcurrency };
}

const isNode = (): boolean => typeof process !== 'undefined' && process.versions?.node != null && typeof window === 'undefined';

/** Why this environment cannot have the backend, or null if it can try. */
async function unavailable(name: BackendName): Promise<string | null> {
  switch (name) {
    case 'webgpu': {
      if (isNode()) return 'WebGPU is not available in Node';
      if (typeof navigator === 'undefined' || !('gpu' in navigator) || !navigator.gpu) return 'this browser has no WebGPU (navigator.gpu)';
      // tfjs' WebGPU factory fails with a TypeError when there is no adapter; say why instead.
      try {
        return (await navigator.gpu.requestAdapter()) ? null : 'WebGPU has no adapter here (no GPU, or the GPU is blocklisted)';
      } catch (e) {
        return `WebGPU has no adapter here: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    case 'webgl':
      if (isNode()) return 'WebGL is not available in Node';
      return typeof OffscreenCanvas !== 'undefined' || typeof document !== 'undefined' ? null : 'no canvas to draw WebGL on';
    case 'wasm':
      return typeof WebAssembly === 'object' ? null : 'WebAssembly is not available';
    case 'cpu':
      return null;
  }
}

/** The package's dist/ directory with a trailing separator (Node), or undefined if it cannot be found. */
function nodeWasmDir(): string | undefined {
  try {
    // getBuiltinModule (Node ≥ 20.16) keeps `node:` imports out of the browser bundle.
    const { createRequire } = process.getBuiltinModule('node:module');
    const path = process.getBuiltinModule('node:path');
    const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    return path.dirname(main) + path.sep;
  } catch {
    return undefined;
  }
}

let wasmPathsSet = false;
const backendsLoaded: Partial<Record<BackendName, Promise<void>>> = {};
/** The WASM backend's package, once imported (setThreadsCount, getThreadsCount). */
let wasmPackage: typeof import('@tensorflow/tfjs-backend-wasm') | undefined;

/** Imports (and so registers) a backend that is not part of @tensorflow/tfjs. */
function loadBackend(name: BackendName, opts: BackendOptions): Promise<void> {
  backendsLoaded[name] ??= (async () => {
    if (name === 'webgpu') {
      await import('@tensorflow/tfjs-backend-webgpu');
    } else if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasmPackage = wasm;
      if (!wasmPathsSet) {
        // Must happen before the backend initialises; the setting is global to the package.
        // In the browser always imported: it also fixes the threaded binary's start.
        const browser = isNode() ? undefined : await import('./wasm-paths.browser');
        const paths = opts.wasmPaths ?? (browser ? browser.WASM_PATHS : nodeWasmDir());
        if (paths !== undefined) wasm.setWasmPaths(paths);
        wasmPathsSet = true;
      }
    }
  })().catch((e: unknown) => {
    delete backendsLoaded[name];
    throw e;
  });
  return backendsLoaded[name]!;
}

/** Runs setBackend while collecting what tfjs logs about a failure (it warns instead of throwing). */
async function trySetBackend(name: BackendName): Promise<{ ok: boolean; reason?: string }> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    // tfjs logs "Initialization of backend X failed" and then the error's stack: keep first lines.
    warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a)).split('\n')[0]).join(' '));
  };
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  } finally {
    console.warn = warn;
  }
  if (!ok) return { ok: false, reason: warnings.join(' ').trim() || `tf.setBackend('${name}') failed` };
  const active = tf.getBackend();
  if (active !== name) return { ok: false, reason: `tf.setBackend('${name}') left '${active}' active` };
  return { ok: true };
}

const THREADED_START_FAILED = 'the threaded WASM binary did not start';

/** The thread plan of the WASM module's first start (it is started once per worker or process). */
let wasmPlan: WasmThreads | undefined;

/**
 * Before the WASM module's first start: decides the thread count and sets tfjs up for it (the
 * single-thread binary for 1 thread, else setThreadsCount). Returns the plan.
 */
async function planWasmThreads(opts: BackendOptions): Promise<WasmThreads> {
  if (wasmPlan && tf.findBackend('wasm')) return wasmPlan; // already running: the count is fixed
  const flag = 'WASM_HAS_MULTITHREAD_SUPPORT';
  const env = await wasmThreadEnv();
  const threadsSupported = env.threadsSupported;
  const plan = chooseWasmThreads(env, opts.wasmThreads);
  if (plan.threads === 1) {
    if (threadsSupported) tf.env().set(flag, false); // the single-thread SIMD binary, as without isolation
  } else {
    wasmPackage?.setThreadsCount(plan.threads);
  }
  wasmPlan = plan;
  return plan;
}

/**
 * Runs `f` (the WASM module's start) with navigator.hardwareConcurrency reading at least `cores`.
 * tfjs' C++ caps its pool at hardwareConcurrency / 2 ("2 threads per core" on many x86 CPUs), read
 * once as the module starts: lifting it for that moment is the only way to have every logical
 * core. The real value is back as soon as the start is over.
 */
async function withLogicalCores<T>(cores: number, f: () => Promise<T>): Promise<T> {
  const nav = (globalThis as { navigator?: object }).navigator;
  const real = (nav as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 0;
  if (!nav || real >= cores) return f();
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { value: cores, configurable: true });
  } catch {
    return f(); // not overridable here: tfjs' cap stays
  }
  try {
    return await f();
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

/** Starts the WASM backend with the planned threads; a threaded start that fails is retried on one thread. */
async function setWasmBackend(opts: BackendOptions): Promise<{ ok: boolean; reason?: string; threads?: WasmThreads; parallel?: ParallelPlan }> {
  if (opts.workers !== undefined) {
    const parallel = chooseParallelPlan(await wasmThreadEnv(), opts.workers, opts.wasmThreads);
    const set = await setWasmBackend({ ...opts, workers: undefined, wasmThreads: parallel.workers > 1 ? parallel.threadsPerWorker : opts.wasmThreads });
    return { ...set, parallel: set.threads?.why === THREADED_START_FAILED ? { ...parallel, workers: 1, why: THREADED_START_FAILED, fellBack: true } : parallel };
  }
  const plan = await planWasmThreads(opts);
  if (plan.threads === 1 || tf.findBackend('wasm')) {
    const set = await trySetBackend('wasm');
    return { ...set, threads: set.ok ? actualWasmThreads(plan) : undefined };
  }
  const set = await withLogicalCores(2 * plan.threads, () => trySetBackend('wasm'));
  if (set.ok) return { ...set, threads: actualWasmThreads(plan) };
  // The threaded binary did not start (not served, or blocked): the single-thread one may.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const reason = set.reason ?? 'unknown error';
  const last = reason.lastIndexOf('Initialization of backend wasm failed');
  wasmPlan = { threads: 1, why: THREADED_START_FAILED, detail: (last >= 0 ? reason.slice(last) : reason).slice(0, 300) };
  const retry = await trySetBackend('wasm');
  return { ...retry, threads: retry.ok ? actualWasmThreads(wasmPlan) : undefined };
}

/** The threads tfjs really runs, beside the plan. */
function actualWasmThreads(plan: WasmThreads): WasmThreads {
  let actual: number;
  try {
    actual = wasmPackage?.getThreadsCount() ?? plan.threads;
  } catch {
    return plan;
  }
  if (actual === plan.threads) return plan;
  return { threads: actual, why: `tfjs started ${actual} of the ${plan.threads} threads asked for` };
}

/** A small computation read back, so a backend that initialises but cannot compute is caught here. */
async function smokeTest(): Promise<string | undefined> {
  try {
    const t = tf.tidy(() => tf.conv2d(tf.ones([1, 3, 3, 1]) as tf.Tensor4D, tf.ones([2, 2, 1, 1]) as tf.Tensor4D, 1, 'valid').sum());
    const v = (await t.data())[0];
    t.dispose();
    return v === 16 ? undefined : `a test convolution gave ${v} instead of 16`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function describeAdapter(name: BackendName): string | undefined {
  try {
    const b = tf.backend() as unknown as {
      adapterInfo?: { vendor?: string; architecture?: string };
      gpgpu?: { gl?: WebGLRenderingContext | WebGL2RenderingContext };
    };
    if (name === 'webgpu') {
      const info = [b.adapterInfo?.vendor, b.adapterInfo?.architecture].filter(Boolean).join(' ');
      return info || undefined;
    }
    if (name === 'webgl' && b.gpgpu?.gl) {
      const gl = b.gpgpu.gl;
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
      return `WebGL ${tf.env().getNumber('WEBGL_VERSION')}${renderer ? `, ${String(renderer)}` : ''}`;
    }
  } catch {
    // Only informative.
  }
  return undefined;
}

/** Whether the backend runs on a software rasteriser rather than a real GPU. */
function isSoftwareAdapter(name: BackendName, info: string | undefined): boolean {
  if (name === 'webgpu') {
    const b = tf.backend() as unknown as { adapterInfo?: { isFallbackAdapter?: boolean } };
    if (b.adapterInfo?.isFallbackAdapter) return true;
  }
  return /swiftshader|llvmpipe|softpipe|software/i.test(info ?? '');
}

/**
 * Activates the first backend that works: the `preferred` ones in their order, then the rest of
 * webgpu → webgl → wasm → cpu. `tried` lists every backend considered, with the reason it was
 * skipped or failed. Rejects only if not even the CPU backend works.
 */
export async function initBackend(preferred?: readonly BackendName[], opts: BackendOptions = {}): Promise<BackendResult> {
  const order = [...new Set<BackendName>([...(preferred ?? []), ...BACKEND_ORDER])];
  const tried: BackendAttempt[] = [];
  for (const name of order) {
    const why = await unavailable(name);
    if (why) {
      tried.push({ name, ok: false, reason: why });
      continue;
    }
    try {
      await loadBackend(name, opts);
    } catch (e) {
      tried.push({ name, ok: false, reason: `could not load the ${name} backend: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    // After the import: the install replaces some of the backend's kernels, which an import
    // after it would register again (idempotent, so once per attempt is fine).
    if (opts.convGradients ?? true) installConvFilterGradient(tf);
    if (!tf.findBackendFactory(name)) {
      tried.push({ name, ok: false, reason: `the ${name} backend did not register (unsupported here)` });
      continue;
    }
    const set: { ok: boolean; reason?: string; threads?: WasmThreads; parallel?: ParallelPlan } = name === 'wasm' ? await setWasmBackend(opts) : await trySetBackend(name);
    const failure = set.ok ? await smokeTest() : set.reason;
    if (failure !== undefined) {
      tried.push({ name, ok: false, reason: failure });
      continue;
    }
    const adapterInfo = describeAdapter(name);
    // A software "GPU" (Chromium's SwiftShader, Mesa's llvmpipe) is far slower than WASM on the
    // same CPU: choose by capability, so pass it over unless it was asked for by name.
    if ((name === 'webgpu' || name === 'webgl') && !preferred?.includes(name) && isSoftwareAdapter(name, adapterInfo)) {
      tried.push({ name, ok: false, slow: true, reason: `only a software GPU here (${adapterInfo ?? 'fallback adapter'}), slower than WASM` });
      continue;
    }
    tried.push({ name, ok: true });
    return { name, tried, adapterInfo, ...(set.threads ? { wasmThreads: set.threads } : {}), ...(set.parallel ? { parallel: set.parallel } : {}) };
  }
  // Unreachable in practice (CPU always initialises), but a failed setBackend leaves none active.
  throw new Error(`No TensorFlow.js backend works here: ${tried.map((t) => `${t.name}: ${t.reason}`).join('; ')}`);
}
