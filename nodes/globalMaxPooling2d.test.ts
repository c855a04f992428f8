import { describe, it } from 'vitest';
import globalMaxPooling2d from './globalMaxPooling2d';
import { describeAgainstTfjs, expectShapeError } from './testing';

describeAgainstTfjs(globalMaxPooling2d, [
  { params: {}, inputs: [[7, 7, 512]] },
  { params: {}, inputs: [[5, 3, 16]] },
  { params: {}, inputs: [[1, 1, 10]] },
  { params: {}, inputs: [[28, 28, 1]] },
  { params: {}, inputs: [[9, 13, 7]] },
  { params: {}, inputs: [[64, 2, 3]] },
]);

describe('globalMaxPooling2d refuses what cannot work', () => {
  it('a flat input', () => {
    expectShapeError(globalMaxPooling2d, {}, [[10]], /Global Max Pooling 2D needs a feature map.*gets 10/);
  });
});
