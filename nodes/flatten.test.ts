import { describe, it } from 'vitest';
import flatten from './flatten';
import { describeAgainstTfjs, expectShapeError } from './testing';

describeAgainstTfjs(flatten, [
  { params: {}, inputs: [[28, 28, 1]] },
  { params: {}, inputs: [[5, 5, 16]] },
  { params: {}, inputs: [[7, 3, 9]] },
  { params: {}, inputs: [[1, 1, 10]] },
  { params: {}, inputs: [[4, 10]] },
  { params: {}, inputs: [[2, 3, 4, 5]] },
  { params: {}, inputs: [[0, 0, 3]] },
]);

describe('flatten refuses what cannot work', () => {
  // tfjs' computeOutputShape passes [null, 120] through, but applying Flatten to it fails
  // ("expected min_ndim=3, found ndim=2"); we refuse it up front.
  it('an input that is already flat', () => {
    expectShapeError(flatten, {}, [[120]], /Flatten needs a map with at least two axes, but gets 120, which is already flat: remove this Flatten node/);
  });
  it('a scalar', () => {
    expectShapeError(flatten, {}, [[]], /at least two axes, but gets scalar/);
  });
});
