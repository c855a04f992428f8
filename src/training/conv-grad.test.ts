/**
 * The forward-convolution gradients of conv-grad.ts against tfjs' own gradients on the CPU backend.
 *
 * How the reference is kept clean: the gradient registry is global, so every reference value is
 * computed in `beforeAll` BEFORE `installConvFilterGradient` runs (asserting that the registry
 * still holds tfjs' own Conv2D gradient), with `tf.grads` through the public ops on 'cpu' — i.e.
 * exactly the path an un-patched LayerLab takes (CPU kernels Conv2DBackpropFilter,
 * Conv2DBackpropInput, DepthwiseConv2dNativeBackprop*). Vitest runs each test file in its own
 * module graph, so no other file's install leaks in here. Only then is the override installed and
 * the same gradients computed again on 'cpu' and 'wasm'.
 *
 * tfjs' own gradients refuse dilation rates > 1. For those cases the reference is the gradient of
 * the equivalent undilated convolution whose filter has (d − 1) zeros between taps — the same
 * function of x — with the filter gradient read back at the real taps.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { random, relError } from './numbers.testing';
import { installConvFilterGradient, isConvGradientInstalled, REPLACED_KERNELS, SUPPLIED_WASM_KERNELS, uninstallConvFilterGradient } from './conv-grad';

type Pair = [number, number];
type Pad = 'same' | 'valid';
type Kind = 'conv2d' | 'depthwise' | 'transpose';

interface Case {
  name: string;
  kind: Kind;
  /** conv2d / depthwise: x [B, H, W, Cin]; transpose: the op's input [B, H, W, Cin]. */
  x: [number, number, number, number];
  k: Pair;
  /** conv2d: Cout; depthwise: channel multiplier; transpose: output channels. */
  out: number;
  strides: Pair;
  pad: Pad;
  dilation: Pair;
}

const c = (kind: Kind, name: string, x: Case['x'], k: Pair, out: number, strides: Pair, pad: Pad, dilation: Pair = [1, 1]): Case => ({
  kind,
  name: `${kind} ${name}: x ${x.join('×')}, k ${k.join('×')}, out ${out}, s ${strides.join(',')}, ${pad}${dilation.some((d) => d > 1) ? `, d ${dilation.join(',')}` : ''}`,
  x,
  k,
  out,
  strides,
  pad,
  dilation,
});

const CASES: Case[] = [
  c('conv2d', 'smallest', [1, 5, 5, 1], [3, 3], 1, [1, 1], 'same'),
  c('conv2d', 'valid', [3, 7, 7, 3], [3, 3], 4, [1, 1], 'valid'),
  c('conv2d', 'same stride 2 odd input', [3, 9, 9, 3], [3, 3], 4, [2, 2], 'same'),
  c('conv2d', 'valid stride 2', [1, 9, 7, 1], [3, 3], 4, [2, 2], 'valid'),
  c('conv2d', 'even kernel', [3, 7, 7, 3], [4, 4], 1, [1, 1], 'same'),
  c('conv2d', 'even kernel stride 2 (asymmetric same padding)', [1, 7, 9, 3], [4, 4], 4, [2, 2], 'same'),
  c('conv2d', 'even kernel even input', [3, 8, 8, 1], [2, 2], 1, [2, 2], 'valid'),
  c('conv2d', 'rectangular kernel', [3, 7, 9, 3], [3, 5], 4, [1, 1], 'same'),
  c('conv2d', 'rectangular kernel stride 2', [1, 11, 9, 3], [5, 2], 1, [2, 2], 'valid'),
  c('conv2d', 'unequal strides', [3, 9, 8, 3], [3, 3], 4, [2, 1], 'same'),
  c('conv2d', 'stride 3 leaves rows unused', [1, 10, 10, 3], [2, 2], 4, [3, 3], 'valid'),
  c('conv2d', 'dilation 2', [3, 9, 9, 3], [3, 3], 4, [1, 1], 'same', [2, 2]),
  c('conv2d', 'dilation 2 valid rectangular', [1, 9, 11, 1], [2, 3], 4, [1, 1], 'valid', [2, 2]),
  c('conv2d', 'LeNet c1', [3, 28, 28, 1], [5, 5], 6, [1, 1], 'same'),
  c('depthwise', 'multiplier 1', [3, 7, 7, 3], [3, 3], 1, [1, 1], 'same'),
  c('depthwise', 'multiplier 2 valid', [1, 9, 7, 3], [3, 3], 2, [1, 1], 'valid'),
  c('depthwise', 'stride 2', [3, 9, 9, 3], [3, 3], 2, [2, 2], 'same'),
  c('depthwise', 'even rectangular stride 2', [1, 8, 9, 1], [4, 2], 1, [2, 2], 'valid'),
  c('depthwise', 'dilation 2', [3, 9, 9, 3], [3, 3], 2, [1, 1], 'same', [2, 2]),
  c('transpose', 'stride 1', [3, 5, 5, 3], [3, 3], 4, [1, 1], 'same'),
  c('transpose', 'stride 2 same', [1, 5, 4, 3], [3, 3], 2, [2, 2], 'same'),
  c('transpose', 'stride 2 valid even kernel', [3, 4, 5, 1], [4, 4], 3, [2, 2], 'valid'),
];


