import { describe, expect, it } from 'vitest';
import { decodeDetections, encodeDetectionTargets, gridOf, type PixelBox } from './detection';
import { boxIoU } from './metrics';

const logit = (p: number) => Math.log(p / (1 - p));

/** A perfect network's output for these targets: logits that decode to exactly the targets. */
function perfectOutput(targets: Float32Array, classes: number): Float32Array {
  const ch = 5 + classes;
  const out = new Float32Array(targets.length);
  for (let o = 0; o < targets.length; o += ch) {
    const obj = targets[o]!;
    out[o] = obj ? 8 : -8;
    for (let j = 1; j < 5; j++) out[o + j] = logit(Math.min(0.999999, Math.max(1e-6, targets[o + j]!)));
    for (let k = 0; k < classes; k++) out[o + 5 + k] = targets[o + 5 + k] ? 6 : -6;
  }
  return out;
}

describe('the detection grid', () => {
  const grid = gridOf([null, 8, 8, 9].slice(1));

  it('reads the grid from the output shape and refuses a shape that is not one', () => {
    expect(grid).toEqual({ rows: 8, cols: 8, classes: 4 });
    expect(() => gridOf([8, 8, 5])).toThrow('A detection output is a grid [rows, columns, 5 + classes], not [8, 8, 5].');
    expect(() => gridOf([10])).toThrow(/not \[10\]/);
  });

  it('encodes a box in the cell of its centre: offset in the cell, size as a share of the image, class one-hot', () => {
    // 32×32 image, 8×8 grid of 4-pixel cells; box x 10..18 (centre 14 → column 3, offset 0.5), y 4..8 (centre 6 → row 1, offset 0.5).
    const { targets, lost, outside } = encodeDetectionTargets([[{ cls: 2, x: 10, y: 4, w: 8, h: 4 }]], grid, 32, 32);
    expect([lost, outside]).toEqual([0, 0]);
    const o = (1 * 8 + 3) * 9;
    expect(Array.from(targets.subarray(o, o + 9))).toEqual([1, 0.5, 0.5, 0.25, 0.125, 0, 0, 1, 0]);
    // Every other cell is all zeros.
    let sum = 0;
    targets.forEach((v) => (sum += v));
    expect(sum).toBeCloseTo(1 + 0.5 + 0.5 + 0.25 + 0.125 + 1, 6);
  });

  it('gives a shared cell to the larger box, counts the other as lost, and skips a box whose centre is outside', () => {
    const small: PixelBox = { cls: 0, x: 13, y: 13, w: 2, h: 2 };
    const big: PixelBox = { cls: 1, x: 10, y: 10, w: 8, h: 8 };
    for (const order of [
      [small, big],
      [big, small],
    ]) {
      const { targets, lost } = encodeDetectionTargets([[...order, { cls: 3, x: 40, y: 0, w: 4, h: 4 }]], grid, 32, 32);
      expect(lost).toBe(1);
      const o = (3 * 8 + 3) * 9;
      expect(targets[o + 3]).toBe(0.25); // the big one's width (8 / 32)
      expect(targets[o + 5 + 1]).toBe(1);
      expect(targets[o + 5 + 0]).toBe(0);
    }
    expect(encodeDetectionTargets([[{ cls: 3, x: 40, y: 0, w: 4, h: 4 }]], grid, 32, 32).outside).toBe(1);
    expect(() => encodeDetectionTargets([[{ cls: 4, x: 1, y: 1, w: 4, h: 4 }]], grid, 32, 32)).toThrow('A box has class 4 but the output has 4 classes.');
  });

  it('decodes what it encodes: a perfect output gives back every box, in pixels, scored near 1', () => {
    const boxes: PixelBox[] = [
      { cls: 0, x: 1, y: 2, w: 9, h: 7 },
      { cls: 3, x: 20, y: 18, w: 10, h: 12 },
      { cls: 1, x: 12, y: 3, w: 6, h: 6 },
    ];
    const { targets } = encodeDetectionTargets([boxes], grid, 32, 32);
    const dets = decodeDetections(perfectOutput(targets, 4), grid, 32, 32);
    expect(dets).toHaveLength(3);
    for (const b of boxes) {
      const d = dets.find((x) => x.class === b.cls)!;
      expect(boxIoU(d, b)).toBeGreaterThan(0.999);
      expect(d.score).toBeGreaterThan(0.99);
    }
    // Same boxes in another image size: decoding scales to it.
    const wide = decodeDetections(perfectOutput(targets, 4), grid, 64, 32);
    expect(wide.find((d) => d.class === 3)!.x).toBeCloseTo(40, 3);
  });

  it('drops cells under the score threshold and suppresses duplicates of a class', () => {
    const out = new Float32Array(8 * 8 * 9).fill(-8);
    // Two neighbouring cells predict nearly the same circle; a third, weak one a square.
    const put = (r: number, c: number, obj: number, cls: number, tx = 0) => {
      const o = (r * 8 + c) * 9;
      out[o] = obj;
      out[o + 1] = tx;
      out[o + 2] = 0;
      out[o + 3] = logit(0.3);
      out[o + 4] = logit(0.3);
      out[o + 5 + cls] = 8;
    };
    // Centres at x = 4 × 2.9 = 11.6 and 4 × 3.1 = 12.4: the same 9.6-pixel circle, seen from two cells.
    put(2, 2, 6, 0, logit(0.9));
    put(2, 3, 5, 0, logit(0.1));
    put(6, 6, logit(0.2), 1);
    const all = decodeDetections(out, grid, 32, 32, { scoreThreshold: 0.1, iou: null });
    expect(all).toHaveLength(3);
    const kept = decodeDetections(out, grid, 32, 32, { scoreThreshold: 0.1 });
    expect(kept.map((d) => d.class)).toEqual([0, 1]);
    expect(decodeDetections(out, grid, 32, 32)).toHaveLength(1); // default threshold 0.25 drops the weak square
  });
});
