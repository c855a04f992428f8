import { describe, expect, it } from 'vitest';
import {
  augmentBatch,
  augmentBoxBatch,
  augmentSegBatch,
  NO_AUGMENTATION,
  warpBoxes,
  warpImage,
  warpMask,
  warpMatrix,
  type Box,
  type WarpParams,
} from './augment';
import { mulberry32 } from './rng';

const ID: WarpParams = { dx: 0, dy: 0, angle: 0, scale: 1, flip: false, brightness: 0 };

function randomImages(n: number, size: number, seed = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n * size }, () => r());
}

/** A 5×5 single-channel image with one bright pixel. */
function dot(x: number, y: number, w = 5, h = 5): Float32Array {
  const img = new Float32Array(w * h);
  img[y * w + x] = 1;
  return img;
}
const where = (img: Float32Array, w = 5) => [...img].flatMap((v, i) => (v > 0.5 ? [[i % w, Math.floor(i / w)]] : []));

describe('augmentBatch', () => {
  it('identity returns the very same data, untouched, without drawing numbers', () => {
    const imgs = randomImages(3, 28 * 28);
    const copy = imgs.slice();
    let draws = 0;
    const out = augmentBatch(imgs, 3, [28, 28, 1], NO_AUGMENTATION, () => (draws++, 0.5));
    expect(out).toBe(imgs);
    expect(out).toEqual(copy);
    expect(draws).toBe(0);
  });

  it('is seeded, keeps values in [0, 1] and changes the images', () => {
    const aug = { shift: 3, rotation: 30, zoom: 0.2, brightness: 0.3, flip: true };
    const a = augmentBatch(randomImages(8, 16 * 16 * 3), 8, [16, 16, 3], aug, mulberry32(5));
    const b = augmentBatch(randomImages(8, 16 * 16 * 3), 8, [16, 16, 3], aug, mulberry32(5));
    expect(a).toEqual(b);
    expect(a).not.toEqual(randomImages(8, 16 * 16 * 3));
    for (const v of a) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('only touches the first `count` images', () => {
    const imgs = randomImages(4, 25);
    const tail = imgs.slice(50);
    augmentBatch(imgs, 2, [5, 5, 1], { ...NO_AUGMENTATION, shift: 2 }, mulberry32(1));
    expect(imgs.subarray(50)).toEqual(tail);
  });
});

describe('warpImage', () => {
  const shape = [5, 5, 1] as const;

  it('flip twice is the identity, flip once mirrors', () => {
    const img = randomImages(1, 25);
    const once = warpImage(img, new Float32Array(25), shape, { ...ID, flip: true });
    const twice = warpImage(once, new Float32Array(25), shape, { ...ID, flip: true });
    expect(twice).toEqual(img);
    expect(where(warpImage(dot(0, 1), new Float32Array(25), shape, { ...ID, flip: true }))).toEqual([[4, 1]]);
  });

  it('a 1 px shift moves a bright pixel by 1 px', () => {
    const out = warpImage(dot(2, 2), new Float32Array(25), shape, { ...ID, dx: 1 });
    expect(where(out)).toEqual([[3, 2]]);
    expect(out[2 * 5 + 3]).toBe(1);
    expect(out.reduce((s, v) => s + v, 0)).toBe(1);
    expect(where(warpImage(dot(2, 2), new Float32Array(25), shape, { ...ID, dy: -2 }))).toEqual([[2, 0]]);
    // shifted out of the image: gone with zero fill
    expect(where(warpImage(dot(4, 2), new Float32Array(25), shape, { ...ID, dx: 1 }))).toEqual([]);
  });

  it('rotates by 90° counter-clockwise on screen', () => {
    // An L: pixel right of the centre and one below it.
    const img = dot(3, 2);
    img[3 * 5 + 2] = 1;
    const out = warpImage(img, new Float32Array(25), shape, { ...ID, angle: 90 });
    // right → up, down → right
    expect(where(out).sort()).toEqual([[2, 1], [3, 2]].sort());
    expect(out.reduce((s, v) => s + v, 0)).toBe(2);
    const back = warpImage(out, new Float32Array(25), shape, { ...ID, angle: -90 });
    expect(back).toEqual(img);
  });

  it('zooms about the centre and adds brightness with clamping', () => {
    const zoomed = warpImage(dot(3, 2), new Float32Array(25), shape, { ...ID, scale: 2 });
    expect(zoomed[2 * 5 + 4]).toBe(1); // 1 px right of centre → 2 px
    const img = Float32Array.from({ length: 25 }, (_, i) => i / 24);
    const bright = warpImage(img, new Float32Array(25), shape, { ...ID, brightness: 0.5 });
    expect(bright[0]).toBeCloseTo(0.5);
    expect(bright[24]).toBe(1);
    const dark = warpImage(img, new Float32Array(25), shape, { ...ID, brightness: -2 });
    expect(Math.max(...dark)).toBe(0);
  });

  it('edge fill repeats the border instead of black', () => {
    const img = new Float32Array(25).fill(0.7);
    const out = warpImage(img, new Float32Array(25), shape, { ...ID, dx: 2 }, 'edge');
    expect([...out].every((v) => Math.abs(v - 0.7) < 1e-6)).toBe(true);
    const zero = warpImage(img, new Float32Array(25), shape, { ...ID, dx: 2 });
    expect(zero[0]).toBe(0);
  });

  it('keeps channels apart in RGB images', () => {
    const img = new Float32Array(5 * 5 * 3);
    img[(2 * 5 + 2) * 3 + 1] = 1; // green centre
    const out = warpImage(img, new Float32Array(75), [5, 5, 3], { ...ID, dx: 1 });
    expect(out[(2 * 5 + 3) * 3 + 1]).toBe(1);
    expect(out[(2 * 5 + 3) * 3]).toBe(0);
  });
});

/** A square mask of a few random axis-aligned class rectangles (classes 1…k) on background 0. */
function blockMask(size: number, k: number, seed: number): Uint8Array {
  const r = mulberry32(seed);
  const m = new Uint8Array(size * size);
  for (let j = 0; j < 6; j++) {
    const cls = 1 + Math.floor(r() * k);
    const x0 = Math.floor(r() * size);
    const y0 = Math.floor(r() * size);
    const x1 = Math.min(size, x0 + 2 + Math.floor(r() * size * 0.5));
    const y1 = Math.min(size, y0 + 2 + Math.floor(r() * size * 0.5));
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * size + x] = cls;
  }
  return m;
}

const K = 4;
const asImage = (m: Uint8Array) => Float32Array.from(m, (v) => v / K);

describe('warpMask', () => {
  const S = 12;

  it('integer shifts, 90° turns and flips move mask and image identically, pixel for pixel', () => {
    const mask = blockMask(S, K, 3);
    const img = asImage(mask);
    const cases: Partial<WarpParams>[] = [
      { dx: 2 },
      { dy: -3 },
      { dx: -1, dy: 4 },
      { flip: true },
      { angle: 90 },
      { angle: -90 },
      { angle: 180 },
      { angle: 270, flip: true, dx: 1, dy: -2 },
    ];
    for (const c of cases) {
      const p = { ...ID, ...c };
      const wi = warpImage(img, new Float32Array(S * S), [S, S, 1], p);
      const wm = warpMask(mask, new Uint8Array(S * S), [S, S], p);
      expect(Array.from(wi, (v) => Math.round(v * K))).toEqual([...wm]);
      expect([...wm].some((v) => v > 0)).toBe(true);
    }
  });

  it('hand-worked: a 1 px shift and a flip', () => {
    const m = new Uint8Array(25);
    m[2 * 5 + 0] = 3;
    expect(warpMask(m, new Uint8Array(25), [5, 5], { ...ID, dx: 1 })[2 * 5 + 1]).toBe(3);
    expect(warpMask(m, new Uint8Array(25), [5, 5], { ...ID, flip: true })[2 * 5 + 4]).toBe(3);
    // shifted out: background comes in
    expect([...warpMask(m, new Uint8Array(25), [5, 5], { ...ID, dx: -1 })].every((v) => v === 0)).toBe(true);
  });

  it('random warps: wherever all 4 bilinear neighbours share a class, the warped mask has it', () => {
    const r = mulberry32(99);
    let uniform = 0;
    for (let t = 0; t < 40; t++) {
      const mask = blockMask(S, K, 100 + t);
      const img = asImage(mask);
      const p: WarpParams = {
        dx: (2 * r() - 1) * 3,
        dy: (2 * r() - 1) * 3,
        angle: (2 * r() - 1) * 40,
        scale: 1 + (2 * r() - 1) * 0.3,
        flip: r() < 0.5,
        brightness: 0,
      };
      const wi = warpImage(img, new Float32Array(S * S), [S, S, 1], p);
      const wm = warpMask(mask, new Uint8Array(S * S), [S, S], p);
      const { cx, cy, axx, axy, ayx, ayy } = warpMatrix(S, S, p);
      const cls = (x: number, y: number) => (x < 0 || y < 0 || x >= S || y >= S ? 0 : mask[y * S + x]!);
      for (let y = 0; y < S; y++)
        for (let x = 0; x < S; x++) {
          const u = x - cx - p.dx;
          const v = y - cy - p.dy;
          const sx = cx + axx * u + axy * v;
          const sy = cy + ayx * u + ayy * v;
          const x0 = Math.floor(sx);
          const y0 = Math.floor(sy);
          const near = [cls(x0, y0), cls(x0 + 1, y0), cls(x0, y0 + 1), cls(x0 + 1, y0 + 1)];
          const got = wm[y * S + x]!;
          expect(near).toContain(got); // nearest neighbour never invents a class
          // and it is the nearest one (away from exact half-pixel ties)
          if (Math.abs(sx - x0 - 0.5) > 1e-6 && Math.abs(sy - y0 - 0.5) > 1e-6) expect(got).toBe(cls(Math.round(sx), Math.round(sy)));
          const val = wi[y * S + x]! * K;
          expect(val).toBeGreaterThanOrEqual(Math.min(...near) - 1e-5);
          expect(val).toBeLessThanOrEqual(Math.max(...near) + 1e-5);
          if (near.every((c) => c === near[0])) {
            uniform++;
            expect(got).toBe(near[0]);
            expect(val).toBeCloseTo(near[0]!, 5);
          }
        }
    }
    expect(uniform).toBeGreaterThan(40 * S * S * 0.5);
  });
});

const box = (x: number, y: number, w: number, h: number, cls = 1): Box => ({ cls, x, y, w, h });

describe('warpBoxes', () => {
  it('hand-worked: shift, flip, 90° turn, zoom', () => {
    expect(warpBoxes([box(1, 2, 3, 4)], [10, 10], { ...ID, dx: 1.5, dy: -1 })).toEqual([box(2.5, 1, 3, 4)]);
    expect(warpBoxes([box(0, 1, 2, 3)], [10, 10], { ...ID, flip: true })).toEqual([box(8, 1, 2, 3)]);
    // pixels x 6–7, y 4–5 sit right of the centre; a 90° turn (counter-clockwise) puts them above it
    expect(warpBoxes([box(6, 4, 2, 2)], [10, 10], { ...ID, angle: 90 })).toEqual([box(4, 2, 2, 2)]);
    // zoom ×2 about the centre 5 (edge coordinates): [4, 6] → [3, 7]
    expect(warpBoxes([box(4, 4, 2, 2)], [10, 10], { ...ID, scale: 2 })).toEqual([box(3, 3, 4, 4)]);
  });

  it('clips to the image and drops boxes that leave it or become tiny (the documented rule)', () => {
    // half out on the right: clipped, 50 % visible → kept
    expect(warpBoxes([box(6, 0, 4, 2)], [10, 10], { ...ID, dx: 2 })).toEqual([box(8, 0, 2, 2)]);
    // 1 of 4 columns left (25 %): kept at the 25 % rule, dropped at a stricter one
    expect(warpBoxes([box(6, 0, 4, 2)], [10, 10], { ...ID, dx: 3 })).toEqual([box(9, 0, 1, 2)]);
    expect(warpBoxes([box(6, 0, 4, 2)], [10, 10], { ...ID, dx: 3 }, { minVisible: 0.5 })).toEqual([]);
    // under 25 % visible → dropped; entirely outside → dropped
    expect(warpBoxes([box(6, 0, 4, 2)], [10, 10], { ...ID, dx: 3.5 })).toEqual([]);
    expect(warpBoxes([box(0, 0, 2, 2)], [10, 10], { ...ID, dx: -5 })).toEqual([]);
    // narrower than minSize after clipping → dropped
    expect(warpBoxes([box(0, 0, 8, 8)], [10, 10], { ...ID, dx: 9.5 }, { minVisible: 0 })).toEqual([]);
    // other fields and order are kept
    const tagged = [{ ...box(1, 1, 2, 2, 3), score: 0.5 }, box(5, 5, 2, 2, 0)];
    expect(warpBoxes(tagged, [10, 10], ID)).toEqual(tagged);
  });

  it('the warped box of a one-rectangle mask is the bounding box of the warped mask (±1 px)', () => {
    const S = 24;
    const r = mulberry32(7);
    for (let t = 0; t < 60; t++) {
      const bw = 3 + Math.floor(r() * 6);
      const bh = 3 + Math.floor(r() * 6);
      const bx = 8 + Math.floor(r() * (8 - bw + 4));
      const by = 8 + Math.floor(r() * (8 - bh + 4));
      const mask = new Uint8Array(S * S);
      for (let y = by; y < by + bh; y++) for (let x = bx; x < bx + bw; x++) mask[y * S + x] = 2;
      const p: WarpParams = {
        dx: (2 * r() - 1) * 3,
        dy: (2 * r() - 1) * 3,
        angle: (2 * r() - 1) * 45,
        scale: 1 + (2 * r() - 1) * 0.25,
        flip: r() < 0.5,
        brightness: 0,
      };
      const wm = warpMask(mask, new Uint8Array(S * S), [S, S], p);
      let x0 = S;
      let y0 = S;
      let x1 = -1;
      let y1 = -1;
      wm.forEach((v, i) => {
        if (!v) return;
        const x = i % S;
        const y = Math.floor(i / S);
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      });
      const [b] = warpBoxes([box(bx, by, bw, bh, 2)], [S, S], p);
      expect(b).toBeDefined();
      expect(Math.abs(b!.x - x0)).toBeLessThanOrEqual(1);
      expect(Math.abs(b!.y - y0)).toBeLessThanOrEqual(1);
      expect(Math.abs(b!.x + b!.w - (x1 + 1))).toBeLessThanOrEqual(1);
      expect(Math.abs(b!.y + b!.h - (y1 + 1))).toBeLessThanOrEqual(1);
      expect(b!.cls).toBe(2);
    }
  });
});

describe('augmentSegBatch / augmentBoxBatch', () => {
  const aug = { shift: 3, rotation: 30, zoom: 0.2, brightness: 0, flip: true };
  const S = 12;

  it('images come out exactly as augmentBatch makes them, masks follow', () => {
    const masks = new Uint8Array(5 * S * S);
    for (let i = 0; i < 5; i++) masks.set(blockMask(S, K, 20 + i), i * S * S);
    const imgs = Float32Array.from(masks, (v) => v / K);
    const ref = augmentBatch(imgs.slice(), 5, [S, S, 1], aug, mulberry32(4));
    const before = masks.slice();
    augmentSegBatch(imgs, masks, 5, [S, S, 1], aug, mulberry32(4));
    expect(imgs).toEqual(ref);
    expect(masks).not.toEqual(before);
    let same = 0;
    masks.forEach((m, i) => (same += Math.round(imgs[i]! * K) === m ? 1 : 0));
    expect(same / masks.length).toBeGreaterThan(0.85);
  });

  it('identity leaves masks untouched; boxes come back warped per image', () => {
    const masks = blockMask(S, K, 1);
    const copy = masks.slice();
    augmentSegBatch(new Float32Array(S * S), masks, 1, [S, S, 1], NO_AUGMENTATION, () => 0.5);
    expect(masks).toEqual(copy);
    const imgs = randomImages(2, S * S);
    const ref = augmentBatch(imgs.slice(), 2, [S, S, 1], { ...NO_AUGMENTATION, shift: 2 }, mulberry32(2));
    const boxes = [[box(4, 4, 3, 3)], [box(1, 1, 2, 2), box(6, 6, 4, 4, 2)]];
    const out = augmentBoxBatch(imgs, boxes, 2, [S, S, 1], { ...NO_AUGMENTATION, shift: 2 }, mulberry32(2));
    expect(imgs).toEqual(ref);
    expect(out).toHaveLength(2);
    // same draws as sampleWarp: dx, dy per image
    const r = mulberry32(2);
    const dx = (2 * r() - 1) * 2;
    const dy = (2 * r() - 1) * 2;
    expect(out[0]![0]!.x).toBeCloseTo(4 + dx, 9);
    expect(out[0]![0]!.y).toBeCloseTo(4 + dy, 9);
  });
});
