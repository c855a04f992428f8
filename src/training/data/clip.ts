/**
 * A seeded synthetic clip for the tracking lab: 2–4 filled shapes (circle, square, triangle, cross)
 * glide across a textured background with constant velocity, bouncing off the edges, and now and
 * then cross each other (a later shape is drawn over an earlier one). The background and shapes
 * are drawn exactly as in "shapes with boxes" (box-shapes.ts: same sizes, colours, stripes and
 * noise), so a detector trained there sees familiar images; only the noise changes from frame to
 * frame.
 *
 * Each frame comes with its ground truth: one box per object, `{ id, cls, x, y, w, h }` in pixels
 * (top-left corner and size), `id` the object's number (the same in every frame) and `cls` its
 * 0-based class, the tight box of the pixels the shape itself covers at least half of (as in
 * box-shapes.ts, whatever is drawn over it). An object almost hidden under later shapes (less than
 * `MIN_VISIBLE` of its pixels still showing) is left out of that frame's truth: no detector could
 * see it.
 *
 * Geometry and texture come from separate seeded streams. Same options → the same bytes.
 */
import { coverageBox } from './box-shapes.ts';
import { createRand, randInt, uniform } from './rng.ts';
import { addNoise, blend, coverage, paintBackground, randomColor, textureRand } from './seg-shapes.ts';
import { DEFAULT_SHAPES, type ShapeKind, type ShapeParams } from './shapes.ts';

/** An object is in a frame's truth only when at least this share of its pixels is not covered by later shapes. */
export const MIN_VISIBLE = 0.25;

