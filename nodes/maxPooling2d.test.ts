import { describe, expect, it } from 'vitest';
import maxPooling2d from './maxPooling2d';
import { resolveParams } from './params';
import { describeAgainstTfjs, expectShapeError } from './testing';

describeAgainstTfjs(maxPooling2d, [
  { params: {}, inputs: [[28, 28, 6]] },
  { params: {}, inputs: [[7, 7, 3]] },
  { params: { padding: 'same' }, inputs: [[7, 7, 3]] },
  { params: { poolSize: 3, strides: 2 }, inputs: [[13, 13, 8]] },
  { params: { poolSize: 3, strides: 2, padding: 'same' }, inputs: [[13, 13, 8]] },
  { params: { poolSize: 3 }, inputs: [[10, 11, 1]] },
  { params: { poolSize: 3, strides: 1, padding: 'same' }, inputs: [[5, 5, 2]] },
  { params: { poolSize: [2, 1], strides: [2, 3] }, inputs: [[9, 10, 4]] },
  { params: { poolSize: [1, 4], strides: null, padding: 'same' }, inputs: [[5, 9, 2]] },
  // A window larger than the map: tfjs builds it with size 0 (our lint warns).
  { params: { poolSize: 4 }, inputs: [[2, 2, 3]] },
]);

describe('maxPooling2d refuses what cannot work', () => {
  it('a window that overshoots the map by more than a stride', () => {
    expectShapeError(maxPooling2d, { poolSize: 5, strides: 1 }, [[3, 3, 2]], /Max Pooling 2D: the 5×5 pool window does not fit in the 3×3 input/);
  });
  it('a flat input', () => {
    expectShapeError(maxPooling2d, {}, [[120]], /Max Pooling 2D needs a feature map.*gets 120.*Flatten/);
  });
  it('strides default to the pool size', () => {
    const shape = maxPooling2d.inferShape([[12, 12, 1]], resolveParams(maxPooling2d, { poolSize: 3, strides: null }).params);
    expect(shape).toEqual([4, 4, 1]);
  });
  it('warns when the map shrinks to zero', () => {
    const out = maxPooling2d.inferShape([[2, 2, 3]], resolveParams(maxPooling2d, { poolSize: 4 }).params);
    expect(maxPooling2d.lint!([[2, 2, 3]], out, {} as never)[0]).toMatch(/Max Pooling 2D shrinks the 2×2 map to zero \(0×0×3\)/);
    expect(maxPooling2d.lint!([[4, 4, 3]], [2, 2, 3], {} as never)).toEqual([]);
  });
});
