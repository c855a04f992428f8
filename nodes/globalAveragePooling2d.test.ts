import { describe, it } from 'vitest';
import globalAveragePooling2d from './globalAveragePooling2d';
import { describeAgainstTfjs, expectShapeError } from './testing';

describeAgainstTfjs(globalAveragePooling2d, [
  { params: {}, inputs: [[7, 7, 512]] },
  { params: {}, inputs: [[5, 3, 16]] },
  { params: {}, inputs: [[1, 1, 10]] },
  { params: {}, inputs: [[28, 28, 1]] },
  { params: {}, inputs: [[9, 13, 7]] },
  { params: {}, inputs: [[2, 64, 3]] },
]);

describe('globalAveragePooling2d refuses what cannot work', () => {
  it('a flat input', () => {
    expectShapeError(globalAveragePooling2d, {}, [[10]], /Global Average Pooling 2D needs a feature map.*gets 10.*global pooling/);
  });
  it('a 4-axis input', () => {
    expectShapeError(globalAveragePooling2d, {}, [[2, 2, 2, 2]], /gets 2×2×2×2/);
  });
});
