import { describe, expect, it } from 'vitest';
import { augmentBatch, NO_AUGMENTATION, warpImage, type WarpParams } from './augment';
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