/** One object's box in one frame: pixels, top-left (x, y), size (w, h); `id` stable across frames. */
export interface ClipBox {
  id: number;
  cls: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** How one object moves: its shape and colour, its start, and its velocity in pixels per frame. */
export interface ClipObject {
  id: number;
  cls: number;
  kind: ShapeKind;
  radius: number;
  angle: number;
  color: number[];
  /** Centre in the first frame. */
  cx: number;
  cy: number;
  vx: number;
  vy: number;
}

export interface ClipOptions {
  frames: number;
  /** Image side (default 32). */
  size?: number;
  /** 1 (grey, default) or 3 (colour). */
  channels?: 1 | 3;
  seed?: number | string;
  /** How many objects (default: 2 to 4, seeded); at most 6. */
  objects?: number;
  /** Shape kinds, in class order (default circle, square, triangle, cross). */
  classes?: ShapeKind[];
  /** Speed range in pixels per frame (default 0.6–1.6). */
  minSpeed?: number;
  maxSpeed?: number;
  /** Standard deviation of the per-frame Gaussian noise (default 0.03). */
  noise?: number;
  /** Supersampling per axis (default 4). */
  supersample?: number;
}

export interface Clip {
  /** frames × size × size × channels floats in [0, 1] (NHWC, one frame after the other). */
  images: Float32Array;
  /** Per frame, the boxes of the objects that can be seen, in drawing order (bottom to top). */
  truth: ClipBox[][];
  frames: number;
  shape: [number, number, number];
  classes: string[];
  objects: ClipObject[];
}

/**
 * Position of a point starting at p with velocity v after t steps, bouncing between lo and hi
 * (a reflection, as a ball off a wall): the motion folds into a triangle wave of period 2(hi − lo).
 */
export function bounce(p: number, v: number, t: number, lo: number, hi: number): number {
  const span = hi - lo;
  if (!(span > 0)) return lo;
  const period = 2 * span;
  let q = (p - lo + v * t) % period;
  if (q < 0) q += period;
  return lo + (q <= span ? q : period - q);
}

/** The centre of `o` in frame t of a size×size clip (it keeps its whole circumcircle inside). */
export function objectAt(o: ClipObject, t: number, size: number): { cx: number; cy: number } {
  const m = o.radius + 0.5;
  return { cx: bounce(o.cx, o.vx, t, m, size - m), cy: bounce(o.cy, o.vy, t, m, size - m) };
}

/** The clip. */
export function makeClip(opts: ClipOptions): Clip {
  const frames = opts.frames;
  const size = opts.size ?? 32;
  const c = opts.channels ?? 1;
  const kinds = opts.classes ?? DEFAULT_SHAPES;
  if (!(Number.isInteger(frames) && frames >= 1)) throw new Error(`A clip needs a whole number of frames (at least 1), got ${frames}.`);
  if (size < 8) throw new Error(`A clip needs frames of at least 8×8, got ${size}.`);
  if (c !== 1 && c !== 3) throw new Error(`A clip has 1 or 3 channels, got ${c}.`);
  if (kinds.length < 1) throw new Error('A clip needs at least 1 shape class.');
  const seed = opts.seed ?? 42;
  const geo = createRand(seed);
  const tex = textureRand(seed);
  const count = opts.objects ?? 2 + randInt(geo, 3);
  if (!(Number.isInteger(count) && count >= 0 && count <= 6)) throw new Error(`A clip holds 0 to 6 objects, got ${count}.`);
  const vLo = opts.minSpeed ?? 0.6;
  const vHi = opts.maxSpeed ?? 1.6;
  const noise = opts.noise ?? 0.03;
  const ss = opts.supersample ?? 4;

  // Objects start apart (their circumcircles do not meet), as in box-shapes with overlap 0.
  const objects: ClipObject[] = [];
  for (let id = 1; objects.length < count && id <= 200; id++) {
    const cls = randInt(geo, kinds.length);
    const color = randomColor(geo, c);
    const radius = uniform(geo, 0.12, 0.25) * size;
    const angle = uniform(geo, 0, 2 * Math.PI);
    const speed = uniform(geo, vLo, vHi);
    const dir = uniform(geo, 0, 2 * Math.PI);
    for (let attempt = 0; attempt < 100; attempt++) {
      const m = radius + 0.5;
      const cx = uniform(geo, m, size - m);
      const cy = uniform(geo, m, size - m);
      if (objects.every((o) => Math.hypot(o.cx - cx, o.cy - cy) >= o.radius + radius)) {
        objects.push({ id: objects.length + 1, cls, kind: kinds[cls]!, radius, angle, color, cx, cy, vx: speed * Math.cos(dir), vy: speed * Math.sin(dir) });
        break;
      }
    }
  }

  const px = size * size;
  const background = new Float32Array(px * c);
  paintBackground(background, size, c, tex);
  const images = new Float32Array(frames * px * c);
  const truth: ClipBox[][] = [];
  const covs = objects.map(() => new Float32Array(px));
  for (let t = 0; t < frames; t++) {
    const img = images.subarray(t * px * c, (t + 1) * px * c);
    img.set(background);
    const boxes: (ClipBox | null)[] = [];
    objects.forEach((o, i) => {
      const { cx, cy } = objectAt(o, t, size);
      const p: ShapeParams = { cx, cy, radius: o.radius, angle: o.angle, value: 1 };
      coverage(covs[i]!, size, o.kind, p, ss);
      blend(img, covs[i]!, c, o.color);
      const b = coverageBox(covs[i]!, size, o.cls);
      boxes.push(b && { id: o.id, ...b });
    });
    // Leave out what later shapes hide (almost) completely.
    const seen = boxes.filter((b, i) => {
      if (!b) return false;
      let own = 0;
      let visible = 0;
      const cov = covs[i]!;
      for (let k = 0; k < px; k++) {
        if (cov[k]! < 0.5) continue;
        own++;
        if (covs.every((other, j) => j <= i || other[k]! < 0.5)) visible++;
      }
      return visible >= MIN_VISIBLE * own;
    }) as ClipBox[];
    truth.push(seen);
    addNoise(img, noise, tex);
  }
  return { images, truth, frames, shape: [size, size, c], classes: [...kinds], objects };
}
