/**
 * The invariance lab's transforms against independent expectations: whole-pixel shifts by
 * hand, the direction of a 90° rotation on screen, and an independent bilinear sampler (pixel
 * centres at +0.5, 0 outside) for rotations by other angles and for scaling.
 */
import { describe, expect, it } from 'vitest';
import {
  IDENTITY_TRANSFORM,
  isIdentityTransform,
  isTransformKind,
  singleTransform,
  TRANSFORM_KINDS,
  TRANSFORM_SPECS,
  transformBatch,
  transformImage,
  type ProbeTransform,
} from './transforms';

/** An h×w×c image with value 1 at (x, y) in every channel. */
function dot(x: number, y: number, w: number, h: number, c = 1): Float32Array {
  const img = new Float32Array(w * h * c);
  for (let k = 0; k < c; k++) img[(y * w + x) * c + k] = 1;
  return img;
}

/** The [x, y] of every pixel above 0.5 (channel 0). */
function bright(img: Float32Array, w: number, c = 1): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < img.length / c; i++) if (img[i * c]! > 0.5) out.push([i % w, Math.floor(i / w)]);
  return out;
}

/** A deterministic pseudo-random image (values in [0, 1)). */
function noise(n: number, seed = 7): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  });
}

/**
 * Independent reference: the value at continuous image position (px, py), where pixel (i, j)
 * covers [i, i+1) × [j, j+1) and its centre is at (i + 0.5, j + 0.5); bilinear between the four
 * nearest pixel centres, 0 outside the image.
 */
function sampleAt(img: Float32Array, w: number, h: number, c: number, ch: number, px: number, py: number): number {
  const fx = px - 0.5;
  const fy = py - 0.5;
  const i0 = Math.floor(fx);
  const j0 = Math.floor(fy);
  let v = 0;
  for (const [i, wx] of [
    [i0, 1 - (fx - i0)],
    [i0 + 1, fx - i0],
  ] as const) {
    for (const [j, wy] of [
      [j0, 1 - (fy - j0)],
      [j0 + 1, fy - j0],
    ] as const) {
      const inside = i >= 0 && j >= 0 && i < w && j < h;
      if (inside) v += img[(j * w + i) * c + ch]! * wx * wy;
    }
  }
  return v;
}

/**
 * Independent reference of a rotation by `deg` (counter-clockwise as seen on screen, y down) and a
 * scale `s` about the image centre (w/2, h/2): the output pixel at p takes the source value at
 * centre + R(−deg)·(p − centre)/s.
 */
function referenceWarp(img: Float32Array, w: number, h: number, c: number, deg: number, s: number, x: number, y: number, ch = 0): number {
  const cx = w / 2;
  const cy = h / 2;
  const u = (x + 0.5 - cx) / s;
  const v = (y + 0.5 - cy) / s;
  // Screen coordinates have y down; in "maths" coordinates (y up) a counter-clockwise rotation by θ
  // maps (u, −v) to (u cosθ + v sinθ, u sinθ − v cosθ)... so the forward map on screen is
  // u' = u cosθ + v sinθ, v' = −u sinθ + v cosθ, and its inverse (what we sample) is:
  const t = (deg * Math.PI) / 180;
  const su = u * Math.cos(t) - v * Math.sin(t);
  const sv = u * Math.sin(t) + v * Math.cos(t);
  return sampleAt(img, w, h, c, ch, cx + su, cy + sv);
}

const T = (p: Partial<ProbeTransform>): ProbeTransform => ({ ...IDENTITY_TRANSFORM, ...p });

