import { describe, it } from 'vitest';
import conv2dTranspose from './conv2dTranspose';
import { describeAgainstTfjs, expectShapeError } from './testing';

describeAgainstTfjs(conv2dTranspose, [
  { params: { filters: 8, kernelSize: 3 }, inputs: [[7, 7, 16]] },
  { params: { filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }, inputs: [[7, 7, 16]] },
  { params: { filters: 4, kernelSize: 3, strides: 2 }, inputs: [[5, 5, 3]] },
  { params: { filters: 4, kernelSize: 2, strides: 2 }, inputs: [[5, 9, 3]] },
  { params: { filters: 2, kernelSize: 2, strides: 3 }, inputs: [[5, 5, 3]] },
  { params: { filters: 2, kernelSize: 2, strides: 3, padding: 'same' }, inputs: [[5, 5, 3]] },
  { params: { filters: 3, kernelSize: [5, 1], strides: [1, 2], padding: 'valid' }, inputs: [[4, 6, 2]] },
  { params: { filters: 1, kernelSize: 4, strides: [2, 3], padding: 'same', useBias: false }, inputs: [[3, 5, 6]] },
  { params: { filters: 6, kernelSize: 7 }, inputs: [[1, 1, 1]] },
]);

describe('conv2dTranspose refuses what cannot work', () => {
  it('a flat input', () => {
    expectShapeError(conv2dTranspose, {}, [[10]], /Conv 2D Transpose needs a feature map.*gets 10.*Flatten/);
  });
  it('a 4-axis input', () => {
    expectShapeError(conv2dTranspose, {}, [[2, 3, 4, 5]], /needs a feature map \(height×width×channels\) but gets 2×3×4×5/);
  });
});
