/**
 * "Shapes with masks": a seeded synthetic segmentation set. Each image holds several filled
 * shapes (circle, square, triangle, cross → classes 1…4; 0 = background) that may overlap, drawn
 * one after the other over a textured background (seeded stripes plus noise). Each image comes
 * with a mask of one class index per pixel: a pixel belongs to the topmost shape that covers at
 * least half of it, so later shapes occlude earlier ones in the mask exactly as in the image.
 *
 * Geometry and texture come from two separate seeded streams, so switching the texture off
 * (`texture: false, noise: 0`) gives the very same shapes and masks on a black background.
 * Same options and seed → the same bytes, in Node and in the browser.
 */
import { createRand, gaussian, randInt, seedFrom, uniform, type Rand } from './rng.ts';
import { DEFAULT_SHAPES, drawShape, type ShapeKind, type ShapeParams } from './shapes.ts';

/** One split: images NHWC floats in [0, 1] and one class index per pixel (count × h × w). */
export interface SegSplit {
  images: Float32Array;
  masks: Uint8Array;
  count: number;
}

/** A split of "shapes with masks", which also lists what it drew. */
export interface ShapesSegSplit extends SegSplit {
  /** The shapes drawn in each image, bottom to top (for tests, the probe and box labels). */
  objects: ShapeObject[][];
}

/** A segmentation data set: `classes[0]` is the background; a mask value k means `classes[k]`. */
export interface SegData<S extends SegSplit = SegSplit> {
  name: string;
  classes: string[];
  /** Image shape [height, width, channels]; masks are height × width. */
  shape: [number, number, number];
  train: S;
  test: S;
}

/** A drawn shape: its class, kind, placement (value unused: 1) and colour. */
export interface ShapeObject {
  /** Index into the data set's classes: 1-based in masks (0 is the background), 0-based for boxes. */
  cls: number;
  kind: ShapeKind;
  params: ShapeParams;
  /** Ink per channel, 0–1. */
  color: number[];
}

/** What every synthetic set of shapes (with masks, with boxes) takes. */
export interface SyntheticShapesOptions {
  /** Training images. */
  count: number;
  /** Test images (default count / 6, rounded). */
  testCount?: number;
  /** Image side in pixels (default 32). */
  size?: number;
  /** 1 (grey, default) or 3 (colour). */
  channels?: 1 | 3;
  seed?: number | string;
  /** Shape kinds, in class order (default circle, square, triangle, cross). */
  classes?: ShapeKind[];
  /** Fewest and most shapes per image. */
  minShapes?: number;
  maxShapes?: number;
  /** Draw the striped background (default true); false leaves it black. */
  texture?: boolean;
  /** Standard deviation of the Gaussian noise added at the end (default 0.03). */
  noise?: number;
  /** Supersampling per axis (default 4). */
  supersample?: number;
}

/** Shapes with masks: classes 1…K in `classes` order (0 is the background); 2 to 4 shapes by default. */
export interface SegShapesOptions extends SyntheticShapesOptions {
  /**
   * How much two shapes may overlap: their circumscribed circles may cut into each other by this
   * share of the smaller radius (as in shapes with boxes). Default: no limit (shapes land anywhere,
   * and may hide each other almost entirely).
   */
  overlap?: number;
  /** Circumradius range as a share of the side (default 0.15–0.3). */
  minRadius?: number;
  maxRadius?: number;
}

/** A separate stream for texture and noise, so that the geometry does not depend on them. */
export function textureRand(seed: number | string): Rand {
  return createRand((seedFrom(seed) ^ 0x9e3779b9) >>> 0);
}

/**
 * Fill one size×size×c image with a background: a random grey (or tinted) level plus sinusoidal
 * stripes of random direction, period and phase. Values stay in [0.05, 0.4].
 */
export function paintBackground(img: Float32Array, size: number, c: number, rand: Rand): void {
  const base = uniform(rand, 0.1, 0.25);
  const amp = uniform(rand, 0.03, 0.1);
  const theta = uniform(rand, 0, Math.PI);
  const period = uniform(rand, 3, 9);
  const phase = uniform(rand, 0, 2 * Math.PI);
  const tint = Array.from({ length: c }, () => (c === 1 ? 1 : uniform(rand, 0.7, 1)));
  const kx = (Math.cos(theta) * 2 * Math.PI) / period;
  const ky = (Math.sin(theta) * 2 * Math.PI) / period;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = base + amp * Math.sin(kx * x + ky * y + phase);
      for (let ch = 0; ch < c; ch++) img[(y * size + x) * c + ch] = v * tint[ch]!;
    }
  }
}

