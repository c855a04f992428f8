import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import cropping2d from './cropping2d';
import { resolveParams } from './params';
import { describeAgainstTfjs, expectShapeError } from './testing';

describeAgainstTfjs(cropping2d, [
  { params: { cropping: 1 }, inputs: [[28, 28, 1]] },
  { params: { cropping: 2 }, inputs: [[7, 9, 3]] },
  { params: { cropping: [1, 3] }, inputs: [[9, 9, 4]] },
  { params: { cropping: [[1, 2], [0, 3]] }, inputs: [[5, 6, 3]] },
  // A U-Net skip: a 9×9 encoder map cropped to meet an 8×8 decoder map.
  { params: { cropping: [[0, 1], [0, 1]] }, inputs: [[9, 9, 8]] },
  { params: { cropping: 0 }, inputs: [[3, 3, 2]] },
  { params: { cropping: [[2, 0], [0, 4]] }, inputs: [[3, 5, 1]] },
]);

describe('cropping2d', () => {
  it('normalises every cropping form to [[top, bottom], [left, right]]', () => {
    expect(resolveParams(cropping2d, { cropping: 2 }).params.cropping).toEqual([[2, 2], [2, 2]]);
    expect(resolveParams(cropping2d, { cropping: [1, 3] }).params.cropping).toEqual([[1, 1], [3, 3]]);
    expect(resolveParams(cropping2d, {}).params.cropping).toEqual([[1, 1], [1, 1]]);
  });
  it('keeps exactly the inner values (built layer against hand slicing)', () => {
    const p = resolveParams(cropping2d, { cropping: [[1, 2], [0, 3]] }).params;
    if (cropping2d.role === 'input') throw new Error('unreachable');
    const layer = cropping2d.build(tf, p, 'crop', [[5, 6, 2]]);
    // value = 100·row + 10·column + channel, so each kept value says where it came from.
    const data = Array.from({ length: 5 }, (_, y) => Array.from({ length: 6 }, (_, x) => [0, 1].map((c) => 100 * y + 10 * x + c)));
    const out = tf.tidy(() => (layer.apply(tf.tensor4d([data])) as tf.Tensor).arraySync()) as number[][][][];
    const want = [1, 2].map((y) => [0, 1, 2].map((x) => [0, 1].map((c) => 100 * y + 10 * x + c)));
    expect(out).toEqual([want]);
  });
  it('computes the cropped size by hand', () => {
    const p = resolveParams(cropping2d, { cropping: [[1, 2], [0, 3]] }).params;
    expect(cropping2d.inferShape([[10, 8, 5]], p)).toEqual([7, 5, 5]);
  });
  it('refuses a crop that removes everything', () => {
    expectShapeError(cropping2d, { cropping: [[2, 2], [0, 0]] }, [[4, 9, 1]], /leaves nothing.*at most 3 rows and 8 columns/);
    expectShapeError(cropping2d, { cropping: [0, 3] }, [[4, 6, 1]], /Cropping 2D cuts 0 \+ 0 rows and 3 \+ 3 columns off a 4×6 map/);
  });
  it('refuses a flat input', () => {
    expectShapeError(cropping2d, {}, [[120]], /Cropping 2D needs a feature map.*gets 120/);
  });
  it('warns when it cuts nothing', () => {
    const none = resolveParams(cropping2d, { cropping: 0 }).params;
    expect(cropping2d.lint!([[3, 3, 2]], [3, 3, 2], none)[0]).toMatch(/cuts nothing.*3×3×2/);
    const some = resolveParams(cropping2d, { cropping: [[0, 1], [0, 0]] }).params;
    expect(cropping2d.lint!([[3, 3, 2]], [2, 3, 2], some)).toEqual([]);
  });
  it('slices in the PyTorch forward step, keeping the last rows and columns when their crop is 0', () => {
    const p = resolveParams(cropping2d, { cropping: [[1, 0], [2, 3]] }).params;
    const ctx = { id: 'crop', inputs: [[6, 9, 4]], output: [5, 4, 4], args: ['x'], module: '', out: 'y' };
    expect(cropping2d.pytorch.forward(p as never, ctx)).toEqual(['x[:, :, 1:6, 2:6]']);
    expect(cropping2d.keras(p as never, ctx)).toBe("layers.Cropping2D(cropping=((1, 0), (2, 3)), name='crop')");
  });
});
