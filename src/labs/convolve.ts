/**
 * The kernel lab's maths (pure: no DOM, no tfjs), shared by the app and the command line.
 *
 * A kernel slides over one channel of an image; at every output pixel the values under the window
 * are multiplied by the kernel's weights and summed, the bias is added, and (optionally) a ReLU
 * keeps only the positive part. Like every CNN library this is *cross-correlation*: the kernel is
 * laid on the image as it is, not flipped (a mathematician's convolution flips it first, which only
 * matters for kernels that are not symmetric, such as Sobel or emboss — their CNN versions respond
 * to the mirrored pattern).
 *
 * The output has the size of the input ('same'): the image is padded with zeros outside its edges,
 * as TensorFlow.js does with `padding: 'same'` and stride 1 — for a kh×kw kernel the window's top
 * row is ⌊(kh − 1)/2⌋ pixels above the output pixel and its left column ⌊(kw − 1)/2⌋ pixels to the
 * left (the centre tap for odd sizes).
 *
 * Images are channels-last float arrays (h·w·c values, as the datasets store them, 0–1 for
 * pictures); kernels are row-major (tap (i, j) at i·w + j).
 */

export interface Kernel {
  /** Rows and columns. */
  h: number;
  w: number;
  /** Row-major weights, h·w of them. */
  values: number[];
}

export interface LabImage {
  width: number;
  height: number;
  /** 1 (grey) or 3 (colour, RGB). */
  channels: number;
  /** Channels-last: pixel (y, x), channel c at (y·width + x)·channels + c. */
  data: Float32Array;
}

export interface ConvOptions {
  bias?: number;
  relu?: boolean;
}

/** The sizes the lab's editor offers (odd, so the window has a centre). */
export const KERNEL_SIZES = [1, 3, 5, 7] as const;

export function kernel(rows: number[][]): Kernel {
  const h = rows.length;
  const w = rows[0]?.length ?? 0;
  if (!h || !w || rows.some((r) => r.length !== w)) throw new Error('A kernel is a non-empty rectangle of numbers.');
  return { h, w, values: rows.flat() };
}

/** The window's offset from the output pixel: rows above and columns left of it (TensorFlow.js 'same'). */
export function anchor(k: Pick<Kernel, 'h' | 'w'>): { top: number; left: number } {
  return { top: Math.floor((k.h - 1) / 2), left: Math.floor((k.w - 1) / 2) };
}

/** One channel of an image as its own h·w plane. */
export function channelOf(image: LabImage, channel: number): Float32Array {
  if (channel < 0 || channel >= image.channels) throw new Error(`The image has ${image.channels} channel(s); there is no channel ${channel}.`);
  const n = image.width * image.height;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = image.data[i * image.channels + channel]!;
  return out;
}

/** Luminance (Rec. 601: 0.299 R + 0.587 G + 0.114 B) of a colour image; a grey image's own values. */
export function luminance(image: LabImage): Float32Array {
  if (image.channels === 1) return Float32Array.from(image.data);
  const n = image.width * image.height;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p = i * image.channels;
    out[i] = 0.299 * image.data[p]! + 0.587 * image.data[p + 1]! + 0.114 * image.data[p + 2]!;
  }
  return out;
}

/** A grey h·w plane as a one-channel LabImage. */
export function plane(width: number, height: number, data: Float32Array): LabImage {
  if (data.length !== width * height) throw new Error(`A ${width}×${height} plane has ${width * height} values; got ${data.length}.`);
  return { width, height, channels: 1, data };
}

/**
 * Convolves (cross-correlates) one channel of `image` with `k`: 'same' size, zero padding, stride 1,
 * then `+ bias` and, with `relu`, max(0, ·). Returns an h·w plane.
 */
export function convolve(image: LabImage, k: Kernel, opts: ConvOptions = {}, channel = 0): Float32Array {
  const { width: W, height: H, channels: C, data } = image;
  if (channel < 0 || channel >= C) throw new Error(`The image has ${C} channel(s); there is no channel ${channel}.`);
  const { top, left } = anchor(k);
  const bias = opts.bias ?? 0;
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let i = 0; i < k.h; i++) {
        const yy = y - top + i;
        if (yy < 0 || yy >= H) continue;
        for (let j = 0; j < k.w; j++) {
          const xx = x - left + j;
          if (xx < 0 || xx >= W) continue;
          s += k.values[i * k.w + j]! * data[(yy * W + xx) * C + channel]!;
        }
      }
      s += bias;
      out[y * W + x] = opts.relu ? Math.max(0, s) : s;
    }
  }
  return out;
}