const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Filter shape of a case: conv2d [kh, kw, Cin, Cout], depthwise [kh, kw, C, M], transpose [kh, kw, Cout, Cin]. */
function filterShape(cs: Case): [number, number, number, number] {
  const cin = cs.x[3];
  return cs.kind === 'transpose' ? [cs.k[0], cs.k[1], cs.out, cin] : [cs.k[0], cs.k[1], cin, cs.out];
}

/** Output shape of conv2dTranspose for a case (tfjs-layers' formula). */
function transposeOutShape(cs: Case): [number, number, number, number] {
  const len = (n: number, k: number, s: number) => (cs.pad === 'same' ? n * s : n * s + Math.max(k - s, 0));
  return [cs.x[0], len(cs.x[1], cs.k[0], cs.strides[0]), len(cs.x[2], cs.k[1], cs.strides[1]), cs.out];
}

/** The filter with (d − 1) zeros between taps: an undilated conv with it equals the dilated conv. */
function dilateFilter(f: Float32Array, shape: readonly number[], d: Pair): { data: Float32Array; shape: [number, number, number, number] } {
  const [kh, kw, ci, co] = shape as [number, number, number, number];
  const eh = (kh - 1) * d[0] + 1;
  const ew = (kw - 1) * d[1] + 1;
  const data = new Float32Array(eh * ew * ci * co);
  for (let p = 0; p < kh; p++)
    for (let q = 0; q < kw; q++)
      for (let j = 0; j < ci * co; j++) data[((p * d[0]) * ew + q * d[1]) * ci * co + j] = f[(p * kw + q) * ci * co + j]!;
  return { data, shape: [eh, ew, ci, co] };
}

/** Reads the gradient of a dilated filter back from the gradient of its zero-inserted version. */
function undilateGrad(g: Float32Array, shape: readonly number[], d: Pair): Float32Array {
  const [kh, kw, ci, co] = shape as [number, number, number, number];
  const ew = (kw - 1) * d[1] + 1;
  const out = new Float32Array(kh * kw * ci * co);
  for (let p = 0; p < kh; p++)
    for (let q = 0; q < kw; q++)
      for (let j = 0; j < ci * co; j++) out[(p * kw + q) * ci * co + j] = g[((p * d[0]) * ew + q * d[1]) * ci * co + j]!;
  return out;
}

interface Grads {
  dx: Float32Array;
  df: Float32Array;
}

/**
 * Gradients of L = Σ op(x, f) · w (so dy = w, random) on the active backend. With `viaDilatedFilter`
 * a dilated case is computed as the equivalent undilated conv (for tfjs' own gradient, which
 * refuses dilations).
 */
