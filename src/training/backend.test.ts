/** Backend selection in Node: WASM (binaries from node_modules) and CPU, with convolution training. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { chooseParallelPlan, chooseWasmThreads, initBackend, MAX_TRAINING_WORKERS, MAX_WASM_THREADS, type WasmThreadEnv } from './backend';
import { isConvGradientInstalled } from './conv-grad';

/** One training step of a small conv net; returns the loss and how much the first kernel moved. */
async function trainStep(): Promise<{ loss: number; moved: number }> {
  const input = tf.input({ shape: [12, 12, 2] });
  let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'linear' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
  const before = model.getWeights()[0]!.dataSync().slice() as Float32Array;
  const x = tf.randomUniform([8, 12, 12, 2]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
  const loss = (await model.trainOnBatch(x, y)) as number;
  const after = model.getWeights()[0]!.dataSync() as Float32Array;
  const moved = after.reduce((m, v, i) => Math.max(m, Math.abs(v - before[i]!)), 0);
  tf.dispose([x, y]);
  model.dispose();
  return { loss, moved };
}

describe('initBackend in Node', () => {
  it('skips WebGPU and WebGL and picks WASM by default', async () => {
    const r = await initBackend();
    expect(r.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(r.tried.map((t) => [t.name, t.ok])).toEqual([
      ['webgpu', false],
      ['webgl', false],
      ['wasm', true],
    ]);
    expect(r.tried[0]!.reason).toMatch(/Node/);
    expect(r.tried[1]!.reason).toMatch(/Node/);
    // tfjs loads only its single-thread binary in Node; the result says so, from tfjs' own count.
    expect(r.wasmThreads).toEqual({ threads: 1, why: 'tfjs runs WASM on one thread in Node' });
    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
  });

  it("initBackend(['wasm']) trains a conv net on WASM", async () => {
    const r = await initBackend(['wasm']);
    expect(r).toMatchObject({ name: 'wasm', tried: [{ name: 'wasm', ok: true }] });
    expect(tf.getBackend()).toBe('wasm');
    expect(isConvGradientInstalled(tf)).toBe(true);
    const { loss, moved } = await trainStep();
    expect(Number.isFinite(loss)).toBe(true);
    expect(moved).toBeGreaterThan(0);
    // The wasm backend was imported by initBackend, after which its MaxPoolGrad must be the fixed
    // one (tfjs 4.22's sends the gradient of an all-negative window to the window's first element).
    const x = tf.tensor4d([-5, -1, -3, -4], [1, 2, 2, 1]);
    const g = tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid').sum())(x);
    expect(Array.from(g.dataSync())).toEqual([0, 1, 0, 0]);
    tf.dispose([x, g]);
  });

  it("initBackend(['cpu']) gives CPU, and switching back works", async () => {
    const r = await initBackend(['cpu']);
    expect(r).toMatchObject({ name: 'cpu', tried: [{ name: 'cpu', ok: true }] });
    expect(tf.getBackend()).toBe('cpu');
    const { loss } = await trainStep();
    expect(Number.isFinite(loss)).toBe(true);
    expect((await initBackend(['wasm'])).name).toBe('wasm');
  });

  it('falls back past a backend it cannot have', async () => {
    const r = await initBackend(['webgl', 'cpu']);
    expect(r.name).toBe('cpu');
    expect(r.tried[0]).toMatchObject({ name: 'webgl', ok: false });
  });
});

describe('chooseWasmThreads', () => {
  const isolated: WasmThreadEnv = { node: false, crossOriginIsolated: true, threadsSupported: true, logicalCores: 2 };

  it('uses every logical core but one (left to the page) where the page is isolated and threads work', () => {
    expect(chooseWasmThreads(isolated)).toEqual({ threads: 1, why: 'one of the 2 cores is left to the page' });
    expect(chooseWasmThreads({ ...isolated, logicalCores: 6 })).toEqual({ threads: 5, why: 'one of the 6 cores is left to the page' });
  });

  it('runs one thread, and says why, where the threaded binary cannot run', () => {
    expect(chooseWasmThreads({ ...isolated, crossOriginIsolated: false })).toEqual({ threads: 1, why: 'page not cross-origin isolated' });
    expect(chooseWasmThreads({ ...isolated, threadsSupported: false })).toEqual({ threads: 1, why: 'this browser cannot share memory between WASM threads' });
    expect(chooseWasmThreads({ ...isolated, node: true }).threads).toBe(1);
    expect(chooseWasmThreads({ ...isolated, node: true }).why).toMatch(/Node/);
    expect(chooseWasmThreads({ ...isolated, logicalCores: 1 })).toEqual({ threads: 1, why: 'this machine has one core' });
    expect(chooseWasmThreads({ ...isolated, logicalCores: undefined })).toEqual({ threads: 1, why: 'this machine has one core' });
  });

  it('takes a requested count where threads can run, not where they cannot', () => {
    expect(chooseWasmThreads(isolated, 1)).toEqual({ threads: 1, why: 'set to 1 thread' });
    expect(chooseWasmThreads({ ...isolated, logicalCores: 16 }, 3)).toEqual({ threads: 3 });
    expect(chooseWasmThreads(isolated, 2.7)).toEqual({ threads: 2 });
    expect(chooseWasmThreads(isolated, 0)).toEqual({ threads: 1, why: 'set to 1 thread' });
    expect(chooseWasmThreads(isolated, Number.NaN)).toEqual({ threads: 1, why: 'one of the 2 cores is left to the page' });
    expect(chooseWasmThreads(isolated, 2)).toEqual({ threads: 2 });
    expect(chooseWasmThreads({ ...isolated, crossOriginIsolated: false }, 4)).toEqual({ threads: 1, why: 'page not cross-origin isolated' });
  });

  it("caps at tfjs' pool of 8 pthreads", () => {
    expect(MAX_WASM_THREADS).toBe(8);
    expect(chooseWasmThreads({ ...isolated, logicalCores: 32 })).toEqual({ threads: 8, why: 'tfjs runs at most 8 WASM threads' });
    expect(chooseWasmThreads({ ...isolated, logicalCores: 9 })).toEqual({ threads: 8, why: 'one of the 9 cores is left to the page' });
    expect(chooseWasmThreads(isolated, 12)).toEqual({ threads: 8, why: 'tfjs runs at most 8 WASM threads' });
  });
});

describe('chooseParallelPlan', () => {
  const isolated: WasmThreadEnv = { node: false, crossOriginIsolated: true, threadsSupported: true, logicalCores: 2 };

  it('splits the cores between the workers asked for', () => {
    expect(chooseParallelPlan(isolated, 2)).toEqual({ workers: 2, threadsPerWorker: 1 });
    expect(chooseParallelPlan({ ...isolated, logicalCores: 16 }, 4)).toEqual({ workers: 4, threadsPerWorker: 4 });
    expect(chooseParallelPlan({ ...isolated, logicalCores: 3 }, 2)).toEqual({ workers: 2, threadsPerWorker: 1 });
    expect(chooseParallelPlan({ ...isolated, logicalCores: 64 }, 2)).toEqual({ workers: 2, threadsPerWorker: MAX_WASM_THREADS });
    expect(chooseParallelPlan(isolated, 99).workers).toBe(MAX_TRAINING_WORKERS);
  });

  it('trains in one worker, and says why, where workers cannot share memory or one was asked for', () => {
    expect(chooseParallelPlan({ ...isolated, crossOriginIsolated: false }, 2)).toEqual({ workers: 1, threadsPerWorker: 1, why: 'page not cross-origin isolated' });
    expect(chooseParallelPlan({ ...isolated, threadsSupported: false }, 2)).toEqual({ workers: 1, threadsPerWorker: 1, why: 'this browser cannot share memory between workers' });
    expect(chooseParallelPlan({ ...isolated, node: true }, 2).workers).toBe(1);
    // One worker asked for: it keeps every core as threads (or the threads asked for).
    expect(chooseParallelPlan(isolated, 1)).toEqual({ workers: 1, threadsPerWorker: 1, why: 'set to 1 worker' });
    expect(chooseParallelPlan(isolated, 1, 2)).toEqual({ workers: 1, threadsPerWorker: 2, why: 'set to 1 worker' });
    expect(chooseParallelPlan(isolated, 1, 1)).toEqual({ workers: 1, threadsPerWorker: 1, why: 'set to 1 worker' });
    expect(chooseParallelPlan(isolated, Number.NaN).workers).toBe(1);
  });
});
