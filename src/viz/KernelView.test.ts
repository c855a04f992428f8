import { describe, expect, it } from 'vitest';
import { divergingColour, paintKernels, scaleBound } from './KernelView';

describe('kernel colours: blue negative, white zero, red positive', () => {
  it('maps -1, 0, 1 to the ends and the middle of the scale, and clamps', () => {
    expect(divergingColour(0)).toEqual([255, 255, 255]);
    expect(divergingColour(-1)).toEqual([33, 102, 172]);
    expect(divergingColour(1)).toEqual([178, 24, 43]);
    expect(divergingColour(5)).toEqual(divergingColour(1));
    // half way: half way to white
    expect(divergingColour(0.5)).toEqual([Math.round(255 + (178 - 255) / 2), Math.round(255 + (24 - 255) / 2), Math.round(255 + (43 - 255) / 2)]);
  });

  it('is symmetric about zero: the bound is the largest magnitude', () => {
    expect(scaleBound(-0.2, 0.5)).toBe(0.5);
    expect(scaleBound(-0.8, 0.1)).toBe(0.8);
    expect(scaleBound(0, 0)).toBe(1);
    expect(scaleBound(undefined, undefined)).toBe(1);
  });

  it('recovers weights from the 8-bit levels and leaves the gaps between tiles grey', () => {
    // Two 1×2 tiles side by side (cols 2) with a 1-pixel gap: width 2+1+2 = 5, height 1.
    // Weights range over [-0.5, 1]: level 0 is -0.5, level 255 is 1, level 85 is 0.
    const pixels = Uint8ClampedArray.from([0, 85, 0, 255, 170]);
    const rgba = paintKernels({ width: 5, height: 1, cols: 2, tile: [1, 2], shown: 2, pixels, min: -0.5, max: 1 });
    const px = (i: number) => [...rgba.slice(i * 4, i * 4 + 3)];
    expect(px(0)).toEqual(divergingColour(-0.5)); // -0.5 of a bound of 1: light blue, not full blue
    expect(px(1)).toEqual([255, 255, 255]); // 0 is white
    expect(px(2)).toEqual([203, 208, 216]); // the gap
    expect(px(3)).toEqual(divergingColour(1));
    expect(px(4)).toEqual(divergingColour(0.5));
    expect(rgba[3]).toBe(255);
  });

  it('greys out the tiles of a last row that holds no filter', () => {
    // 3 filters in a 2×2 grid of 1×1 tiles: width 3, height 3; the bottom-right tile is empty.
    const pixels = new Uint8ClampedArray(9).fill(255);
    const rgba = paintKernels({ width: 3, height: 3, cols: 2, tile: [1, 1], shown: 3, pixels, min: 0, max: 2 });
    expect([...rgba.slice(8 * 4, 8 * 4 + 3)]).toEqual([203, 208, 216]);
    expect([...rgba.slice(6 * 4, 6 * 4 + 3)]).toEqual(divergingColour(1));
  });
});