/** Every channel convolved with the same kernel (how an image editor filters a colour photo). */
export function convolveChannels(image: LabImage, k: Kernel, opts: ConvOptions = {}): LabImage {
  const { width, height, channels } = image;
  const data = new Float32Array(width * height * channels);
  for (let c = 0; c < channels; c++) {
    const one = convolve(image, k, opts, c);
    for (let i = 0; i < width * height; i++) data[i * channels + c] = one[i]!;
  }
  return { width, height, channels, data };
}

export interface WeightedSum {
  /** The image values under the window, row-major like the kernel (0 where it hangs over the edge). */
  window: number[];
  /** Whether each tap lies inside the image (false: a padding zero). */
  inside: boolean[];
  /** window[t] × kernel[t]. */
  products: number[];
  /** Σ products. */
  sum: number;
  bias: number;
  /** sum + bias, before any ReLU. */
  preActivation: number;
  /** The output pixel: preActivation, or max(0, preActivation) with ReLU. */
  value: number;
  /** The window's top-left corner in image coordinates (may be negative at the edges). */
  top: number;
  left: number;
}

/** The arithmetic of one output pixel (y, x): equal to convolve(...)[y·w + x]. */
export function weightedSum(image: LabImage, k: Kernel, y: number, x: number, opts: ConvOptions = {}, channel = 0): WeightedSum {
  const { width: W, height: H, channels: C, data } = image;
  const a = anchor(k);
  const top = y - a.top;
  const left = x - a.left;
  const window: number[] = [];
  const inside: boolean[] = [];
  const products: number[] = [];
  let sum = 0;
  for (let i = 0; i < k.h; i++) {
    for (let j = 0; j < k.w; j++) {
      const yy = top + i;
      const xx = left + j;
      const ok = yy >= 0 && yy < H && xx >= 0 && xx < W;
      const v = ok ? data[(yy * W + xx) * C + channel]! : 0;
      const p = v * k.values[i * k.w + j]!;
      window.push(v);
      inside.push(ok);
      products.push(p);
      if (ok) sum += p;
    }
  }
  const bias = opts.bias ?? 0;
  const preActivation = Math.fround(sum + bias);
  return { window, inside, products, sum, bias, preActivation, value: opts.relu ? Math.max(0, preActivation) : preActivation, top, left };
}

const fmtNum = (v: number, digits: number) => {
  const s = (Math.abs(v) < 0.5 * 10 ** -digits ? 0 : v).toFixed(digits);
  return s.startsWith('-') ? `−${s.slice(1)}` : s;
};

/** Formats a number for the written-out sum: fixed digits, a real minus sign, "(−1)" when negative and `paren`. */
export function formatNumber(v: number, digits = 2, paren = false): string {
  const s = fmtNum(v, digits);
  return paren && s.startsWith('−') ? `(${s})` : s;
}

/** Formats a weight compactly (integers without decimals: "2", "−1", "0.25"). */
export function formatWeight(v: number): string {
  if (Number.isInteger(v)) return formatNumber(v, 0, true);
  const r = Math.round(v * 1000) / 1000;
  const s = String(Math.abs(r));
  return r < 0 ? `(−${s})` : s;
}

/** "0.00×1 + 0.25×(−1) + … + bias 0 = −0.75" (and "→ ReLU → 0" when it clips). */
export function describeSum(ws: WeightedSum, k: Kernel, relu = false, digits = 2): string {
  const terms = ws.window.map((v, t) => `${formatNumber(v, digits)}×${formatWeight(k.values[t]!)}`);
  const head = `${terms.join(' + ')} + bias ${formatWeight(ws.bias).replace(/[()]/g, '')} = ${formatNumber(ws.preActivation, digits)}`;
  return relu ? `${head} → ReLU → ${formatNumber(ws.value, digits)}` : head;
}

/** Resizes a kernel to size×size about its anchor: growing pads with zeros, shrinking keeps the centre. */
export function resizeKernel(k: Kernel, size: number): Kernel {
  return resizeKernelTo(k, size, size);
}

