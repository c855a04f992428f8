import { describe, expect, it } from 'vitest';
import { adjust, cameraFrameToInput, centreCrop } from './camera-frame';

/** An RGBA frame whose pixel (x, y) has the colour f(x, y). */
function frame(width: number, height: number, f: (x: number, y: number) => [number, number, number]) {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [r, g, b] = f(x, y);
      rgba.set([r, g, b, 255], (y * width + x) * 4);
    }
  return rgba;
}

/** Brute force: the mean of each k×k block of a square region starting at (x0, y0), per channel, in [0, 1]. */
function blockMeans(rgba: Uint8ClampedArray, width: number, x0: number, y0: number, k: number, n: number) {
  const out: number[][] = [];
  for (let oy = 0; oy < n; oy++)
    for (let ox = 0; ox < n; ox++) {
      const s = [0, 0, 0];
      for (let y = 0; y < k; y++)
        for (let x = 0; x < k; x++) for (let c = 0; c < 3; c++) s[c]! += rgba[((y0 + oy * k + y) * width + x0 + ox * k + x) * 4 + c]!;
      out.push(s.map((v) => v / (k * k) / 255));
    }
  return out;
}

describe('cameraFrameToInput', () => {
  it('takes the centred square of a landscape frame: the bands left and right of it are not seen', () => {
    // 16×8: columns 0–3 and 12–15 are red, the centre 8×8 is blue.
    const rgba = frame(16, 8, (x) => (x < 4 || x >= 12 ? [255, 0, 0] : [0, 0, 255]));
    const out = cameraFrameToInput(rgba, 16, 8, { shape: [4, 4, 3] });
    for (let i = 0; i < 16; i++) expect([...out.subarray(i * 3, i * 3 + 3)]).toEqual([0, 0, 1]);
    expect(centreCrop(16, 8, 4, 4)).toEqual({ x: 4, y: 0, width: 8, height: 8 });
    // Portrait: rows are cut instead.
    expect(centreCrop(6, 10, 28, 28)).toEqual({ x: 0, y: 2, width: 6, height: 6 });
  });

  it('scales by averaging each output pixel’s block (brute force, random frame, integer factor)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % 256;
    const rgba = frame(30, 24, () => [rand(), rand(), rand()]);
    // Centre square: 24×24 at x = 3; 24 → 6 is blocks of 4.
    const out = cameraFrameToInput(rgba, 30, 24, { shape: [6, 6, 3] });
    const want = blockMeans(rgba, 30, 3, 0, 4, 6);
    want.forEach((px, i) => px.forEach((v, c) => expect(out[i * 3 + c]).toBeCloseTo(v, 5)));
  });

  it('weights a source pixel by the share of it an output pixel covers (3 pixels → 2)', () => {
    // One row of three grey levels 0, 90, 255 (in a 3×3 frame, rows identical): output pixel 0
    // covers pixel 0 and half of pixel 1, output pixel 1 the other half and pixel 2.
    const levels = [0, 90, 255];
    const rgba = frame(3, 3, (x) => [levels[x]!, levels[x]!, levels[x]!]);
    const out = cameraFrameToInput(rgba, 3, 3, { shape: [2, 2, 1] });
    const left = (0 * 1 + 90 * 0.5) / 1.5 / 255;
    const right = (90 * 0.5 + 255 * 1) / 1.5 / 255;
    expect([...out].map((v) => +v.toFixed(6))).toEqual([left, right, left, right].map((v) => +v.toFixed(6)));
  });

  it('greyscale is the luma 0.299 R + 0.587 G + 0.114 B', () => {
    const colours: [number, number, number][] = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [200, 100, 50],
    ];
    const rgba = frame(2, 2, (x, y) => colours[y * 2 + x]!);
    const out = cameraFrameToInput(rgba, 2, 2, { shape: [2, 2, 1] });
    colours.forEach(([r, g, b], i) => expect(out[i]).toBeCloseTo((0.299 * r + 0.587 * g + 0.114 * b) / 255, 6));
  });

  it('invert turns dark ink on white paper into white on black', () => {
    const rgba = frame(4, 4, (x) => (x === 1 ? [20, 20, 20] : [240, 240, 240]));
    const plain = cameraFrameToInput(rgba, 4, 4, { shape: [4, 4, 1] });
    const inv = cameraFrameToInput(rgba, 4, 4, { shape: [4, 4, 1], invert: true });
    for (let i = 0; i < 16; i++) expect(inv[i]).toBeCloseTo(1 - plain[i]!, 6);
    expect(inv[1]).toBeGreaterThan(0.9); // the ink
    expect(inv[0]).toBeLessThan(0.1); // the paper
  });

  it('contrast stretches min..max to 0..1 and the threshold zeroes what lies below it', () => {
    const v = adjust(Float32Array.from([0.2, 0.4, 0.6]), { contrast: true });
    expect([...v].map((x) => +x.toFixed(6))).toEqual([0, 0.5, 1]);
    expect([...adjust(Float32Array.from([0.5, 0.5]), { contrast: true })]).toEqual([0.5, 0.5]); // flat: unchanged
    const t = adjust(Float32Array.from([0.1, 0.3, 0.8]), { invert: true, threshold: 0.5 });
    expect([...t].map((x) => +x.toFixed(6))).toEqual([0.9, 0.7, 0]);
    // Order: invert, then stretch, then threshold.
    const all = adjust(Float32Array.from([0.9, 0.7, 0.5]), { invert: true, contrast: true, threshold: 0.6 });
    expect([...all].map((x) => +x.toFixed(6))).toEqual([0, 0, 1]);
  });

  it('refuses a frame too short for its size and a channel count other than 1 or 3', () => {
    expect(() => cameraFrameToInput(new Uint8ClampedArray(10), 4, 4, { shape: [2, 2, 1] })).toThrow(/needs 64 RGBA bytes/);
    expect(() => cameraFrameToInput(new Uint8ClampedArray(64), 4, 4, { shape: [2, 2, 2] as never })).toThrow(/1 \(grey\) or 3/);
  });
});
