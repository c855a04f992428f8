/**
 * The in-memory dataset format every loader here returns (MNIST, Fashion-MNIST, shapes, image
 * folders) and the trainer reads, plus a seeded, stratified train/validation split.
 */
import { createRand, shuffleInPlace } from './rng.ts';

/** Images of one split, NHWC, one float per channel. */
export interface Split {
  /** count × h × w × c floats in [0, 1], image after image, row after row (NHWC). */
  images: Float32Array;
  /** One class index per image (index into `Dataset.classes`). */
  labels: Uint8Array;
  /** Number of images. */
  count: number;
}

export interface Dataset {
  name: string;
  /** Class names; a label `k` means `classes[k]`. */
  classes: string[];
  /** Image shape [height, width, channels]. */
  shape: [number, number, number];
  train: Split;
  test: Split;
}

/** Floats per image of a split (h × w × c), taken from the split itself. */
export function imageSize(split: Split): number {
  return split.count ? split.images.length / split.count : 0;
}

/** A new split made of the given images, in the given order (copies the data). */
export function subset(split: Split, indices: ArrayLike<number>, size = imageSize(split)): Split {
  const n = indices.length;
  const images = new Float32Array(n * size);
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    images.set(split.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = split.labels[i]!;
  }
  return { images, labels, count: n };
}

/**
 * Stratified, seeded partition of indices 0…labels.length-1: per class, a shuffled share of
 * `round(n × share)` goes to `held` and the rest to `kept`. With 0 < share < 1 a class of two or
 * more items keeps at least one item on each side. Both lists come back in ascending order.
 */
export function stratifiedIndices(
  labels: ArrayLike<number>,
  share: number,
  seed: number | string,
): { kept: number[]; held: number[] } {
  if (!(share >= 0 && share <= 1)) throw new Error(`The validation share must lie in [0, 1], got ${share}.`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    let list = byClass.get(l);
    if (!list) byClass.set(l, (list = []));
    list.push(i);
  }
  const rand = createRand(seed);
  const kept: number[] = [];
  const held: number[] = [];
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = shuffleInPlace(byClass.get(cls)!, rand);
    let k = Math.round(list.length * share);
    if (share > 0 && share < 1 && list.length >= 2) k = Math.min(Math.max(k, 1), list.length - 1);
    held.push(...list.slice(0, k));
    kept.push(...list.slice(k));
  }
  const asc = (a: number, b: number) => a - b;
  return { kept: kept.sort(asc), held: held.sort(asc) };
}

/** Split off a stratified, seeded share of a split for validation. */
export function splitValidation(split: Split, share: number, seed: number | string): { train: Split; validation: Split } {
  const { kept, held } = stratifiedIndices(split.labels.subarray(0, split.count), share, seed);
  const size = imageSize(split);
  return { train: subset(split, kept, size), validation: subset(split, held, size) };
}