describe('shift-x and shift-y', () => {
  const W = 7;
  const H = 6;

  it.each([
    [1, 0],
    [3, 0],
    [-2, 0],
    [0, 1],
    [0, -2],
    [2, -1],
  ])('shift by (%i, %i) moves a dot by whole pixels, right and down positive', (dx, dy) => {
    const out = transformImage(dot(3, 2, W, H), [H, W, 1], T({ shiftX: dx, shiftY: dy }));
    expect(bright(out, W)).toEqual([[3 + dx, 2 + dy]]);
    // Exactly one 1 and zeros elsewhere: whole-pixel shifts do not blur.
    expect([...out].filter((v) => v !== 0)).toEqual([1]);
  });

  it('fills with 0 what comes in from outside and drops what leaves', () => {
    const img = noise(H * W).map((v) => v * 0.5 + 0.25); // no zeros in the source
    const out = transformImage(img, [H, W, 1], singleTransform('shift-x', 2));
    for (let y = 0; y < H; y++) {
      expect(out[y * W]).toBe(0);
      expect(out[y * W + 1]).toBe(0);
      for (let x = 2; x < W; x++) expect(out[y * W + x]).toBeCloseTo(img[y * W + x - 2]!, 6);
    }
    const down = transformImage(img, [H, W, 1], singleTransform('shift-y', -2));
    for (let x = 0; x < W; x++) {
      expect(down[(H - 1) * W + x]).toBe(0);
      expect(down[(H - 2) * W + x]).toBe(0);
      for (let y = 0; y < H - 2; y++) expect(down[y * W + x]).toBeCloseTo(img[(y + 2) * W + x]!, 6);
    }
    // A dot shifted off the image is gone.
    expect(Math.max(...transformImage(dot(6, 0, W, H), [H, W, 1], T({ shiftX: 1 })))).toBe(0);
  });

  it('a half-pixel shift averages neighbours (bilinear)', () => {
    const out = transformImage(dot(3, 2, W, H), [H, W, 1], T({ shiftX: 0.5 }));
    expect(out[2 * W + 3]).toBeCloseTo(0.5, 6);
    expect(out[2 * W + 4]).toBeCloseTo(0.5, 6);
    expect([...out].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('moves every channel of a colour image together', () => {
    const out = transformImage(dot(1, 1, 4, 4, 3), [4, 4, 3], T({ shiftX: 2, shiftY: 1 }));
    expect(Array.from(out.subarray((2 * 4 + 3) * 3, (2 * 4 + 3) * 3 + 3))).toEqual([1, 1, 1]);
    expect([...out].reduce((a, b) => a + b, 0)).toBe(3);
  });
});

describe('rotate', () => {
  it('90° counter-clockwise on screen takes a pixel right of the centre to above the centre', () => {
    // 7×7: the centre pixel is (3, 3); (5, 3) is 2 to its right, (3, 1) is 2 above it.
    expect(bright(transformImage(dot(5, 3, 7, 7), [7, 7, 1], T({ rotate: 90 })), 7)).toEqual([[3, 1]]);
    // And above goes to the left, left to below (a full turn in quarters).
    expect(bright(transformImage(dot(3, 1, 7, 7), [7, 7, 1], T({ rotate: 90 })), 7)).toEqual([[1, 3]]);
    expect(bright(transformImage(dot(1, 3, 7, 7), [7, 7, 1], T({ rotate: 90 })), 7)).toEqual([[3, 5]]);
    // −90 is clockwise: right goes to below.
    expect(bright(transformImage(dot(5, 3, 7, 7), [7, 7, 1], T({ rotate: -90 })), 7)).toEqual([[3, 5]]);
    // 180 flips through the centre, also on an even-sized image (centre between pixels).
    expect(bright(transformImage(dot(1, 0, 4, 4), [4, 4, 1], T({ rotate: 180 })), 4)).toEqual([[2, 3]]);
  });

  it('rotating a 28×28 image by 90° four times gives it back exactly', () => {
    const img = noise(28 * 28);
    let out = img;
    for (let k = 0; k < 4; k++) out = transformImage(out, [28, 28, 1], T({ rotate: 90 }));
    expect(out).toEqual(img);
  });

  it.each([15, 30, 45, -37.5, 123])('%s° matches an independent bilinear computation (pixel centres at +0.5, 0 outside)', (deg) => {
    const w = 9;
    const h = 8;
    const img = noise(w * h * 2, 3);
    const out = transformImage(img, [h, w, 2], T({ rotate: deg }));
    for (const [x, y] of [
      [0, 0],
      [4, 4],
      [2, 5],
      [8, 7],
      [6, 1],
      [5, 3],
    ] as const) {
      for (const ch of [0, 1]) expect(out[(y * w + x) * 2 + ch], `pixel ${x},${y} channel ${ch}`).toBeCloseTo(referenceWarp(img, w, h, 2, deg, 1, x, y, ch), 5);
    }
  });
});

describe('scale', () => {
  it('2× about the centre: the reference at every pixel, and a centred block doubles in size', () => {
    const w = 8;
    const h = 8;
    const img = noise(w * h, 11);
    const out = transformImage(img, [h, w, 1], singleTransform('scale', 2));
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(out[y * w + x]).toBeCloseTo(referenceWarp(img, w, h, 1, 0, 2, x, y), 5);

    // A 2×2 block at the centre of an 8×8 image: along each axis the output profile is
    // [0, ¼, ¾, 1, 1, ¾, ¼, 0] (the block, twice as wide, blurred by the bilinear edges).
    const block = new Float32Array(64);
    for (const [x, y] of [
      [3, 3],
      [4, 3],
      [3, 4],
      [4, 4],
    ] as const) block[y * 8 + x] = 1;
    const big = transformImage(block, [8, 8, 1], T({ scale: 2 }));
    const profile = [0, 0.25, 0.75, 1, 1, 0.75, 0.25, 0];
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) expect(big[y * 8 + x], `pixel ${x},${y}`).toBeCloseTo(profile[x]! * profile[y]!, 6);
    // Its mass grows with the area: ×4.
    expect([...big].reduce((a, b) => a + b, 0)).toBeCloseTo(16, 5);
  });

  it('0.5 shrinks towards the centre, with zeros around', () => {
    const img = new Float32Array(64).fill(1);
    const out = transformImage(img, [8, 8, 1], T({ scale: 0.5 }));
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) expect(out[y * 8 + x]).toBeCloseTo(referenceWarp(img, 8, 8, 1, 0, 0.5, x, y), 5);
    expect(out[0]).toBe(0);
    expect(out[3 * 8 + 4]).toBeCloseTo(1, 6);
  });

  it('combined rotation and scale match the reference', () => {
    const img = noise(10 * 10, 5);
    const out = transformImage(img, [10, 10, 1], T({ rotate: 30, scale: 1.5 }));
    for (let y = 0; y < 10; y += 3) for (let x = 0; x < 10; x += 2) expect(out[y * 10 + x]).toBeCloseTo(referenceWarp(img, 10, 10, 1, 30, 1.5, x, y), 5);
  });
});

describe('brightness', () => {
  it('multiplies every value and clips to [0, 1]', () => {
    const img = Float32Array.from([0, 0.1, 0.25, 0.5, 0.6, 1]);
    expect(Array.from(transformImage(img, [2, 3, 1], singleTransform('brightness', 2)))).toEqual(Array.from(img, (v) => Math.min(1, Math.fround(v * 2))));
    expect(Array.from(transformImage(img, [2, 3, 1], T({ brightness: 0.5 })))).toEqual(Array.from(img, (v) => Math.fround(v * 0.5)));
    expect(Array.from(transformImage(img, [2, 3, 1], T({ brightness: 0 })))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Math.max(...transformImage(img, [2, 3, 1], T({ brightness: 3 })))).toBe(1);
  });
});

describe('identity, batches and bad input', () => {
  it('the identity is an unchanged copy, not the same array', () => {
    const img = noise(5 * 4 * 3);
    const out = transformImage(img, [5, 4, 3], IDENTITY_TRANSFORM);
    expect(out).toEqual(img);
    expect(out).not.toBe(img);
    out[0] = 42;
    expect(img[0]).not.toBe(42);
    for (const kind of TRANSFORM_KINDS) {
      expect(isIdentityTransform(singleTransform(kind, TRANSFORM_SPECS[kind].identity)), kind).toBe(true);
      expect(transformImage(img, [5, 4, 3], singleTransform(kind, TRANSFORM_SPECS[kind].identity))).toEqual(img);
    }
  });

  it('transformBatch transforms each image alike and leaves the input alone', () => {
    const size = 6 * 6;
    const imgs = noise(3 * size, 9);
    const copy = imgs.slice();
    const t = T({ rotate: 20, shiftX: 1 });
    const out = transformBatch(imgs, 3, [6, 6, 1], t);
    expect(imgs).toEqual(copy);
    for (let i = 0; i < 3; i++) expect(out.subarray(i * size, (i + 1) * size)).toEqual(transformImage(imgs.subarray(i * size, (i + 1) * size), [6, 6, 1], t));
    // Only the first `count` images.
    expect(transformBatch(imgs, 2, [6, 6, 1], t)).toHaveLength(2 * size);
  });

  it('throws on a wrong shape or a scale that is not positive', () => {
    expect(() => transformImage(new Float32Array(10), [3, 3, 1], IDENTITY_TRANSFORM)).toThrow(/3×3×1 has 9 values, not 10/);
    expect(() => transformImage(new Float32Array(9), [3, 3, 1], T({ scale: 0 }))).toThrow(/scale must be more than 0/);
    expect(() => transformImage(new Float32Array(9), [3, 3, 1], T({ scale: -1 }))).toThrow(/scale/);
    expect(() => transformImage(new Float32Array(9), [3, 3, 1], T({ scale: NaN }))).toThrow(/scale/);
  });

  it('the specs: identity inside the bounds and among the sweep values; kinds are recognised', () => {
    for (const kind of TRANSFORM_KINDS) {
      const s = TRANSFORM_SPECS[kind];
      expect(s.identity).toBeGreaterThanOrEqual(s.min);
      expect(s.identity).toBeLessThanOrEqual(s.max);
      expect(s.sweep).toContain(s.identity);
      expect(singleTransform(kind, 0.75)[s.field]).toBe(0.75);
      expect(isTransformKind(kind)).toBe(true);
    }
    expect(isTransformKind('zoom')).toBe(false);
  });
});
