/**
 * Where a training step's milliseconds go, per kernel, on TensorFlow.js' WASM backend in Node.
 *
 *   npx tsx bench/profile.ts [--preset lenet5] [--batches 200] [--warmup 20] [--batch-size 64]
 *                            [--backend wasm] [--repeat 1] [--no-profile] [--off KNOBS] [--ab KNOBS]
 *                            [--clock cpu|wall]
 *
 * It trains the preset the way LayerLab's trainer does (compileGraph, the preset's optimizer,
 * `trainOnBatch` on MNIST batches gathered as trainer.ts gathers them) and prints:
 * 1. images/s over `--batches` steps with nothing instrumented (`--repeat` times), and the CPU
 *    time this process spent per step (on a busy machine a fairer measure of one thread's work);
 * 2. the same steps again with every kernel of the backend wrapped in a timer: per kernel, calls
 *    per step, ms per step (self time: a kernel built from other kernels, such as LayerLab's
 *    Conv2DBackpropFilter, is charged only for what its parts do not account for) and share,
 *    grouped into forward convolutions, conv input-gradients, conv filter-gradients, dense,
 *    pooling, activations, bias, the optimizer, loss, data, and what no kernel accounts for
 *    (tfjs' own JavaScript: the tape, tidy, dispose, layers' bookkeeping).
 *
 * `--off KNOBS` switches LayerLab's speed-ups off (comma-separated: fasterKernels, the WASM
 * matrix products of matmul.ts; leanAdam, the one-kernel Adam of adam.ts); `--ab KNOBS` alternates runs without them (A) and with them (B) in one process,
 * `--repeat` rounds each, and prints the medians, which is how each speed-up was measured.
 *
 * Which part of the step a kernel belongs to is known from where it ran: inside a layer's `call`
 * (the forward pass), inside a gradient function (the backward pass; the kernel whose gradient it
 * is and which input), inside the optimizer's `applyGradients`, or elsewhere (loss and metrics;
 * also the backward pass of tfjs' fused ops, whose gradient is a closure: the output layer's
 * fused matMul + bias).
 * The table's clock is this process's CPU time unless `--clock wall`. Timings on a shared machine
 * are noisy: compare figures from one run.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseGraphText } from '../src/graph/parse';
import { initBackend, type BackendName } from '../src/training/backend';
import { ADAM_KERNEL, registerAdamKernels } from '../src/training/adam';
import { installConvFilterGradient, uninstallConvFilterGradient, type InstallOptions } from '../src/training/conv-grad';
import { loadMnist } from '../src/training/data/mnist';
import { nodeMnistReader } from '../src/training/data/node-readers';
import { gatherImages } from '../src/training/data/gather';
import { compileForData, makeOptimizer } from '../src/training/trainer';
import { taskAdapter } from '../src/training/tasks';
import { mulberry32 } from '../src/training/data/rng';
import { TRAINING_DEFAULTS } from '../src/graph/types';
import type { OptimizerName } from '../src/graph/training-settings';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const preset = arg('preset', 'lenet5');
const batches = Number(arg('batches', '200'));
const warmup = Number(arg('warmup', '20'));
const repeat = Number(arg('repeat', '1'));
const backendName = arg('backend', 'wasm') as BackendName;
/**
 * The profile's clock: 'cpu' (default) is this process's CPU time (user + system), which on a busy,
 * shared machine tracks the work done far better than wall time; 'wall' is performance.now().
 */
const clockName = arg('clock', 'cpu');
const now =
  clockName === 'wall'
    ? () => performance.now()
    : () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      };

// ---------------------------------------------------------------------------------------------
// Instrumentation: a context stack (where we are in the step) and timed kernels.

let context = 'loss';
const withContext = <T>(c: string, f: () => T): T => {
  const saved = context;
  context = c;
  try {
    return f();
  } finally {
    context = saved;
  }
};

interface Row {
  group: string;
  kernel: string;
  calls: number;
  ms: number;
}
const rows = new Map<string, Row>();
let profiling = false;
/** Time of the kernel frames now running, innermost last, for self time. */
const childTime: number[] = [];

