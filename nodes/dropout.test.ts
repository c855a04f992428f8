import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import dropout from './dropout';
import { resolveParams } from './params';
import { describeAgainstTfjs } from './testing';

describeAgainstTfjs(
  dropout,
  [
    { params: {}, inputs: [[120]] },
    { params: { rate: 0.25 }, inputs: [[14, 14, 6]] },
    { params: { rate: 0 }, inputs: [[5, 3, 1]] },
    { params: { rate: 0.999 }, inputs: [[84]] },
    { params: { rate: 0.1 }, inputs: [[2, 3, 4, 5]] },
    { params: { rate: 0.5 }, inputs: [[1]] },
  ],
  // tfjs has no default rate (it is required), so the reference gets ours.
  (params) => tf.layers.dropout({ rate: (params.rate as number | undefined) ?? 0.5 }),
);

describe('dropout', () => {
  it('accepts rates from 0 up to, not including, 1', () => {
    expect(resolveParams(dropout, { rate: 0 }).problems).toEqual([]);
    expect(resolveParams(dropout, { rate: 1 }).problems[0]!.message).toMatch(/less than 1/);
    expect(resolveParams(dropout, { rate: -0.1 }).problems[0]!.message).toMatch(/at least 0/);
  });
  it('warns when it drops nothing', () => {
    expect(dropout.lint!([[10]], [10], resolveParams(dropout, { rate: 0 }).params)[0]).toMatch(/drops nothing/);
    expect(dropout.lint!([[10]], [10], resolveParams(dropout, {}).params)).toEqual([]);
  });
});
