/**
 * "Cells": a seeded synthetic microscopy-like segmentation set (a nod to the lecture's cell
 * tracking example). Each grey image shows several blob-like nuclei, bright on a dim noisy
 * background, many of them touching. A nucleus is a perturbed ellipse: in its own frame a point
 * (u, v) has the normalised distance d = √((u/a)² + (v/b)²) / ρ(φ), with ρ a small sum of
 * harmonics of the polar angle φ; the nucleus is d < 1. Where nuclei overlap each pixel goes to
 * the one it is deepest inside (smallest d), so touching nuclei share a clean border.
 *
 * Each image comes with an instance mask (0 = background, 1…n = the nuclei, in no particular
 * order) and a semantic mask: 0 background, 1 nucleus, and (with `boundary`, the default) 2 for
 * a nucleus pixel with a 4-neighbour of another instance or the background, the outline that lets
 * a segmentation network split touching nuclei. Masks sample each pixel at its centre; the image
 * has soft edges (a pixel at d = 1 is half as bright as the inside), a little inner texture and a
 * slightly dark seam where two nuclei meet. Same options and seed → the same bytes.
 */
import { createRand, gaussian, randInt, uniform, type Rand } from './rng.ts';
import { textureRand, type SegData, type SegSplit } from './seg-shapes.ts';

export interface CellSplit extends SegSplit {
  /** count × h × w instance ids: 0 background, 1…n the nuclei of that image. */
  instances: Uint8Array;
  /** How many nuclei each image holds. */
  cellCounts: number[];
}

export type CellData = SegData<CellSplit>;

export interface CellsOptions {
  count: number;
  /** Test images (default count / 6, rounded). */
  testCount?: number;
  /** Image side in pixels (default 32). */
  size?: number;
  seed?: number | string;
  /** Fewest and most nuclei per image (default 4 and 9). */
  minCells?: number;
  maxCells?: number;
  /** Mean nucleus radius range in pixels (default 3.5–6). */
  minRadius?: number;
  maxRadius?: number;
  /** Add the boundary class 2 (default true). */
  boundary?: boolean;
  /** Standard deviation of the Gaussian noise (default 0.03). */
  noise?: number;
}

/** One nucleus. */
export interface Nucleus {
  cx: number;
  cy: number;
  /** Semi-axes in pixels. */
  a: number;
  b: number;
  angle: number;
  /** Harmonic k = 2, 3, 4: amplitude and phase of ρ(φ) = 1 + Σ amp·cos(kφ + phase). */
  harmonics: { k: number; amp: number; phase: number }[];
  /** Brightness inside, 0–1. */
  value: number;
}

/** Normalised distance of the point (x, y) from a nucleus: < 1 inside, 1 on the outline. */
export function nucleusDistance(n: Nucleus, x: number, y: number): number {
  const dx = x - n.cx;
  const dy = y - n.cy;
  const cos = Math.cos(n.angle);
  const sin = Math.sin(n.angle);
  const u = (cos * dx + sin * dy) / n.a;
  const v = (-sin * dx + cos * dy) / n.b;
  const phi = Math.atan2(v, u);
  let rho = 1;
  for (const h of n.harmonics) rho += h.amp * Math.cos(h.k * phi + h.phase);
  return Math.sqrt(u * u + v * v) / rho;
}

function randomNucleus(rand: Rand, cx: number, cy: number, r: number): Nucleus {
  const e = uniform(rand, 0, 0.25);
  return {
    cx,
    cy,
    a: r * (1 + e),
    b: r * (1 - e),
    angle: uniform(rand, 0, Math.PI),
    harmonics: [2, 3, 4].map((k) => ({ k, amp: uniform(rand, 0, 0.06), phase: uniform(rand, 0, 2 * Math.PI) })),
    value: uniform(rand, 0.6, 1),
  };
}

/**
 * Place nuclei: about half start next to an existing one (centres 0.9 × the summed radii apart, so
 * they touch); none may come closer than 0.75 × the summed radii to another. A nucleus that finds
 * no place in 60 tries is left out.
 */
