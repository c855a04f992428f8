import { describe, expect, it } from 'vitest';
import batchNormalization from './batchNormalization';
import { describeAgainstTfjs, expectShapeError } from './testing';

describeAgainstTfjs(batchNormalization, [
  { params: {}, inputs: [[28, 28, 6]] },
  { params: {}, inputs: [[120]] },
  { params: { center: false }, inputs: [[7, 7, 32]] },
  { params: { scale: false }, inputs: [[5, 9, 3]] },
  { params: { center: false, scale: false }, inputs: [[84]] },
  { params: { momentum: 0.9, epsilon: 1e-5 }, inputs: [[3, 3, 1]] },
  { params: { momentum: 0, epsilon: 1 }, inputs: [[4, 10]] },
  { params: {}, inputs: [[2, 3, 4, 5]] },
]);

describe('batchNormalization refuses what cannot work', () => {
  it('an input without axes', () => {
    expectShapeError(batchNormalization, {}, [[]], /at least one axis.*not scalar/);
  });
});

describe('batchNormalization warns about what TensorFlow.js cannot train', () => {
  it('center or scale turned off', async () => {
    const { resolveParams } = await import('./params');
    const lint = (raw: Record<string, unknown>) => batchNormalization.lint!([[4, 4, 2]], [4, 4, 2], resolveParams(batchNormalization, raw).params as never);
    expect(lint({ center: false })[0]).toMatch(/cannot train Batch Normalization with center or scale turned off/);
    expect(lint({})).toEqual([]);
  });
});
