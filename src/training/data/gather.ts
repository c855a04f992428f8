/** Copying images out of a dataset split as floats in [0, 1]: pure, shared by training, the labs and the CLI. */
import type { TrainSplit } from '../trainer';

/** Copies images `indices` of a split into `out` as floats in [0, 1] (bytes are divided by 255). */
export function gatherImages(split: TrainSplit, indices: ArrayLike<number>, size: number, out: Float32Array): void {
  const bytes = split.images instanceof Uint8Array;
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i]! * size;
    const dst = i * size;
    if (bytes) for (let j = 0; j < size; j++) out[dst + j] = split.images[src + j]! / 255;
    else out.set((split.images as Float32Array).subarray(src, src + size), dst);
  }
}

/** One image of a split, as floats in [0, 1]. */
export function imageOf(split: TrainSplit, index: number, size: number): Float32Array {
  const out = new Float32Array(size);
  gatherImages(split, [index], size, out);
  return out;
}