export function resizeKernelTo(k: Kernel, h: number, w: number): Kernel {
  const from = anchor(k);
  const to = anchor({ h, w });
  const values = new Array<number>(h * w).fill(0);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const si = i - to.top + from.top;
      const sj = j - to.left + from.left;
      if (si >= 0 && si < k.h && sj >= 0 && sj < k.w) values[i * w + j] = k.values[si * k.w + sj]!;
    }
  }
  return { h, w, values };
}

export function kernelSum(k: Kernel): number {
  return k.values.reduce((a, b) => a + b, 0);
}

export interface KernelPreset {
  id: string;
  name: string;
  /** What it does, for learners. */
  description: string;
  kernel: Kernel;
}

const G5 = [1, 4, 6, 4, 1];
const scaled = (rows: number[][], by: number) => kernel(rows.map((r) => r.map((v) => v / by)));

/** The presets, declared once (the menu, the tests and the docs read this table). */
export const KERNEL_PRESETS: readonly KernelPreset[] = [
  {
    id: 'identity',
    name: 'Identity',
    description: 'A single 1 in the centre: every output pixel is the input pixel itself. The starting point for your own kernels.',
    kernel: kernel([
      [0, 0, 0],
      [0, 1, 0],
      [0, 0, 0],
    ]),
  },
  {
    id: 'box-blur',
    name: 'Box blur',
    description: 'The plain average of the 3×3 neighbourhood (every weight 1/9): detail smears out. The weights sum to 1, so flat areas keep their brightness.',
    kernel: scaled(
      [
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
      9,
    ),
  },
  {
    id: 'box-blur-5',
    name: 'Box blur 5×5',
    description: 'The average of the 5×5 neighbourhood (every weight 1/25): a stronger blur than 3×3.',
    kernel: scaled(Array.from({ length: 5 }, () => [1, 1, 1, 1, 1]), 25),
  },
  {
    id: 'gaussian',
    name: 'Gaussian blur',
    description: 'A weighted average: the centre counts most, the corners least (1 2 1 / 2 4 2 / 1 2 1, over 16). A softer, more natural blur than the box; sums to 1.',
    kernel: scaled(
      [
        [1, 2, 1],
        [2, 4, 2],
        [1, 2, 1],
      ],
      16,
    ),
  },
  {
    id: 'gaussian-5',
    name: 'Gaussian blur 5×5',
    description: 'The binomial 5×5 Gaussian (1 4 6 4 1 times itself, over 256): a wider, smooth blur; sums to 1.',
    kernel: scaled(
      G5.map((a) => G5.map((b) => a * b)),
      256,
    ),
  },
  {
    id: 'sharpen',
    name: 'Sharpen',
    description: 'The pixel minus its four neighbours, plus itself again (5 in the centre, −1 around): differences to the neighbours are exaggerated, so edges look crisper. Sums to 1.',
    kernel: kernel([
      [0, -1, 0],
      [-1, 5, -1],
      [0, -1, 0],
    ]),
  },
  {
    id: 'laplacian',
    name: 'Laplacian edges',
    description: 'Four times the pixel minus its four neighbours: 0 on flat areas and on even slopes, strong on both sides of an edge or a line. Sums to 0.',
    kernel: kernel([
      [0, -1, 0],
      [-1, 4, -1],
      [0, -1, 0],
    ]),
  },
  {
    id: 'sobel-x',
    name: 'Sobel x',
    description: 'Right column minus left column (the middle row counts twice): positive where the image gets brighter to the right, negative where it gets darker — vertical edges. Sums to 0.',
    kernel: kernel([
      [-1, 0, 1],
      [-2, 0, 2],
      [-1, 0, 1],
    ]),
  },
  {
    id: 'sobel-y',
    name: 'Sobel y',
    description: 'Bottom row minus top row: positive where the image gets brighter downwards — horizontal edges. Sums to 0.',
    kernel: kernel([
      [-1, -2, -1],
      [0, 0, 0],
      [1, 2, 1],
    ]),
  },
  {
    id: 'sobel-x-5',
    name: 'Sobel x 5×5',
    description: 'A wider vertical-edge detector (a smoothed derivative): less sensitive to noise than 3×3. Sums to 0.',
    kernel: kernel(G5.map((s) => [-1, -2, 0, 2, 1].map((d) => s * d))),
  },
  {
    id: 'emboss',
    name: 'Emboss',
    description: 'Bottom-right minus top-left, plus the pixel: edges facing one way turn bright and the other way dark, as if lit from the side. Sums to 1.',
    kernel: kernel([
      [-2, -1, 0],
      [-1, 1, 1],
      [0, 1, 2],
    ]),
  },
  {
    id: 'outline',
    name: 'Outline',
    description: 'Eight times the pixel minus all eight neighbours: flat areas become 0 and every edge, in any direction, stands out. Sums to 0.',
    kernel: kernel([
      [-1, -1, -1],
      [-1, 8, -1],
      [-1, -1, -1],
    ]),
  },
  {
    id: 'laplacian-5',
    name: 'Laplacian of Gaussian 5×5',
    description: 'Blur, then Laplacian, in one kernel: finds edges and blobs while ignoring single-pixel noise. Sums to 0.',
    kernel: kernel([
      [0, 0, -1, 0, 0],
      [0, -1, -2, -1, 0],
      [-1, -2, 16, -2, -1],
      [0, -1, -2, -1, 0],
      [0, 0, -1, 0, 0],
    ]),
  },
];

export function presetById(id: string): KernelPreset | undefined {
  return KERNEL_PRESETS.find((p) => p.id === id);
}

/** The largest |value| (1 when all are 0 or there are none): the bound of a symmetric colour scale. */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (a > m && Number.isFinite(a)) m = a;
  }
  return m > 0 ? m : 1;
}

