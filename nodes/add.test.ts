import { describe, expect, it } from 'vitest';
import add from './add';
import { resolveParams } from './params';
import { describeAgainstTfjs, expectShapeError } from './testing';

describeAgainstTfjs(add, [
  { params: {}, inputs: [[14, 14, 16], [14, 14, 16]] },
  { params: { inputs: 2 }, inputs: [[120], [120]] },
  { params: { inputs: 3 }, inputs: [[7, 7, 64], [7, 7, 64], [7, 7, 64]] },
  { params: { inputs: 4 }, inputs: [[5, 3, 1], [5, 3, 1], [5, 3, 1], [5, 3, 1]] },
  { params: {}, inputs: [[1, 1, 1], [1, 1, 1]] },
  { params: {}, inputs: [[4, 10], [4, 10]] },
]);

describe('add refuses what cannot work', () => {
  it('mismatched shapes, naming the source nodes', () => {
    const p = resolveParams(add, {}).params;
    expect(() => add.inferShape([[14, 14, 16], [14, 14, 6]], p, ['c3', 's2'])).toThrow(
      /Add needs inputs of equal shape: c3 gives 14×14×16, s2 gives 14×14×6/,
    );
  });
  it('mismatched shapes without source names', () => {
    expectShapeError(add, { inputs: 3 }, [[8, 8, 4], [8, 8, 4], [4, 4, 4]], /input 1 gives 8×8×4, input 2 gives 8×8×4, input 3 gives 4×4×4/);
  });
  it('a map and a vector', () => {
    expectShapeError(add, {}, [[2, 2, 4], [16]], /Add needs inputs of equal shape: input 1 gives 2×2×4, input 2 gives 16/);
  });
});
