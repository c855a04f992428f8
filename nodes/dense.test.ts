import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import dense from './dense';
import { resolveParams } from './params';
import { describeAgainstTfjs, expectShapeError } from './testing';

describeAgainstTfjs(
  dense,
  [
    { params: {}, inputs: [[400]] },
    { params: { units: 120, activation: 'relu' }, inputs: [[400]] },
    { params: { units: 10, activation: 'softmax' }, inputs: [[84]] },
    { params: { units: 1, activation: 'sigmoid' }, inputs: [[7]] },
    { params: { units: 5, useBias: false }, inputs: [[3]] },
    { params: { units: 64, activation: 'tanh' }, inputs: [[1]] },
    { params: { units: 4 }, inputs: [[5, 5, 3]] },
    { params: { units: 3, useBias: false }, inputs: [[6, 9]] },
  ],
  // tfjs has no default for units (it is required), so the reference gets ours.
  (params) => tf.layers.dense({ units: 128, ...params }),
);

describe('dense', () => {
  it('refuses an input without axes', () => {
    expectShapeError(dense, {}, [[]], /Dense needs an input with at least one axis, not scalar/);
  });
  it('warns when applied to a map', () => {
    const p = resolveParams(dense, {}).params;
    expect(dense.lint!([[5, 5, 3]], [5, 5, 128], p)[0]).toMatch(/Dense gets a 5×5×3 map.*Flatten or global pooling/);
    expect(dense.lint!([[400]], [128], p)).toEqual([]);
  });
});