export const DIVERGING_NEGATIVE: readonly [number, number, number] = [33, 102, 172];
export const DIVERGING_ZERO: readonly [number, number, number] = [255, 255, 255];
export const DIVERGING_POSITIVE: readonly [number, number, number] = [178, 24, 43];

/**
 * The colour of `value` on a diverging scale symmetric about 0: −bound (and below) blue, 0 white,
 * +bound (and above) red, linear in between. (The same colours as the learned-kernel pictures.)
 */
export function divergingColor(value: number, bound: number): [number, number, number] {
  const t = bound > 0 && Number.isFinite(value) ? Math.max(-1, Math.min(1, value / bound)) : 0;
  const end = t < 0 ? DIVERGING_NEGATIVE : DIVERGING_POSITIVE;
  const a = Math.abs(t);
  return [0, 1, 2].map((c) => Math.round(DIVERGING_ZERO[c]! + (end[c]! - DIVERGING_ZERO[c]!) * a)) as [number, number, number];
}

/** RGBA pixels of a plane on the diverging scale. */
export function divergingPixels(values: Float32Array, bound: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const [r, g, b] = divergingColor(values[i]!, bound);
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** RGBA pixels of an image with values clipped to [0, 1] (grey, or colour with 3 channels). */
export function imagePixels(image: LabImage): Uint8ClampedArray {
  const n = image.width * image.height;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = image.data[i * image.channels + (image.channels === 3 ? c : 0)]!;
      out[i * 4 + c] = Math.round(Math.max(0, Math.min(1, v)) * 255);
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

/**
 * Scales an RGBA picture (e.g. a decoded photo) down so that its longer side is at most `max`
 * pixels (area averaging), into a LabImage with values 0–1; `grey` keeps only the luminance.
 */
export function fromRgba(rgba: ArrayLike<number>, width: number, height: number, max = 128, grey = false): LabImage {
  const s = Math.max(1, Math.max(width, height) / max);
  const W = Math.max(1, Math.round(width / s));
  const H = Math.max(1, Math.round(height / s));
  const C = grey ? 1 : 3;
  const data = new Float32Array(W * H * C);
  for (let y = 0; y < H; y++) {
    const y0 = Math.floor((y * height) / H);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * height) / H));
    for (let x = 0; x < W; x++) {
      const x0 = Math.floor((x * width) / W);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * width) / W));
      const acc = [0, 0, 0];
      let n = 0;
      for (let yy = y0; yy < y1; yy++)
        for (let xx = x0; xx < x1; xx++) {
          const p = (yy * width + xx) * 4;
          acc[0]! += rgba[p]!;
          acc[1]! += rgba[p + 1]!;
          acc[2]! += rgba[p + 2]!;
          n++;
        }
      const [r, g, b] = acc.map((v) => v / n / 255) as [number, number, number];
      const o = (y * W + x) * C;
      if (grey) data[o] = 0.299 * r + 0.587 * g + 0.114 * b;
      else {
        data[o] = r;
        data[o + 1] = g;
        data[o + 2] = b;
      }
    }
  }
  return { width: W, height: H, channels: C, data };
}
