/**
 * The WASM matrix products with explicit transposes (matmul.ts, installed by
 * installConvFilterGradient) against the CPU backend's kernels, which the install leaves alone:
 * every combination of transposeA / transposeB, ranks 2 and 3, a broadcast batch, the fused
 * product with bias and activation, and the gradients of a dense layer.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { random, relError } from './numbers.testing';
import { installConvFilterGradient, uninstallConvFilterGradient } from './conv-grad';
import { MATMUL_MARK, TRANSPOSING_MATMUL_KERNELS } from './matmul';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);


const TOL = 1e-5;

/** Runs `f` on a backend with fresh tensors from the same data; returns the outputs' data and shapes. */
async function on(backend: string, inputs: [number[], number][], f: (...ts: tf.Tensor[]) => tf.Tensor | tf.Tensor[]) {
  expect(await tf.setBackend(backend)).toBe(true);
  const ts = inputs.map(([shape, seed]) => tf.tensor(random(size(shape), seed), shape));
  const before = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
  const out = f(...ts);
  const outs = Array.isArray(out) ? out : [out];
  const result = outs.map((t) => ({ data: t.dataSync() as Float32Array, shape: t.shape }));
  tf.dispose(outs);
  // Nothing left behind by the kernels (the transposed copies are freed).
  expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(before);
  tf.dispose(ts);
  return result;
}

async function expectSame(inputs: [number[], number][], f: (...ts: tf.Tensor[]) => tf.Tensor | tf.Tensor[]) {
  const ref = await on('cpu', inputs, f);
  const got = await on('wasm', inputs, f);
  expect(got.length).toBe(ref.length);
  ref.forEach((r, i) => {
    expect(got[i]!.shape).toEqual(r.shape);
    expect(relError(got[i]!.data, r.data)).toBeLessThan(TOL);
  });
}

beforeAll(() => installConvFilterGradient(tf));
afterAll(() => uninstallConvFilterGradient(tf));

describe('transposing matrix products on wasm', () => {
  it('are the kernels registered', () => {
    for (const k of TRANSPOSING_MATMUL_KERNELS) expect((tf.getKernel(k, 'wasm') as unknown as Record<symbol, unknown>)[MATMUL_MARK], k).toBe(true);
  });

  const cases: [string, number[], number[], boolean, boolean][] = [
    ['rank 2', [7, 5], [5, 3], false, false],
    ['rank 2, a transposed', [5, 7], [5, 3], true, false],
    ['rank 2, b transposed', [7, 5], [3, 5], false, true],
    ['rank 2, both transposed', [5, 7], [3, 5], true, true],
    ['LeNet dense dW = xᵀ·dy', [64, 400], [64, 120], true, false],
    ['LeNet dense dx = dy·Wᵀ', [64, 120], [400, 120], false, true],
    ['rank 3, a transposed', [2, 5, 7], [2, 5, 3], true, false],
    ['rank 3, both transposed', [2, 5, 7], [2, 3, 5], true, true],
    ['rank 3, broadcast batch, b transposed', [1, 4, 5], [3, 6, 5], false, true],
    ['a vector row, transposed', [1, 6], [1, 4], true, false],
  ];
  it.each(cases)('matMul %s', async (_n, a, b, ta, tb) => {
    await expectSame(
      [
        [a, 1],
        [b, 2],
      ],
      (x, y) => tf.matMul(x!, y!, ta, tb),
    );
  });

  it.each([
    ['relu, a transposed', [6, 4], [6, 5], true, false, 'relu'],
    ['linear, b transposed', [4, 6], [5, 6], false, true, 'linear'],
    ['elu, both transposed', [6, 4], [5, 6], true, true, 'elu'],
  ] as const)('fused matMul with bias, %s', async (_n, a, b, ta, tb, activation) => {
    await expectSame(
      [
        [[...a], 3],
        [[...b], 4],
        [[5], 5],
      ],
      (x, y, bias) => tf.fused.matMul({ a: x!, b: y!, transposeA: ta, transposeB: tb, bias, activation }),
    );
  });

  it('dense layer gradients (input, kernel, bias) match cpu', async () => {
    await expectSame(
      [
        [[64, 40], 6],
        [[40, 12], 7],
        [[12], 8],
        [[64, 12], 9],
      ],
      (x, w, bias, dy) => tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.relu(tf.add(tf.matMul(a, b), c)).mul(dy!).sum())([x!, w!, bias!]),
    );
  });

  it('are undone by uninstall', () => {
    uninstallConvFilterGradient(tf);
    for (const k of TRANSPOSING_MATMUL_KERNELS) expect((tf.getKernel(k, 'wasm') as unknown as Record<symbol, unknown>)[MATMUL_MARK], k).toBeUndefined();
    installConvFilterGradient(tf);
    for (const k of TRANSPOSING_MATMUL_KERNELS) expect((tf.getKernel(k, 'wasm') as unknown as Record<symbol, unknown>)[MATMUL_MARK], k).toBe(true);
  });
});
