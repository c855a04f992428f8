/**
 * A seeded synthetic data set of simple filled shapes on black, rasterised in pure TS with
 * supersampling (anti-aliased edges): random position, rotation, size and brightness, plus a
 * little Gaussian noise. Same options and seed → the same bytes, in Node and in the browser.
 */
import { createRand, gaussian, shuffleInPlace, uniform, type Rand } from './rng.ts';
import type { Dataset, Split } from './types.ts';

export const ALL_SHAPES = ['circle', 'square', 'triangle', 'cross', 'ring', 'line'] as const;
export type ShapeKind = (typeof ALL_SHAPES)[number];
export const DEFAULT_SHAPES: ShapeKind[] = ['circle', 'square', 'triangle', 'cross'];

export interface ShapesOptions {
  /** Training images. */
  count: number;
  /** Test images (default count / 6, rounded). */
  testCount?: number;
  /** Image side in pixels (default 28). */
  size?: number;
  seed?: number | string;
  classes?: ShapeKind[];
  /** Standard deviation of the added Gaussian noise (default 0.04). */
  noise?: number;
  /** Supersampling per axis (default 4, i.e. 16 samples per pixel). */
  supersample?: number;
}

/** Placement of one shape: centre and circumradius in pixels, angle in radians, ink value 0–1. */
export interface ShapeParams {
  cx: number;
  cy: number;
  radius: number;
  angle: number;
  value: number;
}

const SQRT3 = Math.sqrt(3);
const CROSS_T = 0.28; // half-width of a cross arm (of the radius)
const CROSS_A = Math.sqrt(1 - CROSS_T * CROSS_T); // half-length, so the arm corners touch the circle

/** Whether the point (x, y), in the shape's own frame scaled to circumradius 1, is inside. */
export function insideShape(kind: ShapeKind, x: number, y: number): boolean {
  switch (kind) {
    case 'circle':
      return x * x + y * y <= 1;
    case 'square':
      return Math.abs(x) <= Math.SQRT1_2 && Math.abs(y) <= Math.SQRT1_2;
    case 'triangle':
      // Equilateral, vertex up (y down): inradius 1/2 from each edge.
      return y <= 0.5 && (SQRT3 * x - y) <= 1 && (-SQRT3 * x - y) <= 1;
    case 'cross': {
      const ax = Math.abs(x);
      const ay = Math.abs(y);
      return (ax <= CROSS_A && ay <= CROSS_T) || (ax <= CROSS_T && ay <= CROSS_A);
    }
    case 'ring': {
      const d = x * x + y * y;
      return d <= 1 && d >= 0.55 * 0.55;
    }
    case 'line':
      return Math.abs(x) <= 0.98 && Math.abs(y) <= 0.16;
  }
}

/** Exact area of a shape of circumradius r (for tests and documentation). */
export function shapeArea(kind: ShapeKind, r: number): number {
  const r2 = r * r;
  switch (kind) {
    case 'circle':
      return Math.PI * r2;
    case 'square':
      return 2 * r2;
    case 'triangle':
      return ((3 * SQRT3) / 4) * r2;
    case 'cross':
      return (8 * CROSS_A * CROSS_T - 4 * CROSS_T * CROSS_T) * r2;
    case 'ring':
      return Math.PI * (1 - 0.55 * 0.55) * r2;
    case 'line':
      return 4 * 0.98 * 0.16 * r2;
  }
}

/**
 * Draw a shape into a size×size single-channel image: each pixel gets value × the share of its
 * ss×ss sub-samples that fall inside (kept if the pixel is already brighter).
 */
export function drawShape(img: Float32Array, size: number, kind: ShapeKind, p: ShapeParams, ss = 4): Float32Array {
  const cos = Math.cos(p.angle);
  const sin = Math.sin(p.angle);
  const inv = 1 / p.radius;
  const x0 = Math.max(0, Math.floor(p.cx - p.radius - 1));
  const x1 = Math.min(size - 1, Math.ceil(p.cx + p.radius + 1));
  const y0 = Math.max(0, Math.floor(p.cy - p.radius - 1));
  const y1 = Math.min(size - 1, Math.ceil(p.cy + p.radius + 1));
  const n = ss * ss;
  for (let py = y0; py <= y1; py++) {
    for (let px = x0; px <= x1; px++) {
      let hits = 0;
      for (let j = 0; j < ss; j++) {
        const dy = py + (j + 0.5) / ss - p.cy;
        for (let i = 0; i < ss; i++) {
          const dx = px + (i + 0.5) / ss - p.cx;
          // rotate into the shape's frame
          if (insideShape(kind, (cos * dx + sin * dy) * inv, (-sin * dx + cos * dy) * inv)) hits++;
        }
      }
      if (hits) {
        const v = (p.value * hits) / n;
        const k = py * size + px;
        if (v > img[k]!) img[k] = v;
      }
    }
  }
  return img;
}

/** Random placement that keeps the whole shape inside the image. */
export function randomParams(rand: Rand, size: number): ShapeParams {
  const radius = uniform(rand, 0.2, 0.4) * size;
  const margin = radius + 0.5;
  return {
    radius,
    cx: uniform(rand, margin, size - margin),
    cy: uniform(rand, margin, size - margin),
    angle: uniform(rand, 0, 2 * Math.PI),
    value: uniform(rand, 0.5, 1),
  };
}

function makeSplit(n: number, kinds: ShapeKind[], size: number, rand: Rand, noise: number, ss: number): Split {
  const labels = shuffleInPlace(Uint8Array.from({ length: n }, (_, i) => i % kinds.length), rand);
  const px = size * size;
  const images = new Float32Array(n * px);
  for (let i = 0; i < n; i++) {
    const img = images.subarray(i * px, (i + 1) * px);
    drawShape(img, size, kinds[labels[i]!]!, randomParams(rand, size), ss);
    if (noise > 0) {
      for (let k = 0; k < px; k++) {
        const v = img[k]! + noise * gaussian(rand);
        img[k] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
  return { images, labels, count: n };
}

/** The synthetic shapes data set: balanced classes (±1), size×size×1, values in [0, 1]. */
export function makeShapes(opts: ShapesOptions): Dataset {
  const size = opts.size ?? 28;
  const kinds = opts.classes ?? DEFAULT_SHAPES;
  if (kinds.length < 2) throw new Error('Shapes needs at least 2 classes.');
  if (new Set(kinds).size !== kinds.length) throw new Error('Shape classes must be distinct.');
  if (size < 8) throw new Error(`Shapes need images of at least 8×8, got ${size}.`);
  const rand = createRand(opts.seed ?? 42);
  const noise = opts.noise ?? 0.04;
  const ss = opts.supersample ?? 4;
  const train = makeSplit(opts.count, kinds, size, rand, noise, ss);
  const test = makeSplit(opts.testCount ?? Math.round(opts.count / 6), kinds, size, rand, noise, ss);
  return { name: 'Shapes', classes: [...kinds], shape: [size, size, 1], train, test };
}
