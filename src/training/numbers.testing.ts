/** Numbers for tests of kernels and optimizers. */

/** Deterministic numbers in [-1, 1) (a small LCG, so every backend sees the same data). */
export function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** max |a − b| relative to the largest |reference| value (arrays of equal length). */
export function relError(a: ArrayLike<number>, ref: ArrayLike<number>, floor = 1e-12): number {
  if (a.length !== ref.length) throw new Error(`relError: ${a.length} values against ${ref.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return diff / Math.max(scale, floor);
}
