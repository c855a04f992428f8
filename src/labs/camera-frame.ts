/**
 * A camera frame → the network's input: the centred crop of the frame with the input's aspect
 * (a square for 28×28), scaled to h×w by averaging the source pixels each output pixel covers
 * (exact area weights, so no aliasing when a 480-pixel crop becomes 28 pixels), greyscale (luma)
 * for 1 channel, then optionally inverted (a camera sees dark ink on white paper; MNIST digits are
 * white on black), contrast-stretched (the darkest pixel → 0, the brightest → 1) and thresholded
 * (everything below the threshold → 0, the grey paper of a dim room becomes black background).
 * Pure: the Probe tab's camera, the recorder and the tests share it.
 */

export interface CameraFrameOptions {
  /** The input shape [h, w, c], c = 1 (grey) or 3 (RGB). */
  shape: readonly [number, number, number];
  /** 1 − value after greyscale/colour: dark ink on paper becomes MNIST's white on black. */
  invert?: boolean;
  /** Stretch the values so that the smallest becomes 0 and the largest 1 (all channels together). */
  contrast?: boolean;
  /** In (0, 1): values below it become 0 (applied last); 0 or undefined: off. */
  threshold?: number;
}

/** The source rectangle (pixels) that the crop takes from a `width`×`height` frame for an h×w input. */
export function centreCrop(width: number, height: number, h: number, w: number) {
  // The largest rectangle with the input's aspect w/h that fits, centred.
  const cw = Math.min(width, (height * w) / h);
  const ch = (cw * h) / w;
  return { x: (width - cw) / 2, y: (height - ch) / 2, width: cw, height: ch };
}

/** For each of `n` output cells over [start, start + length) of the source axis: source indices and their coverage weights (summing to 1). */
function axisWeights(start: number, length: number, n: number, size: number): { index: number[]; weight: number[] }[] {
  const step = length / n;
  const out: { index: number[]; weight: number[] }[] = [];
  for (let o = 0; o < n; o++) {
    const a = start + o * step;
    const b = a + step;
    const index: number[] = [];
    const weight: number[] = [];
    for (let s = Math.floor(a); s < Math.ceil(b - 1e-9); s++) {
      const cover = Math.min(b, s + 1) - Math.max(a, s);
      if (cover <= 0) continue;
      index.push(Math.min(size - 1, Math.max(0, s)));
      weight.push(cover / step);
    }
    out.push({ index, weight });
  }
  return out;
}

/**
 * RGBA bytes of a `width`×`height` frame (row after row, 4 bytes a pixel) → h*w*c floats in [0, 1]
 * (NHWC for one image), as described in the header.
 */
export function cameraFrameToInput(rgba: ArrayLike<number>, width: number, height: number, opts: CameraFrameOptions): Float32Array {
  const [h, w, c] = opts.shape;
  if (!(c === 1 || c === 3)) throw new Error(`A camera frame gives 1 (grey) or 3 (colour) channels, not ${c}.`);
  if (!(width >= 1 && height >= 1) || rgba.length < width * height * 4) throw new Error(`A ${width}×${height} frame needs ${width * height * 4} RGBA bytes, got ${rgba.length}.`);
  const crop = centreCrop(width, height, h, w);
  const xs = axisWeights(crop.x, crop.width, w, width);
  const ys = axisWeights(crop.y, crop.height, h, height);
  const out = new Float32Array(h * w * c);
  const sum = [0, 0, 0];
  for (let oy = 0; oy < h; oy++) {
    const ry = ys[oy]!;
    for (let ox = 0; ox < w; ox++) {
      const rx = xs[ox]!;
      sum[0] = sum[1] = sum[2] = 0;
      for (let j = 0; j < ry.index.length; j++) {
        const row = ry.index[j]! * width;
        const wy = ry.weight[j]!;
        for (let i = 0; i < rx.index.length; i++) {
          const p = (row + rx.index[i]!) * 4;
          const wgt = wy * rx.weight[i]!;
          sum[0] += rgba[p]! * wgt;
          sum[1] += rgba[p + 1]! * wgt;
          sum[2] += rgba[p + 2]! * wgt;
        }
      }
      const o = (oy * w + ox) * c;
      if (c === 1) out[o] = (0.299 * sum[0]! + 0.587 * sum[1]! + 0.114 * sum[2]!) / 255;
      else for (let k = 0; k < 3; k++) out[o + k] = sum[k]! / 255;
    }
  }
  return adjust(out, opts);
}

/** Invert, contrast stretch and threshold, in that order, in place (values clipped to [0, 1]). */
export function adjust(values: Float32Array, opts: Pick<CameraFrameOptions, 'invert' | 'contrast' | 'threshold'>): Float32Array {
  for (let i = 0; i < values.length; i++) {
    const v = Math.min(1, Math.max(0, values[i]!));
    values[i] = opts.invert ? 1 - v : v;
  }
  if (opts.contrast && values.length) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    // A flat image has no contrast to stretch: left as it is.
    if (hi - lo > 1e-6) for (let i = 0; i < values.length; i++) values[i] = (values[i]! - lo) / (hi - lo);
  }
  const t = opts.threshold ?? 0;
  if (t > 0) for (let i = 0; i < values.length; i++) if (values[i]! < t) values[i] = 0;
  return values;
}
