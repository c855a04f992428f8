/**
 * Small seeded random helpers shared by the data code and the trainer. `mulberry32` is a fast
 * 32-bit generator: the same seed always gives the same sequence, in Node and in the browser.
 */

/** A source of uniform numbers in [0, 1). */
export type Rand = () => number;

/** Seeded generator (mulberry32). Any number works as seed; it is truncated to 32 bits. */
export function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from a number or a string (FNV-1a over the UTF-16 code units). */
export function seedFrom(seed: number | string): number {
  if (typeof seed === 'number') return seed >>> 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** `mulberry32` seeded from a number or a string. */
export function createRand(seed: number | string): Rand {
  return mulberry32(seedFrom(seed));
}

/** Uniform integer in [0, n). */
export function randInt(rand: Rand, n: number): number {
  return Math.floor(rand() * n);
}

/** Uniform number in [lo, hi). */
export function uniform(rand: Rand, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}

/** Standard normal sample (Box–Muller). */
export function gaussian(rand: Rand): number {
  const u = 1 - rand(); // (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Fisher–Yates shuffle in place; returns the same array. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function shuffleInPlace<A extends { length: number; [i: number]: any }>(arr: A, rand: Rand): A {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = arr[i];
    arr[i] = arr[j];
    arr[j] = t;
  }
  return arr;
}
