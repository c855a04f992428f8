import { describe, expect, it } from 'vitest';
import averagePooling2d from './averagePooling2d';
import { describeAgainstTfjs, expectShapeError } from './testing';

describeAgainstTfjs(averagePooling2d, [
  { params: {}, inputs: [[28, 28, 6]] },
  { params: {}, inputs: [[9, 9, 16]] },
  { params: { padding: 'same' }, inputs: [[9, 9, 16]] },
  { params: { poolSize: 3, strides: 2 }, inputs: [[11, 11, 2]] },
  { params: { poolSize: 3, strides: 3, padding: 'same' }, inputs: [[10, 10, 2]] },
  { params: { poolSize: 2, strides: 1 }, inputs: [[5, 6, 1]] },
  { params: { poolSize: [3, 2], strides: [1, 2], padding: 'same' }, inputs: [[7, 9, 3]] },
  { params: { poolSize: 4, strides: null }, inputs: [[17, 17, 4]] },
  { params: { poolSize: 3 }, inputs: [[2, 2, 3]] },
]);

describe('averagePooling2d refuses what cannot work', () => {
  it('a window that does not fit', () => {
    expectShapeError(averagePooling2d, { poolSize: 4, strides: 1 }, [[2, 2, 2]], /Average Pooling 2D: the 4×4 pool window does not fit in the 2×2 input/);
  });
  it('a flat input', () => {
    expectShapeError(averagePooling2d, {}, [[84]], /Average Pooling 2D needs a feature map.*gets 84/);
  });
  it('warns when the map shrinks to zero', () => {
    expect(averagePooling2d.lint!([[2, 2, 3]], [0, 0, 3], {} as never)[0]).toMatch(/Average Pooling 2D shrinks the 2×2 map to zero/);
  });
});