const ACTIVATIONS = new Set(['Relu', 'Relu6', 'Elu', 'Selu', 'LeakyRelu', 'Prelu', 'Sigmoid', 'Tanh', 'Softmax', 'Softplus', 'Step', 'Select', 'Greater', 'GreaterEqual']);

/** The group of a kernel run in `ctx`. */
function groupOf(ctx: string, kernel: string): string {
  if (ctx === 'optimizer' || ctx === 'data') return ctx;
  if (ctx.startsWith('fwd:')) {
    const layer = ctx.slice(4);
    if (ACTIVATIONS.has(kernel)) return 'activations';
    if (kernel === 'Add' || kernel === 'BiasAdd') return 'bias';
    if (/Conv/.test(layer)) return 'forward convolutions';
    if (/Dense/.test(layer)) return 'dense';
    if (/Pool/.test(layer)) return 'pooling';
    return 'other layers (flatten, ...)';
  }
  if (ctx.startsWith('grad:')) {
    const [op, input] = ctx.slice(5).split('.') as [string, string];
    if (op === 'Conv2D' || op === 'FusedConv2D') return input === 'x' ? 'conv input-gradients' : input === 'filter' ? 'conv filter-gradients' : 'bias';
    if (op === 'BatchMatMul' || op === '_FusedMatMul') return 'dense';
    if (op === 'MaxPool' || op === 'AvgPool') return 'pooling';
    if (op === 'Add' || op === 'BiasAdd') return 'bias';
    if (op === 'Reshape') return 'other layers (flatten, ...)';
    if (ACTIVATIONS.has(op)) return 'activations';
    return 'loss';
  }
  return 'loss';
}

function record(ctx: string, kernel: string, ms: number): void {
  const key = `${ctx}|${kernel}`;
  let r = rows.get(key);
  if (!r) rows.set(key, (r = { group: groupOf(ctx, kernel), kernel: ctx.startsWith('grad:') ? `${kernel} (∂${ctx.slice(5)})` : kernel, calls: 0, ms: 0 }));
  r.calls++;
  r.ms += ms;
}

function instrumentKernels(): void {
  for (const config of tf.getKernelsForBackend(backendName)) {
    const inner = config.kernelFunc;
    const name = config.kernelName;
    config.kernelFunc = (args) => {
      if (!profiling) return inner(args);
      childTime.push(0);
      const t0 = now();
      try {
        return inner(args);
      } finally {
        const total = now() - t0;
        const children = childTime.pop()!;
        if (childTime.length) childTime[childTime.length - 1]! += total;
        record(context, name, total - children);
      }
    };
  }
}

