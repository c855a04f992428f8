import * as tf from '@tensorflow/tfjs';
import { describe, it } from 'vitest';
import { describeAgainstTfjs, expectShapeError } from './testing';
import upSampling2d from './upSampling2d';

describeAgainstTfjs(
  upSampling2d,
  [
    { params: {}, inputs: [[7, 7, 16]] },
    { params: {}, inputs: [[5, 3, 1]] },
    { params: { size: 3 }, inputs: [[4, 4, 2]] },
    { params: { size: [2, 3] }, inputs: [[5, 4, 3]] },
    { params: { size: [1, 2], interpolation: 'bilinear' }, inputs: [[9, 9, 8]] },
    { params: { interpolation: 'bilinear' }, inputs: [[1, 1, 4]] },
    { params: { size: 1 }, inputs: [[6, 6, 6]] },
  ],
  // tfjs wants size as an array: a plain number silently gives NaN sizes, so the reference
  // gets the [n, n] form that our build() always passes.
  ({ size, ...rest }) => tf.layers.upSampling2d({ ...rest, size: typeof size === 'number' ? [size, size] : (size as number[] | undefined) }),
);

describe('upSampling2d refuses what cannot work', () => {
  it('a flat input', () => {
    expectShapeError(upSampling2d, {}, [[32]], /Up Sampling 2D needs a feature map.*gets 32/);
  });
});
