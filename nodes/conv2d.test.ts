import { describe, expect, it } from 'vitest';
import conv2d from './conv2d';
import { resolveParams } from './params';
import { describeAgainstTfjs, expectShapeError } from './testing';

describeAgainstTfjs(conv2d, [
  { params: { filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }, inputs: [[28, 28, 1]] },
  { params: { filters: 16, kernelSize: 5 }, inputs: [[14, 14, 6]] },
  { params: { filters: 4, kernelSize: 4, strides: 2 }, inputs: [[9, 9, 3]] },
  { params: { filters: 4, kernelSize: 4, strides: 2, padding: 'same' }, inputs: [[9, 9, 3]] },
  { params: { filters: 3, kernelSize: [3, 1], strides: [1, 2], padding: 'same' }, inputs: [[7, 10, 2]] },
  { params: { filters: 2, kernelSize: 3, dilationRate: 2 }, inputs: [[11, 13, 5]] },
  { params: { filters: 8, kernelSize: 2, useBias: false }, inputs: [[5, 5, 3]] },
  { params: { filters: 1, kernelSize: 7, strides: 3, padding: 'valid' }, inputs: [[31, 17, 1]] },
  { params: { filters: 5, kernelSize: 3 }, inputs: [[3, 3, 1]] },
]);

describe('conv2d refuses what cannot work', () => {
  it('a kernel larger than the map with valid padding', () => {
    expectShapeError(conv2d, { filters: 4, kernelSize: 5 }, [[3, 3, 1]], /5×5 kernel does not fit in the 3×3 input/);
  });
  it('a flat input', () => {
    expectShapeError(conv2d, { filters: 4 }, [[120]], /needs a feature map.*gets 120.*Flatten/);
  });
  it('strides and dilation together', () => {
    expectShapeError(conv2d, { strides: 2, dilationRate: 2 }, [[9, 9, 1]], /strides > 1 with a dilation rate > 1/);
  });
  it('warns when the map shrinks to zero', () => {
    const { params } = resolveParams(conv2d, { filters: 4 });
    expect(conv2d.lint!([[2, 2, 1]], [0, 0, 4], params as never)[0]).toMatch(/shrinks the 2×2 map to zero/);
  });
});

describe('conv2d warns about what TensorFlow.js cannot train', () => {
  it('a dilated convolution with a linear activation', () => {
    const lint = (raw: Record<string, unknown>) => conv2d.lint!([[9, 9, 1]], [5, 5, 4], resolveParams(conv2d, raw).params as never);
    expect(lint({ dilationRate: 2 })[0]).toMatch(/cannot train a dilated convolution with activation "linear"/);
    expect(lint({ dilationRate: 2, activation: 'relu' })).toEqual([]);
    expect(lint({})).toEqual([]);
  });
});