function grads(cs: Case, viaDilatedFilter = false): Grads {
  const xData = random(size(cs.x), 1);
  const fShape = filterShape(cs);
  let fData = random(size(fShape), 2);
  let fs = fShape;
  let dil = cs.dilation;
  const dilated = viaDilatedFilter && dil.some((d) => d > 1);
  if (dilated) {
    ({ data: fData, shape: fs } = dilateFilter(fData, fShape, dil));
    dil = [1, 1];
  }
  const x = tf.tensor4d(xData, cs.x);
  const f = tf.tensor4d(fData, fs);
  const op = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D => {
    switch (cs.kind) {
      case 'conv2d':
        return tf.conv2d(a, b, cs.strides, cs.pad, 'NHWC', dil);
      case 'depthwise':
        return tf.depthwiseConv2d(a, b, cs.strides, cs.pad, 'NHWC', dil);
      case 'transpose':
        return tf.conv2dTranspose(a, b, transposeOutShape(cs), cs.strides, cs.pad);
    }
  };
  const outShape = tf.tidy(() => op(x, f).shape);
  const w = tf.tensor(random(size(outShape), 3), outShape);
  const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => op(a as tf.Tensor4D, b as tf.Tensor4D).mul(w).sum())([x, f]);
  const out = { dx: dx!.dataSync() as Float32Array, df: df!.dataSync() as Float32Array };
  tf.dispose([x, f, w, dx!, df!]);
  if (dilated) out.df = undilateGrad(out.df, fShape, cs.dilation);
  return out;
}


const TOL = 1e-4;
const reference = new Map<string, Grads>();
/** The registry entries before the install (to check that uninstall restores them). */
const before = new Map<string, unknown>();

beforeAll(async () => {
  for (const [k, b] of REPLACED_KERNELS) before.set(`${b}/${k}`, tf.getKernel(k, b));
  before.set('grad/ResizeNearestNeighbor', tf.getGradient('ResizeNearestNeighbor'));
  expect(await tf.setBackend('cpu')).toBe(true);
  // The reference must come from tfjs' own gradients: nothing may have been installed yet.
  expect(isConvGradientInstalled(tf)).toBe(false);
  for (const cs of CASES) reference.set(cs.name, grads(cs, true));
  installConvFilterGradient(tf);
  expect(isConvGradientInstalled(tf)).toBe(true);
});

afterAll(() => uninstallConvFilterGradient(tf));

describe.each(['cpu', 'wasm'])('overridden gradients on %s', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    expect(tf.getBackend()).toBe(backend);
  });

  it.each(CASES.map((cs) => [cs.name, cs] as const))('%s', (_name, cs) => {
    const ref = reference.get(cs.name)!;
    const got = grads(cs);
    expect(relError(got.df, ref.df), 'filter gradient').toBeLessThan(TOL);
    expect(relError(got.dx, ref.dx), 'input gradient').toBeLessThan(TOL);
  });
});