/** Wraps every registered gradient so the kernels it runs are charged to it (and to which input). */
function instrumentGradients(names: Iterable<string>): void {
  for (const name of names) {
    const config = tf.getGradient(name);
    if (!config) continue;
    const inner = config.gradFunc;
    config.gradFunc = (dy, saved, attrs) => {
      const grads = withContext(`grad:${name}`, () => inner(dy, saved, attrs));
      const out: Record<string, () => tf.Tensor> = {};
      for (const [input, f] of Object.entries(grads)) out[input] = () => withContext(`grad:${name}.${input}`, f);
      return out;
    };
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const backend = await initBackend([backendName]);
  if (backend.name !== backendName) throw new Error(`wanted ${backendName}, got ${backend.name}`);
  // Speed-ups that can be switched off, for A/B runs: --off a,b (all runs) or --ab a,b (alternating).
  const installKnobs: (keyof InstallOptions)[] = ['fasterKernels'];
  // leanAdam: the one-kernel Adam update (adam.ts); without its kernel the optimizer is tfjs' Adam.
  const knobs = [...installKnobs, 'leanAdam'];
  const parseKnobs = (name: string): Set<string> => {
    const set = new Set(arg(name, '').split(',').filter(Boolean));
    for (const o of set) if (!knobs.includes(o as never)) throw new Error(`--${name} takes ${knobs.join(', ')}; got ${o}`);
    return set;
  };
  const off = parseKnobs('off');
  const ab = parseKnobs('ab');
  registerAdamKernels(tf);
  const adamKernel = tf.getKernel(ADAM_KERNEL, backendName);
  const configure = (offNow: Set<string>): void => {
    uninstallConvFilterGradient(tf);
    installConvFilterGradient(tf, Object.fromEntries(installKnobs.filter((k) => offNow.has(k)).map((k) => [k, false])));
    if (adamKernel) {
      const registered = Boolean(tf.getKernel(ADAM_KERNEL, backendName));
      if (offNow.has('leanAdam') && registered) tf.unregisterKernel(ADAM_KERNEL, backendName);
      if (!offNow.has('leanAdam') && !registered) tf.registerKernel(adamKernel);
    }
  };
  if (off.size) configure(off);
  const doc = parseGraphText(readFileSync(path.join(root, 'presets', `${preset}.json`), 'utf8'));
  if (!doc.ok) throw new Error(`presets/${preset}.json does not read`);
  const graph = doc.doc;
  const training = { ...TRAINING_DEFAULTS, ...graph.training };
  const batchSize = Number(arg('batch-size', String(training.batchSize)));
  const optimizerName = arg('optimizer', training.optimizer) as OptimizerName;

  const mnist = await loadMnist(nodeMnistReader(), { limit: { train: 20000, test: 0 } });
  const data = { classes: mnist.classes, shape: mnist.shape, train: mnist.train, test: mnist.test };
  const compiled = compileForData(graph, data);
  const { model } = compiled;
  const optimizer = makeOptimizer(tf, { optimizer: optimizerName, learningRate: training.learningRate });
  const adapter = taskAdapter(tf, 'classification', data.shape, model.outputs[0]!.shape.slice(1), data.classes.length);
  model.compile({ optimizer, ...adapter.compileArgs() } as tf.ModelCompileArgs);

  const size = data.shape[0] * data.shape[1] * data.shape[2];
  const xBuf = new Float32Array(batchSize * size);
  const rng = mulberry32(1);
  let cursor = 0;
  let dataMs = 0;
  /** One training step as trainer.ts takes it (batch preparation timed as 'data'). */
  const step = async (): Promise<number> => {
    const t0 = now();
    const idx = Array.from({ length: batchSize }, () => (cursor = (cursor + 7919) % data.train.count));
    const [xs, ys] = withContext('data', () => {
      gatherImages(data.train, idx, size, xBuf);
      const targets = adapter.batch(data.train, idx, xBuf, undefined, rng);
      return [tf.tensor4d(xBuf, [batchSize, ...data.shape]), tf.tensor(targets.values, targets.shape)];
    });
    dataMs += now() - t0;
    const out = (await model.trainOnBatch(xs, ys)) as number[];
    tf.dispose([xs, ys]);
    return out[0]!;
  };

  const cpus = (await import('node:os')).cpus();
  const load = (await import('node:os')).loadavg();
  console.log(`${preset}, batch ${batchSize}, ${optimizerName} ${training.learningRate}, backend ${tf.getBackend()}${off.size ? `, off: ${[...off].join(', ')}` : ''}; ${cpus.length}× ${cpus[0]?.model}; load ${load.map((l) => l.toFixed(2)).join(' ')}`);
  for (let i = 0; i < warmup; i++) await step();

  /** Wall and CPU (user + system, this process) milliseconds per step over `batches` steps. */
  const timeRun = async (): Promise<{ ips: number; msPerStep: number; cpuPerStep: number }> => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < batches; i++) await step();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    return { ips: (batches * batchSize) / (ms / 1000), msPerStep: ms / batches, cpuPerStep: (c.user + c.system) / 1000 / batches };
  };
  const show = (label: string, r: { ips: number; msPerStep: number; cpuPerStep: number }) =>
    console.log(`${label}: ${r.ips.toFixed(0)} images/s, ${r.msPerStep.toFixed(2)} ms per step, ${r.cpuPerStep.toFixed(2)} CPU ms per step (${batches} steps)`);
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  if (ab.size) {
    // Alternate: without the speed-ups (A), with them (B), `repeat` rounds each.
    const results = { A: [] as { msPerStep: number; cpuPerStep: number }[], B: [] as { msPerStep: number; cpuPerStep: number }[] };
    for (let r = 0; r < repeat; r++) {
      for (const which of ['A', 'B'] as const) {
        configure(which === 'A' ? new Set([...off, ...ab]) : off);
        for (let i = 0; i < 3; i++) await step();
        const res = await timeRun();
        results[which].push(res);
        show(`${which} (${which === 'A' ? `off: ${[...ab].join(', ')}` : 'on'}) round ${r + 1}`, res);
      }
    }
    const sum = (w: 'A' | 'B') => ({ wall: median(results[w].map((x) => x.msPerStep)), cpu: median(results[w].map((x) => x.cpuPerStep)) });
    const a = sum('A');
    const b = sum('B');
    console.log(`medians: A ${a.wall.toFixed(2)} ms (${a.cpu.toFixed(2)} CPU ms) per step, ${((batchSize * 1000) / a.wall).toFixed(0)} images/s; ` +
      `B ${b.wall.toFixed(2)} ms (${b.cpu.toFixed(2)} CPU ms), ${((batchSize * 1000) / b.wall).toFixed(0)} images/s; B/A speed ${(a.wall / b.wall).toFixed(2)}× wall, ${(a.cpu / b.cpu).toFixed(2)}× CPU`);
    return;
  }
  for (let r = 0; r < repeat; r++) show('uninstrumented', await timeRun());
  if (flag('no-profile')) return;

  // Instrument: kernels, gradients, layers' forward calls, the optimizer.
  instrumentKernels();
  const gradNames = new Set<string>();
  for (const k of tf.getKernelsForBackend(backendName)) gradNames.add(k.kernelName);
  instrumentGradients(gradNames);
  for (const layer of model.layers) {
    const call = layer.call.bind(layer);
    const ctx = `fwd:${layer.getClassName()}`;
    layer.call = (inputs, kwargs) => withContext(ctx, () => call(inputs, kwargs));
  }
  const apply = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (g) => withContext('optimizer', () => apply(g));

  dataMs = 0;
  profiling = true;
  const t0 = now();
  const w0 = performance.now();
  for (let i = 0; i < batches; i++) await step();
  const wall = now() - t0;
  const wallClock = performance.now() - w0;
  profiling = false;

  const perStep = (ms: number) => ms / batches;
  const list = [...rows.values()].sort((a, b) => b.ms - a.ms);
  const kernelMs = list.filter((r) => r.group !== 'data').reduce((s, r) => s + r.ms, 0);
  const wallStep = perStep(wall);
  const pct = (ms: number) => `${((100 * ms) / wallStep).toFixed(1)}%`;
  console.log(
    `\ninstrumented: ${((batches * batchSize) / (wallClock / 1000)).toFixed(0)} images/s, ${(wallClock / batches).toFixed(2)} ms per step; ` +
      `${wallStep.toFixed(2)} ${clockName === 'wall' ? 'wall' : 'CPU'} ms per step in the table below (its timers add some overhead)\n`,
  );
  const groups = new Map<string, { ms: number; calls: number }>();
  for (const r of list) {
    if (r.group === 'data') continue;
    const g = groups.get(r.group) ?? { ms: 0, calls: 0 };
    g.ms += perStep(r.ms);
    g.calls += r.calls / batches;
    groups.set(r.group, g);
  }
  groups.set('data (gather, targets, tensors)', { ms: perStep(dataMs), calls: NaN });
  groups.set('tfjs JavaScript (no kernel)', { ms: wallStep - perStep(kernelMs) - perStep(dataMs), calls: NaN });
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (v: number, d = 2) => (Number.isNaN(v) ? '' : v.toFixed(d)).padStart(8);
  console.log(`${pad('group', 34)}${'calls'.padStart(8)}${'ms/step'.padStart(8)}   share`);
  for (const [g, v] of [...groups.entries()].sort((a, b) => b[1].ms - a[1].ms)) console.log(`${pad(g, 34)}${num(v.calls, 1)}${num(v.ms)}   ${pct(v.ms)}`);
  console.log(`\n${pad('kernel', 52)}${pad('group', 24)}${'calls'.padStart(8)}${'ms/step'.padStart(8)}   share`);
  for (const r of list) {
    if (r.group === 'data') continue;
    console.log(`${pad(r.kernel, 52)}${pad(r.group, 24)}${num(r.calls / batches, 1)}${num(perStep(r.ms), 3)}   ${pct(perStep(r.ms))}`);
  }
  compiled.model.dispose();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