function placeNuclei(rand: Rand, size: number, want: number, rLo: number, rHi: number): Nucleus[] {
  const out: { n: Nucleus; r: number }[] = [];
  for (let j = 0; j < want; j++) {
    for (let attempt = 0; attempt < 60; attempt++) {
      const r = uniform(rand, rLo, rHi);
      let cx: number;
      let cy: number;
      if (out.length && rand() < 0.5) {
        const o = out[randInt(rand, out.length)]!;
        const phi = uniform(rand, 0, 2 * Math.PI);
        cx = o.n.cx + 0.9 * (o.r + r) * Math.cos(phi);
        cy = o.n.cy + 0.9 * (o.r + r) * Math.sin(phi);
      } else {
        cx = uniform(rand, r, size - r);
        cy = uniform(rand, r, size - r);
      }
      if (cx < r * 0.5 || cy < r * 0.5 || cx > size - r * 0.5 || cy > size - r * 0.5) continue;
      if (out.some((o) => Math.hypot(o.n.cx - cx, o.n.cy - cy) < 0.75 * (o.r + r))) continue;
      out.push({ n: randomNucleus(rand, cx, cy, r), r });
      break;
    }
  }
  return out.map((o) => o.n);
}

/** The "cells" segmentation set: size×size×1 images, semantic and instance masks. */
export function makeCells(opts: CellsOptions): CellData {
  const size = opts.size ?? 32;
  if (size < 8) throw new Error(`Cells need images of at least 8×8, got ${size}.`);
  const minCells = opts.minCells ?? 4;
  const maxCells = opts.maxCells ?? 9;
  if (!(minCells >= 0 && maxCells >= minCells)) throw new Error(`Bad cell count range ${minCells}–${maxCells}.`);
  const rLo = opts.minRadius ?? 3.5;
  const rHi = opts.maxRadius ?? 6;
  const withBoundary = opts.boundary ?? true;
  const noise = opts.noise ?? 0.03;
  const seed = opts.seed ?? 42;
  const geo = createRand(seed);
  const tex = textureRand(seed);
  const px = size * size;

  const makeSplit = (count: number): CellSplit => {
    const images = new Float32Array(count * px);
    const masks = new Uint8Array(count * px);
    const instances = new Uint8Array(count * px);
    const cellCounts: number[] = [];
    for (let i = 0; i < count; i++) {
      const nuclei = placeNuclei(geo, size, minCells + randInt(geo, maxCells - minCells + 1), rLo, rHi);
      cellCounts.push(nuclei.length);
      const img = images.subarray(i * px, (i + 1) * px);
      const inst = instances.subarray(i * px, (i + 1) * px);
      const mask = masks.subarray(i * px, (i + 1) * px);
      const bg = uniform(tex, 0.04, 0.15);
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          let d1 = Infinity;
          let d2 = Infinity;
          let best = -1;
          nuclei.forEach((n, j) => {
            const d = nucleusDistance(n, x + 0.5, y + 0.5);
            if (d < d1) (d2 = d1), (d1 = d), (best = j);
            else if (d < d2) d2 = d;
          });
          const k = y * size + x;
          if (d1 < 1) inst[k] = best + 1;
          let v = bg;
          if (best >= 0) {
            const soft = Math.min(1, Math.max(0, (1.15 - d1) / 0.3));
            let ink = nuclei[best]!.value * soft * (1 + 0.12 * gaussian(tex));
            if (d2 < 1.15 && d2 - d1 < 0.12) ink *= 0.75; // the seam between touching nuclei
            v = Math.max(v, ink);
          }
          v += noise * gaussian(tex);
          img[k] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          const k = y * size + x;
          const id = inst[k]!;
          if (!id) continue;
          let edge = false;
          if (withBoundary) {
            if (x > 0 && inst[k - 1] !== id) edge = true;
            else if (x < size - 1 && inst[k + 1] !== id) edge = true;
            else if (y > 0 && inst[k - size] !== id) edge = true;
            else if (y < size - 1 && inst[k + size] !== id) edge = true;
          }
          mask[k] = edge ? 2 : 1;
        }
    }
    return { images, masks, instances, count, cellCounts };
  };

  const train = makeSplit(opts.count);
  const test = makeSplit(opts.testCount ?? Math.round(opts.count / 6));
  return {
    name: 'Cells',
    classes: withBoundary ? ['background', 'nucleus', 'boundary'] : ['background', 'nucleus'],
    shape: [size, size, 1],
    train,
    test,
  };
}
