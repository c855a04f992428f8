import { describe, expect, it } from 'vitest';
import { resolveParams } from './params';
import { describeAgainstTfjs, expectShapeError } from './testing';
import zeroPadding2d from './zeroPadding2d';

describeAgainstTfjs(zeroPadding2d, [
  { params: {}, inputs: [[28, 28, 1]] },
  { params: { padding: 2 }, inputs: [[5, 7, 3]] },
  { params: { padding: [1, 3] }, inputs: [[9, 9, 4]] },
  { params: { padding: [[1, 2], [0, 3]] }, inputs: [[5, 4, 3]] },
  { params: { padding: [[0, 1], [0, 1]] }, inputs: [[7, 7, 8]] },
  { params: { padding: 0 }, inputs: [[3, 3, 2]] },
  { params: { padding: [0, 5] }, inputs: [[1, 1, 1]] },
]);

describe('zeroPadding2d', () => {
  it('normalises every padding form to [[top, bottom], [left, right]]', () => {
    expect(resolveParams(zeroPadding2d, { padding: 2 }).params.padding).toEqual([[2, 2], [2, 2]]);
    expect(resolveParams(zeroPadding2d, { padding: [1, 3] }).params.padding).toEqual([[1, 1], [3, 3]]);
    expect(resolveParams(zeroPadding2d, {}).params.padding).toEqual([[1, 1], [1, 1]]);
  });
  it('refuses a flat input', () => {
    expectShapeError(zeroPadding2d, {}, [[120]], /Zero Padding 2D needs a feature map.*gets 120/);
  });
  it('warns when it adds nothing', () => {
    const none = resolveParams(zeroPadding2d, { padding: 0 }).params;
    expect(zeroPadding2d.lint!([[3, 3, 2]], [3, 3, 2], none)[0]).toMatch(/adds nothing.*3×3×2/);
    const some = resolveParams(zeroPadding2d, { padding: [[0, 1], [0, 0]] }).params;
    expect(zeroPadding2d.lint!([[3, 3, 2]], [4, 3, 2], some)).toEqual([]);
  });
});
