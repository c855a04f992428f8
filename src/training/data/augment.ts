/**
 * On-the-fly data augmentation of a batch of NHWC float images, in pure JS: each image gets one
 * random affine warp (shift, rotation, zoom, horizontal flip about the image centre) sampled
 * bilinearly, plus a brightness offset, then values are clamped to [0, 1]. Seeded by the
 * caller's generator, so a run is reproducible. An all-zero `Augmentation` is the identity.
 */
import type { Rand } from './rng.ts';

export interface Augmentation {
  /** Largest shift in pixels, each axis, uniform in [-shift, shift]. */
  shift: number;
  /** Largest rotation in degrees, uniform in [-rotation, rotation]. */
  rotation: number;
  /** Zoom range: scale uniform in [1 - zoom, 1 + zoom]; above 1 enlarges. */
  zoom: number;
  /** Largest brightness offset, uniform in [-brightness, brightness], added to every value. */
  brightness: number;
  /** Mirror left–right with probability 1/2. */
  flip: boolean;
  /** What lies outside the source image: 0 (default, right for MNIST-like data) or the nearest edge pixel. */
  fill?: 'zero' | 'edge';
}

export const NO_AUGMENTATION: Augmentation = { shift: 0, rotation: 0, zoom: 0, brightness: 0, flip: false };

/** The warp of one image. Angle in degrees, positive = counter-clockwise on screen (y down). */
export interface WarpParams {
  dx: number;
  dy: number;
  angle: number;
  scale: number;
  flip: boolean;
  brightness: number;
}

export function isIdentity(aug: Augmentation): boolean {
  return !aug.shift && !aug.rotation && !aug.zoom && !aug.brightness && !aug.flip;
}

/** Draw one image's warp from the augmentation ranges. */
export function sampleWarp(aug: Augmentation, rand: Rand): WarpParams {
  const sym = (r: number) => (r ? (2 * rand() - 1) * r : 0);
  return {
    dx: sym(aug.shift),
    dy: sym(aug.shift),
    angle: sym(aug.rotation),
    scale: 1 + sym(aug.zoom),
    flip: aug.flip ? rand() < 0.5 : false,
    brightness: sym(aug.brightness),
  };
}

/**
 * Augment `count` images of `shape` in place (each with its own random warp) and return the
 * same array. With an identity augmentation nothing is touched and no random number is drawn.
 */
export function augmentBatch(
  images: Float32Array,
  count: number,
  shape: readonly [number, number, number] | readonly number[],
  aug: Augmentation,
  rand: Rand,
): Float32Array {
  if (isIdentity(aug)) return images;
  const [h, w, c] = shape as [number, number, number];
  const size = h * w * c;
  const scratch = new Float32Array(size);
  for (let i = 0; i < count; i++) {
    const img = images.subarray(i * size, (i + 1) * size);
    scratch.set(img);
    warpImage(scratch, img, [h, w, c], sampleWarp(aug, rand), aug.fill ?? 'zero');
  }
  return images;
}

/**
 * Warp one h×w×c image from `src` into `dst` (distinct arrays): flip, scale and rotate about the
 * centre, then shift; bilinear sampling; add brightness; clamp to [0, 1].
 */
export function warpImage(
  src: Float32Array,
  dst: Float32Array,
  shape: readonly [number, number, number],
  p: WarpParams,
  fill: 'zero' | 'edge' = 'zero',
): Float32Array {
  const [h, w, c] = shape;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const rad = (p.angle * Math.PI) / 180;
  const snap = (v: number) => (Math.abs(v) < 1e-12 ? 0 : Math.abs(Math.abs(v) - 1) < 1e-12 ? Math.sign(v) : v);
  const cos = snap(Math.cos(rad));
  const sin = snap(Math.sin(rad));
  const inv = 1 / p.scale;
  const fx = p.flip ? -1 : 1;
  // Source position = centre + unflip(unscale(unrotate(out - centre - shift))).
  const axx = fx * cos * inv;
  const axy = -fx * sin * inv;
  const ayx = sin * inv;
  const ayy = cos * inv;
  const edge = fill === 'edge';
  const at = (x: number, y: number, ch: number): number => {
    if (x < 0 || y < 0 || x >= w || y >= h) {
      if (!edge) return 0;
      x = Math.min(Math.max(x, 0), w - 1);
      y = Math.min(Math.max(y, 0), h - 1);
    }
    return src[(y * w + x) * c + ch]!;
  };
  for (let y = 0; y < h; y++) {
    const v = y - cy - p.dy;
    for (let x = 0; x < w; x++) {
      const u = x - cx - p.dx;
      const sx = cx + axx * u + axy * v;
      const sy = cy + ayx * u + ayy * v;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const tx = sx - x0;
      const ty = sy - y0;
      for (let ch = 0; ch < c; ch++) {
        let val = at(x0, y0, ch) * (1 - tx) * (1 - ty);
        if (tx) val += at(x0 + 1, y0, ch) * tx * (1 - ty);
        if (ty) val += at(x0, y0 + 1, ch) * (1 - tx) * ty;
        if (tx && ty) val += at(x0 + 1, y0 + 1, ch) * tx * ty;
        val += p.brightness;
        dst[(y * w + x) * c + ch] = val < 0 ? 0 : val > 1 ? 1 : val;
      }
    }
  }
  return dst;
}