describe('kernels supplied to the wasm backend', () => {
  it('registers exactly the missing ones', () => {
    for (const k of SUPPLIED_WASM_KERNELS) expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
  });

  /** Runs a kernel on a backend with the same inputs (as plain data) and returns its output. */
  async function runOn(backend: string, kernel: string, inputs: Record<string, [Float32Array, number[]]>, attrs: object) {
    expect(await tf.setBackend(backend)).toBe(true);
    const ts = Object.fromEntries(Object.entries(inputs).map(([k, [d, s]]) => [k, tf.tensor(d, s)]));
    const out = tf.engine().runKernel(kernel, ts, attrs as tf.NamedAttrMap) as tf.Tensor;
    const data = out.dataSync() as Float32Array;
    tf.dispose([out, ...Object.values(ts)]);
    return { data, shape: out.shape };
  }

  const geometries = [
    { strides: [1, 1], pad: 'same', x: [3, 7, 9, 3], k: [3, 3] },
    { strides: [2, 2], pad: 'same', x: [1, 9, 8, 2], k: [4, 3] },
    { strides: [2, 1], pad: 'valid', x: [3, 8, 7, 1], k: [2, 3] },
    { strides: [1, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]], x: [2, 6, 6, 2], k: [3, 3] },
  ] as const;

  it.each(geometries.map((g) => [JSON.stringify(g), g] as const))('Conv2DBackpropFilter, DepthwiseConv2dNativeBackprop{Filter,Input} match cpu: %s', async (_n, g) => {
    const x = [...g.x];
    const cin = x[3]!;
    const m = 2;
    for (const [kernel, filterShape] of [
      ['Conv2DBackpropFilter', [g.k[0], g.k[1], cin, 4]],
      ['DepthwiseConv2dNativeBackpropFilter', [g.k[0], g.k[1], cin, m]],
      ['DepthwiseConv2dNativeBackpropInput', [g.k[0], g.k[1], cin, m]],
    ] as const) {
      const depthwise = kernel !== 'Conv2DBackpropFilter';
      const info = tf.backend_util.computeConv2DInfo(x as never, [...filterShape], [...g.strides] as never, 1, g.pad as never, undefined, depthwise);
      const dyShape = info.outShape;
      const attrs = { strides: g.strides, pad: g.pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined, filterShape, inputShape: x };
      const inputs: Record<string, [Float32Array, number[]]> =
        kernel === 'DepthwiseConv2dNativeBackpropInput'
          ? { dy: [random(size(dyShape), 5), dyShape], filter: [random(size(filterShape), 6), [...filterShape]] }
          : { x: [random(size(x), 7), x], dy: [random(size(dyShape), 8), dyShape] };
      const ref = await runOn('cpu', kernel, inputs, attrs);
      const got = await runOn('wasm', kernel, inputs, attrs);
      expect(got.shape, kernel).toEqual(ref.shape);
      expect(relError(got.data, ref.data), kernel).toBeLessThan(TOL);
    }
  });

  it('lets fused (linear) conv2d and depthwise conv2d train on wasm, leaking no tensors', async () => {
    // tfjs' fused ops compute their gradients in a closure that calls the backprop kernels directly.
    const run = async (backend: string) => {
      expect(await tf.setBackend(backend)).toBe(true);
      const x = tf.tensor4d(random(2 * 8 * 8 * 3, 11), [2, 8, 8, 3]);
      const f = tf.tensor4d(random(3 * 3 * 3 * 4, 12), [3, 3, 3, 4]);
      const fd = tf.tensor4d(random(3 * 3 * 3 * 2, 13), [3, 3, 3, 2]);
      const bias = tf.tensor1d([0.1, 0.2, 0.3, 0.4]);
      const before = tf.memory().numTensors;
      const gs = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
        tf.add(
          tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 2, pad: 'same', bias, activation: 'linear' }).square().sum(),
          tf.fused.depthwiseConv2d({ x: a as tf.Tensor4D, filter: d as tf.Tensor4D, strides: 1, pad: 'valid', activation: 'linear' }).square().sum(),
        ),
      )([x, f, fd]);
      const data = gs.map((g) => g.dataSync() as Float32Array);
      tf.dispose(gs);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, f, fd, bias]);
      return data;
    };
    const ref = await run('cpu');
    const got = await run('wasm');
    for (let i = 0; i < ref.length; i++) expect(relError(got[i]!, ref[i]!)).toBeLessThan(TOL);
  });
});

