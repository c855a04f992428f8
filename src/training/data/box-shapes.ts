/**
 * "Shapes with boxes": a seeded synthetic detection set. Each image holds 1–4 filled shapes
 * (circle, square, triangle, cross) that overlap at most lightly, over the same striped
 * background as "shapes with masks", and lists one box per shape: `{ cls, x, y, w, h }` in
 * pixels, (x, y) the top-left corner and (w, h) the size, with `cls` a 0-based index into
 * `classes` (as in YOLO label files: there is no background class). A box is the tight bounding
 * box of the pixels the shape itself covers at least half of (whatever is drawn over it later).
 *
 * Geometry and texture come from separate seeded streams, as in seg-shapes.ts. Same options and
 * seed → the same bytes.
 */
import type { Box } from './augment.ts';
import { createRand, randInt, uniform } from './rng.ts';
import { addNoise, blend, coverage, paintBackground, placeShape, randomColor, textureRand, type ShapeObject, type SyntheticShapesOptions } from './seg-shapes.ts';
import { DEFAULT_SHAPES, type ShapeKind, type ShapeParams } from './shapes.ts';

export type { Box } from './augment.ts';

export interface BoxSplit {
  /** count × h × w × c floats in [0, 1] (NHWC). */
  images: Float32Array;
  /** The boxes of each image, in drawing order (one per shape). */
  boxes: Box[][];
  count: number;
  /** The shapes of each image, in the same order as the boxes (`cls` 0-based). */
  objects: ShapeObject[][];
}

export interface BoxData {
  name: string;
  /** Object classes; a box's `cls` k means `classes[k]`. */
  classes: string[];
  /** Image shape [height, width, channels]. */
  shape: [number, number, number];
  train: BoxSplit;
  test: BoxSplit;
}

/** Shapes with boxes: classes 0…K−1 in `classes` order (YOLO style); 1 to 4 shapes by default. */
export interface BoxShapesOptions extends SyntheticShapesOptions {
  /**
   * How much two shapes may overlap: their circumscribed circles may cut into each other by this
   * share of the smaller radius (default 0.25). 0: circles at most touch; negative: keep a gap.
   * A shape that finds no place in 100 tries is left out (so an image may hold fewer).
   */
  overlap?: number;
  /** Circumradius range as a share of the side (default 0.12–0.25). */
  minRadius?: number;
  maxRadius?: number;
}

/** The tight box of the pixels whose coverage is at least ½ in a size×size buffer; null if none. */
export function coverageBox(cov: Float32Array, size: number, cls: number): Box | null {
  let x0 = size;
  let y0 = size;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      if (cov[y * size + x]! >= 0.5) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  return x1 < 0 ? null : { cls, x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** The "shapes with boxes" detection set. */
export function makeBoxShapes(opts: BoxShapesOptions): BoxData {
  const size = opts.size ?? 32;
  const c = opts.channels ?? 1;
  const kinds = opts.classes ?? DEFAULT_SHAPES;
  if (kinds.length < 1) throw new Error('Shapes with boxes needs at least 1 shape class.');
  if (new Set(kinds).size !== kinds.length) throw new Error('Shape classes must be distinct.');
  if (size < 8) throw new Error(`Shapes with boxes need images of at least 8×8, got ${size}.`);
  if (c !== 1 && c !== 3) throw new Error(`Shapes with boxes have 1 or 3 channels, got ${c}.`);
  const minShapes = opts.minShapes ?? 1;
  const maxShapes = opts.maxShapes ?? 4;
  if (!(minShapes >= 0 && maxShapes >= minShapes)) throw new Error(`Bad shape count range ${minShapes}–${maxShapes}.`);
  const overlap = opts.overlap ?? 0.25;
  const rLo = opts.minRadius ?? 0.12;
  const rHi = opts.maxRadius ?? 0.25;
  const texture = opts.texture ?? true;
  const noise = opts.noise ?? 0.03;
  const ss = opts.supersample ?? 4;
  const seed = opts.seed ?? 42;
  const geo = createRand(seed);
  const tex = textureRand(seed);
  const px = size * size;
  const cov = new Float32Array(px);

  const makeSplit = (n: number): BoxSplit => {
    const images = new Float32Array(n * px * c);
    const boxes: Box[][] = [];
    const objects: ShapeObject[][] = [];
    for (let i = 0; i < n; i++) {
      const img = images.subarray(i * px * c, (i + 1) * px * c);
      if (texture) paintBackground(img, size, c, tex);
      const want = minShapes + randInt(geo, maxShapes - minShapes + 1);
      const objs: ShapeObject[] = [];
      const bs: Box[] = [];
      for (let j = 0; j < want; j++) {
        const cls = randInt(geo, kinds.length);
        const color = randomColor(geo, c);
        const params = placeShape(geo, size, rLo, rHi, objs.map((o) => o.params), overlap);
        if (!params) continue;
        const obj: ShapeObject = { cls, kind: kinds[cls]!, params, color };
        coverage(cov, size, obj.kind, params, ss);
        const box = coverageBox(cov, size, cls);
        if (!box) continue;
        blend(img, cov, c, color);
        objs.push(obj);
        bs.push(box);
      }
      objects.push(objs);
      boxes.push(bs);
      addNoise(img, noise, tex);
    }
    return { images, boxes, count: n, objects };
  };

  const train = makeSplit(opts.count);
  const test = makeSplit(opts.testCount ?? Math.round(opts.count / 6));
  return { name: 'Shapes with boxes', classes: [...kinds], shape: [size, size, c], train, test };
}
