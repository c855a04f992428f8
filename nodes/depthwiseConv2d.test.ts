import { describe, expect, it } from 'vitest';
import depthwiseConv2d from './depthwiseConv2d';
import { describeAgainstTfjs, expectShapeError } from './testing';

describeAgainstTfjs(depthwiseConv2d, [
  { params: { kernelSize: 3 }, inputs: [[28, 28, 1]] },
  { params: { kernelSize: 3, padding: 'same', activation: 'relu' }, inputs: [[14, 14, 8]] },
  { params: { kernelSize: 4, strides: 2 }, inputs: [[9, 9, 3]] },
  { params: { kernelSize: 4, strides: 2, padding: 'same', depthMultiplier: 3 }, inputs: [[9, 9, 2]] },
  { params: { kernelSize: [3, 1], strides: [1, 2], padding: 'same' }, inputs: [[7, 10, 5]] },
  { params: { kernelSize: 5, strides: 3, depthMultiplier: 2, useBias: false }, inputs: [[31, 17, 4]] },
  { params: { kernelSize: 2, useBias: false }, inputs: [[5, 5, 3]] },
  { params: { kernelSize: [1, 5], depthMultiplier: 64 }, inputs: [[6, 5, 1]] },
  { params: { kernelSize: 3 }, inputs: [[2, 2, 6]] },
]);

describe('depthwiseConv2d refuses what cannot work', () => {
  it('a kernel larger than the map with valid padding', () => {
    expectShapeError(depthwiseConv2d, { kernelSize: 5 }, [[3, 3, 2]], /Depthwise Conv 2D: the 5×5 kernel does not fit in the 3×3 input/);
  });
  it('a flat input', () => {
    expectShapeError(depthwiseConv2d, {}, [[64]], /Depthwise Conv 2D needs a feature map.*gets 64/);
  });
  it('warns when the map shrinks to zero', () => {
    expect(depthwiseConv2d.lint!([[2, 2, 6]], [0, 0, 6], {} as never)[0]).toMatch(/shrinks the 2×2 map to zero/);
    expect(depthwiseConv2d.lint!([[5, 5, 6]], [3, 3, 6], {} as never)).toEqual([]);
  });
});