/** Plain-JS max pooling gradient: each window's dy goes to its first maximum. */
function maxPoolGradRef(x: Float32Array, dy: Float32Array, shape: number[], k: number, s: number, pad: 'same' | 'valid'): Float32Array {
  const [b, h, w, c] = shape as [number, number, number, number];
  const info = tf.backend_util.computePool2DInfo([b, h, w, c], k, s, 1, pad);
  const dx = new Float32Array(x.length);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < info.outHeight; i++)
      for (let j = 0; j < info.outWidth; j++)
        for (let d = 0; d < c; d++) {
          let best = -Infinity;
          let at = -1;
          for (let r = i * s - info.padInfo.top; r < i * s - info.padInfo.top + k; r++)
            for (let q = j * s - info.padInfo.left; q < j * s - info.padInfo.left + k; q++) {
              if (r < 0 || r >= h || q < 0 || q >= w) continue;
              const idx = ((n * h + r) * w + q) * c + d;
              if (x[idx]! > best) {
                best = x[idx]!;
                at = idx;
              }
            }
          if (at >= 0) dx[at]! += dy[((n * info.outHeight + i) * info.outWidth + j) * c + d]!;
        }
  return dx;
}

/** Plain-JS gradient of nearest-neighbour upsampling by whole factors: block sums. */
function upsampleGradRef(dy: Float32Array, shape: number[], fh: number, fw: number): Float32Array {
  const [b, h, w, c] = shape as [number, number, number, number];
  const dx = new Float32Array(b * h * w * c);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < h * fh; i++)
      for (let j = 0; j < w * fw; j++)
        for (let d = 0; d < c; d++) dx[((n * h + Math.floor(i / fh)) * w + Math.floor(j / fw)) * c + d]! += dy[((n * h * fh + i) * w * fw + j) * c + d]!;
  return dx;
}

