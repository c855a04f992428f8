/**
 * The segmentation output, both ways, pure TS (no tfjs): masks of class indices → the training
 * target, and a network's output → a mask. A segmentation output is [H, W, K] class
 * probabilities (softmax over channels), or [H, W, 1] for two classes: the probability of class 1
 * (a sigmoid), class 0 being the background.
 */

/** True when an output of `channels` channels is the one-sigmoid form of a two-class segmentation. */
export const isBinaryOutput = (channels: number) => channels === 1;

/**
 * The target of `count` masks (count × h × w class indices) for an output of `channels`
 * channels: one-hot (count × h × w × K), or the mask itself as 0/1 for a one-channel output.
 */
export function maskTargets(masks: Uint8Array, count: number, pixels: number, channels: number, out = new Float32Array(count * pixels * channels)): Float32Array {
  out.fill(0, 0, count * pixels * channels);
  const k = channels;
  for (let i = 0; i < count * pixels; i++) {
    const m = masks[i]!;
    if (k === 1) {
      if (m > 1) throw new Error(`A mask has class ${m} but the output's single channel tells two classes apart (0 and 1).`);
      out[i] = m;
    } else {
      if (m >= k) throw new Error(`A mask has class ${m} but the output has ${k} channels (classes 0 to ${k - 1}).`);
      out[i * k + m] = 1;
    }
  }
  return out;
}

/** The mask (h × w class indices) of one image's output (h × w × channels probabilities). */
export function maskOfOutput(output: ArrayLike<number>, pixels: number, channels: number, out = new Uint8Array(pixels)): Uint8Array {
  if (channels === 1) {
    for (let i = 0; i < pixels; i++) out[i] = output[i]! >= 0.5 ? 1 : 0;
    return out;
  }
  for (let i = 0; i < pixels; i++) {
    const o = i * channels;
    let best = 0;
    for (let k = 1; k < channels; k++) if (output[o + k]! > output[o + best]!) best = k;
    out[i] = best;
  }
  return out;
}

/** The number of classes an output of `channels` channels tells apart. */
export const classesOfOutput = (channels: number) => (channels === 1 ? 2 : channels);
