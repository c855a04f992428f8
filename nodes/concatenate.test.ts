import { describe, expect, it } from 'vitest';
import concatenate from './concatenate';
import { resolveParams } from './params';
import { describeAgainstTfjs, expectShapeError } from './testing';

describeAgainstTfjs(concatenate, [
  { params: {}, inputs: [[14, 14, 16], [14, 14, 6]] },
  { params: { inputs: 3 }, inputs: [[7, 7, 1], [7, 7, 2], [7, 7, 3]] },
  { params: { axis: 3 }, inputs: [[5, 5, 4], [5, 5, 8]] },
  { params: { axis: -2 }, inputs: [[2, 3, 4], [2, 5, 4]] },
  { params: { axis: 2 }, inputs: [[2, 3, 4], [2, 5, 4]] },
  { params: { axis: -3 }, inputs: [[2, 3, 4], [5, 3, 4]] },
  { params: { axis: 1, inputs: 4 }, inputs: [[1, 3, 4], [2, 3, 4], [3, 3, 4], [4, 3, 4]] },
  { params: {}, inputs: [[120], [84]] },
  { params: { axis: 1 }, inputs: [[10], [10]] },
  { params: { axis: -2 }, inputs: [[3, 10], [5, 10]] },
]);

describe('concatenate refuses what cannot work', () => {
  const sources = ['c3', 's2'];
  const infer = (raw: Record<string, unknown>, inputs: number[][]) =>
    concatenate.inferShape(inputs, resolveParams(concatenate, raw).params, sources);

  it('mismatched sizes on the other axes, naming the inputs', () => {
    expect(() => infer({}, [[14, 14, 16], [7, 7, 6]])).toThrow(
      /Concatenate joins along channels, so every other axis must match: c3 gives 14×14×16, s2 gives 7×7×6/,
    );
    expect(() => infer({ axis: -3 }, [[14, 14, 16], [14, 7, 16]])).toThrow(/joins along height.*c3 gives 14×14×16, s2 gives 14×7×16/);
  });
  it('inputs of different rank', () => {
    expect(() => infer({}, [[5, 5, 16], [400]])).toThrow(/same number of axes: c3 gives 5×5×16, s2 gives 400.*Flatten/);
  });
  it('the batch axis', () => {
    expectShapeError(concatenate, { axis: 0 }, [[3, 3, 1], [3, 3, 1]], /axis 0, the batch axis/);
  });
  it('an axis the inputs do not have', () => {
    expectShapeError(concatenate, { axis: -2 }, [[120], [84]], /axis -2 does not exist for 120 inputs/);
    expectShapeError(concatenate, { axis: 2 }, [[120], [84]], /axis 2 does not exist/);
  });
  it('describes inputs by number without source names', () => {
    expectShapeError(concatenate, {}, [[4, 4, 1], [4, 5, 1]], /input 1 gives 4×4×1, input 2 gives 4×5×1/);
  });
});