describe('fixed kernels', () => {
  it.each([
    ['valid 2×2', [3, 6, 8, 2], 2, 2, 'valid'],
    ['same 3×3 stride 2 (overlapping, padded)', [2, 7, 5, 3], 3, 2, 'same'],
    ['valid 3×3 stride 1', [1, 5, 6, 1], 3, 1, 'valid'],
  ] as const)('max pooling gradient, %s, with all-negative windows, on cpu and wasm', async (_n, shape, k, s, pad) => {
    // Values in [-1.5, 0.5): many windows have a negative maximum (wasm's MaxPoolGrad got those wrong).
    const xData = random(size(shape), 21).map((v) => v - 0.5);
    const outShape = tf.backend_util.computePool2DInfo([...shape] as never, k, s, 1, pad).outShape;
    const dyData = random(size(outShape), 22);
    const ref = maxPoolGradRef(xData, dyData, [...shape], k, s, pad);
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true);
      const x = tf.tensor4d(xData, [...shape] as never);
      const dy = tf.tensor(dyData, outShape);
      const g = tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, k, s, pad).mul(dy).sum())(x);
      expect(relError(g.dataSync() as Float32Array, ref), backend).toBeLessThan(TOL);
      tf.dispose([x, dy, g]);
    }
  });

  it.each([
    ['LeNet s2 (2×2, the unrolled path)', [4, 28, 28, 6], 'valid'],
    ['LeNet s4 (2×2, the unrolled path)', [4, 10, 10, 16], 'valid'],
    ['2×2 same on an odd input (a window hangs over: the general path)', [2, 7, 5, 3], 'same'],
    ['2×2 valid on an odd input (the last row and column are unused)', [2, 7, 5, 3], 'valid'],
  ] as const)('max pooling gradient 2×2 stride 2, %s, with ties, zeros, NaN and ±∞, matches the cpu kernel', async (_n, shape, pad) => {
    // After a ReLU many windows are all zeros (ties: the first one takes the gradient).
    const xData = random(size(shape), 29).map((v, i) => (i % 97 === 0 ? NaN : i % 89 === 0 ? -Infinity : i % 83 === 0 ? Infinity : Math.max(0, v)));
    const outShape = tf.backend_util.computePool2DInfo([...shape] as never, 2, 2, 1, pad).outShape;
    const dyData = random(size(outShape), 30);
    const run = async (backend: string) => {
      expect(await tf.setBackend(backend)).toBe(true);
      const x = tf.tensor4d(xData, [...shape] as never);
      const dy = tf.tensor(dyData, outShape);
      const y = tf.maxPool(x, 2, 2, pad);
      const g = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad }) as tf.Tensor;
      const data = g.dataSync() as Float32Array;
      tf.dispose([x, dy, y, g]);
      return data;
    };
    const ref = await run('cpu');
    const got = await run('wasm');
    expect(got).toEqual(ref);
    // And both follow the plain-JS reference (first maximum; NaN never wins).
    expect(relError(ref, maxPoolGradRef(xData, dyData, [...shape], 2, 2, pad))).toBe(0);
  });

  it.each([
    [[1, 4, 4, 1], [2, 2]],
    [[3, 5, 7, 2], [2, 3]],
    [[2, 4, 3, 3], [3, 1]],
  ])('nearest upsampling gradient of %j by %j, on cpu and wasm', async (shape, [fh, fw]) => {
    const out = [shape[0]!, shape[1]! * fh!, shape[2]! * fw!, shape[3]!];
    const dyData = random(size(out), 23);
    const ref = upsampleGradRef(dyData, shape, fh!, fw!);
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true);
      const x = tf.tensor4d(random(size(shape), 24), shape as never);
      const dy = tf.tensor(dyData, out);
      for (const halfPixel of [false, true]) {
        const g = tf.grad((a: tf.Tensor) => tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [out[1]!, out[2]!], false, halfPixel).mul(dy).sum())(x);
        expect(relError(g.dataSync() as Float32Array, ref), `${backend}, halfPixelCenters ${halfPixel}`).toBeLessThan(TOL);
        g.dispose();
      }
      tf.dispose([x, dy]);
    }
  });

  it('nearest resizing by other factors keeps tfjs gradient (wasm kernel as the reference)', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const x = tf.tensor4d(random(2 * 4 * 6 * 2, 25), [2, 4, 6, 2]);
    const dy = tf.tensor(random(2 * 7 * 9 * 2, 26), [2, 7, 9, 2]);
    const g = tf.grad((a: tf.Tensor) => tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [7, 9], true).mul(dy).sum())(x);
    const k = tf.engine().runKernel('ResizeNearestNeighborGrad', { images: x, dy }, { alignCorners: true }) as tf.Tensor;
    expect(relError(g.dataSync() as Float32Array, k.dataSync() as Float32Array)).toBeLessThan(TOL);
    tf.dispose([x, dy, g, k]);
  });

  it('bilinear upsampling gradient of a non-square map: cpu matches wasm', async () => {
    const run = async (backend: string) => {
      expect(await tf.setBackend(backend)).toBe(true);
      const x = tf.tensor4d(random(2 * 5 * 7 * 3, 27), [2, 5, 7, 3]);
      const dy = tf.tensor(random(2 * 10 * 21 * 3, 28), [2, 10, 21, 3]);
      const g = tf.grad((a: tf.Tensor) => tf.image.resizeBilinear(a as tf.Tensor4D, [10, 21]).mul(dy).sum())(x);
      expect(g.shape).toEqual([2, 5, 7, 3]);
      const data = g.dataSync() as Float32Array;
      tf.dispose([x, dy, g]);
      return data;
    };
    expect(relError(await run('cpu'), await run('wasm'))).toBeLessThan(TOL);
  });
});

describe('install', () => {
  it('is idempotent and can be undone', () => {
    const conv = tf.getGradient('Conv2D');
    const kernel = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    const maxPoolGrad = tf.getKernel('MaxPoolGrad', 'wasm');
    installConvFilterGradient(tf);
    expect(tf.getGradient('Conv2D')).toBe(conv);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(kernel);
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).toBe(maxPoolGrad);
    uninstallConvFilterGradient(tf);
    expect(isConvGradientInstalled(tf)).toBe(false);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    for (const [k, b] of REPLACED_KERNELS) expect(tf.getKernel(k, b), `${b}/${k}`).toBe(before.get(`${b}/${k}`));
    expect(tf.getGradient('ResizeNearestNeighbor')).toBe(before.get('grad/ResizeNearestNeighbor'));
    installConvFilterGradient(tf);
    expect(isConvGradientInstalled(tf)).toBe(true);
  });
});