/** Add Gaussian noise and clamp to [0, 1]. */
export function addNoise(img: Float32Array, noise: number, rand: Rand): void {
  if (noise <= 0) return;
  for (let k = 0; k < img.length; k++) {
    const v = img[k]! + noise * gaussian(rand);
    img[k] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

/**
 * The share of each pixel a shape covers (0–1, supersampled) in a size×size buffer, which is
 * cleared first and returned.
 */
export function coverage(buf: Float32Array, size: number, kind: ShapeKind, p: ShapeParams, ss: number): Float32Array {
  buf.fill(0);
  return drawShape(buf, size, kind, { ...p, value: 1 }, ss);
}

/** Alpha-blend a shape of the given coverage and colour over a size×size×c image. */
export function blend(img: Float32Array, cov: Float32Array, c: number, color: readonly number[]): void {
  for (let k = 0; k < cov.length; k++) {
    const a = cov[k]!;
    if (!a) continue;
    for (let ch = 0; ch < c; ch++) {
      const i = k * c + ch;
      img[i] = img[i]! * (1 - a) + color[ch]! * a;
    }
  }
}

/** A random shape colour: grey value in [0.55, 1], or in colour a tint of it. */
export function randomColor(rand: Rand, c: number): number[] {
  const v = uniform(rand, 0.55, 1);
  return c === 1 ? [v] : Array.from({ length: c }, () => v * uniform(rand, 0.55, 1));
}

/**
 * A place for a new shape: random placements (circumradius as a share of the side, centre far
 * enough from the edges, angle), drawn in that order, until its circumscribed circle cuts into no
 * placed shape's by more than `overlap` × the smaller radius — up to `tries` of them, or just the
 * first one when there is no limit. Null when none fits.
 */
export function placeShape(geo: Rand, size: number, minRadius: number, maxRadius: number, placed: readonly ShapeParams[], overlap?: number, tries = 100): ShapeParams | null {
  for (let attempt = 0; attempt < (overlap === undefined ? 1 : tries); attempt++) {
    const radius = uniform(geo, minRadius, maxRadius) * size;
    const margin = radius + 0.5;
    const cand: ShapeParams = {
      radius,
      cx: uniform(geo, margin, size - margin),
      cy: uniform(geo, margin, size - margin),
      angle: uniform(geo, 0, 2 * Math.PI),
      value: 1,
    };
    if (overlap === undefined || placed.every((q) => Math.hypot(q.cx - cand.cx, q.cy - cand.cy) >= q.radius + cand.radius - overlap * Math.min(q.radius, cand.radius))) return cand;
  }
  return null;
}

function makeSplit(
  n: number,
  kinds: ShapeKind[],
  size: number,
  c: number,
  geo: Rand,
  tex: Rand,
  o: Required<Pick<SegShapesOptions, 'minShapes' | 'maxShapes' | 'texture' | 'noise' | 'supersample' | 'minRadius' | 'maxRadius'>> & { overlap?: number },
): ShapesSegSplit {
  const px = size * size;
  const images = new Float32Array(n * px * c);
  const masks = new Uint8Array(n * px);
  const objects: ShapeObject[][] = [];
  const cov = new Float32Array(px);
  for (let i = 0; i < n; i++) {
    const img = images.subarray(i * px * c, (i + 1) * px * c);
    const mask = masks.subarray(i * px, (i + 1) * px);
    if (o.texture) paintBackground(img, size, c, tex);
    const k = o.minShapes + randInt(geo, o.maxShapes - o.minShapes + 1);
    const objs: ShapeObject[] = [];
    for (let j = 0; j < k; j++) {
      const cls = 1 + randInt(geo, kinds.length);
      // Without an overlap limit every shape lands where it is first drawn (the stream of the
      // original set); with one, a shape that fits nowhere in 100 tries is left out.
      const params = placeShape(geo, size, o.minRadius, o.maxRadius, objs.map((q) => q.params), o.overlap);
      if (!params) continue;
      const color = randomColor(geo, c);
      const obj: ShapeObject = { cls, kind: kinds[cls - 1]!, params, color };
      objs.push(obj);
      coverage(cov, size, obj.kind, params, o.supersample);
      blend(img, cov, c, color);
      for (let q = 0; q < px; q++) if (cov[q]! >= 0.5) mask[q] = cls;
    }
    objects.push(objs);
    addNoise(img, o.noise, tex);
  }
  return { images, masks, count: n, objects };
}

/** The "shapes with masks" segmentation set: size×size×channels images, values in [0, 1]. */
export function makeSegShapes(opts: SegShapesOptions): SegData<ShapesSegSplit> {
  const size = opts.size ?? 32;
  const c = opts.channels ?? 1;
  const kinds = opts.classes ?? DEFAULT_SHAPES;
  if (kinds.length < 1) throw new Error('Shapes with masks needs at least 1 shape class.');
  if (new Set(kinds).size !== kinds.length) throw new Error('Shape classes must be distinct.');
  if (size < 8) throw new Error(`Shapes with masks need images of at least 8×8, got ${size}.`);
  if (c !== 1 && c !== 3) throw new Error(`Shapes with masks have 1 or 3 channels, got ${c}.`);
  const minShapes = opts.minShapes ?? 2;
  const maxShapes = opts.maxShapes ?? 4;
  if (!(minShapes >= 0 && maxShapes >= minShapes)) throw new Error(`Bad shape count range ${minShapes}–${maxShapes}.`);
  const seed = opts.seed ?? 42;
  const geo = createRand(seed);
  const tex = textureRand(seed);
  const o = {
    minShapes,
    maxShapes,
    texture: opts.texture ?? true,
    noise: opts.noise ?? 0.03,
    supersample: opts.supersample ?? 4,
    minRadius: opts.minRadius ?? 0.15,
    maxRadius: opts.maxRadius ?? 0.3,
    overlap: opts.overlap,
  };
  const train = makeSplit(opts.count, kinds, size, c, geo, tex, o);
  const test = makeSplit(opts.testCount ?? Math.round(opts.count / 6), kinds, size, c, geo, tex, o);
  return { name: 'Shapes with masks', classes: ['background', ...kinds], shape: [size, size, c], train, test };
}
