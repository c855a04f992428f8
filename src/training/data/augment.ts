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
 * The inverse map of a warp: an output pixel (x, y) samples the source at
 * (cx + axx·u + axy·v, cy + ayx·u + ayy·v) with u = x − cx − dx, v = y − cy − dy, where (cx, cy)
 * is the image centre in pixel-centre coordinates (pixel i sits at coordinate i).
 */
export function warpMatrix(
  h: number,
  w: number,
  p: WarpParams,
): { cx: number; cy: number; axx: number; axy: number; ayx: number; ayy: number } {
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const rad = (p.angle * Math.PI) / 180;
  const snap = (v: number) => (Math.abs(v) < 1e-12 ? 0 : Math.abs(Math.abs(v) - 1) < 1e-12 ? Math.sign(v) : v);
  const cos = snap(Math.cos(rad));
  const sin = snap(Math.sin(rad));
  const inv = 1 / p.scale;
  const fx = p.flip ? -1 : 1;
  // Source position = centre + unflip(unscale(unrotate(out - centre - shift))).
  return { cx, cy, axx: fx * cos * inv, axy: -fx * sin * inv, ayx: sin * inv, ayy: cos * inv };
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
  const { cx, cy, axx, axy, ayx, ayy } = warpMatrix(h, w, p);
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

/**
 * Warp one h×w mask of class indices from `src` into `dst` (distinct arrays) with the same
 * geometry as `warpImage`, but nearest-neighbour sampling (classes never blend), 0 (background)
 * outside the source image and no brightness. Ties at exactly half a pixel round up.
 */
export function warpMask(
  src: Uint8Array,
  dst: Uint8Array,
  shape: readonly [number, number] | readonly number[],
  p: WarpParams,
): Uint8Array {
  const [h, w] = shape as [number, number];
  const { cx, cy, axx, axy, ayx, ayy } = warpMatrix(h, w, p);
  for (let y = 0; y < h; y++) {
    const v = y - cy - p.dy;
    for (let x = 0; x < w; x++) {
      const u = x - cx - p.dx;
      const sx = Math.floor(cx + axx * u + axy * v + 0.5);
      const sy = Math.floor(cy + ayx * u + ayy * v + 0.5);
      dst[y * w + x] = sx < 0 || sy < 0 || sx >= w || sy >= h ? 0 : src[sy * w + sx]!;
    }
  }
  return dst;
}

/** An axis-aligned box in pixels: top-left corner (x, y) and size (w, h); pixel i spans [i, i + 1). */
export interface Box {
  /** Class index. */
  cls: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface WarpBoxesOptions {
  /** Drop a box whose clipped width or height is below this many pixels (default 1). */
  minSize?: number;
  /** Drop a box of which less than this share of its warped area lies inside the image (default 0.25). */
  minVisible?: number;
}

/**
 * Map boxes through the same warp as `warpImage` on an h×w image. Each box's four corners go
 * through the forward transform; the result is their axis-aligned bounding box (so a rotated box
 * grows to hold the rotated one), clipped to the image [0, w] × [0, h]. The rule for dropping:
 * a box goes when, after clipping, its width or height is under `minSize` pixels (default 1), or
 * less than `minVisible` (default 25 %) of its warped area remains inside the image. Coordinates
 * stay fractional; other fields of each box are kept.
 */
export function warpBoxes<B extends Box>(
  boxes: readonly B[],
  shape: readonly [number, number] | readonly number[],
  p: WarpParams,
  opts: WarpBoxesOptions = {},
): B[] {
  const [h, w] = shape as [number, number];
  const minSize = opts.minSize ?? 1;
  const minVisible = opts.minVisible ?? 0.25;
  const { cx, cy, axx, axy, ayx, ayy } = warpMatrix(h, w, p);
  // Forward map: out = centre + shift + A⁻¹ (src − centre).
  const det = axx * ayy - axy * ayx;
  const bxx = ayy / det;
  const bxy = -axy / det;
  const byx = -ayx / det;
  const byy = axx / det;
  const out: B[] = [];
  for (const b of boxes) {
    // Edges in pixel-centre coordinates: pixel i spans [i − ½, i + ½].
    const xs = [b.x - 0.5, b.x + b.w - 0.5];
    const ys = [b.y - 0.5, b.y + b.h - 0.5];
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const sx of xs)
      for (const sy of ys) {
        const u = sx - cx;
        const v = sy - cy;
        const ox = cx + p.dx + bxx * u + bxy * v + 0.5;
        const oy = cy + p.dy + byx * u + byy * v + 0.5;
        x0 = Math.min(x0, ox);
        x1 = Math.max(x1, ox);
        y0 = Math.min(y0, oy);
        y1 = Math.max(y1, oy);
      }
    const area = (x1 - x0) * (y1 - y0);
    const cx0 = Math.max(0, x0);
    const cy0 = Math.max(0, y0);
    const cx1 = Math.min(w, x1);
    const cy1 = Math.min(h, y1);
    const cw = cx1 - cx0;
    const ch = cy1 - cy0;
    if (!(cw >= minSize && ch >= minSize) || cw * ch < minVisible * area) continue;
    const snap = (v: number) => (Math.abs(v - Math.round(v)) < 1e-9 ? Math.round(v) : v);
    out.push({ ...b, x: snap(cx0), y: snap(cy0), w: snap(cw), h: snap(ch) });
  }
  return out;
}

/**
 * Augment `count` images and their h×w masks in place with the same warp per image. The images
 * come out exactly as `augmentBatch` would make them with the same generator (same warps, same
 * random numbers); each mask follows its image through `warpMask`.
 */
export function augmentSegBatch(
  images: Float32Array,
  masks: Uint8Array,
  count: number,
  shape: readonly [number, number, number] | readonly number[],
  aug: Augmentation,
  rand: Rand,
): void {
  if (isIdentity(aug)) return;
  const [h, w, c] = shape as [number, number, number];
  const size = h * w * c;
  const scratch = new Float32Array(size);
  const mscratch = new Uint8Array(h * w);
  for (let i = 0; i < count; i++) {
    const img = images.subarray(i * size, (i + 1) * size);
    const mask = masks.subarray(i * h * w, (i + 1) * h * w);
    const p = sampleWarp(aug, rand);
    scratch.set(img);
    warpImage(scratch, img, [h, w, c], p, aug.fill ?? 'zero');
    mscratch.set(mask);
    warpMask(mscratch, mask, [h, w], p);
  }
}

/**
 * Augment `count` images in place and return their boxes warped the same way (one list per
 * image, dropped boxes left out; see `warpBoxes`). The images come out exactly as `augmentBatch`
 * would make them with the same generator.
 */
export function augmentBoxBatch<B extends Box>(
  images: Float32Array,
  boxes: readonly (readonly B[])[],
  count: number,
  shape: readonly [number, number, number] | readonly number[],
  aug: Augmentation,
  rand: Rand,
  opts?: WarpBoxesOptions,
): B[][] {
  if (isIdentity(aug)) return boxes.slice(0, count).map((b) => [...b]);
  const [h, w, c] = shape as [number, number, number];
  const size = h * w * c;
  const scratch = new Float32Array(size);
  const out: B[][] = [];
  for (let i = 0; i < count; i++) {
    const img = images.subarray(i * size, (i + 1) * size);
    const p = sampleWarp(aug, rand);
    scratch.set(img);
    warpImage(scratch, img, [h, w, c], p, aug.fill ?? 'zero');
    out.push(warpBoxes(boxes[i] ?? [], [h, w], p, opts));
  }
  return out;
}
