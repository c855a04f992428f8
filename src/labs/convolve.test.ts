/**
 * The kernel lab's convolution against TensorFlow.js' own tf.conv2d (cpu backend, padding 'same',
 * stride 1) for random images and kernels of every size the lab offers (and non-square, even ones,
 * whose 'same' padding is uneven); the written-out weighted sum against the convolution at every
 * position; the presets' sums and effects; the diverging colour scale; kernel resizing.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../training/data/rng';
import {
  channelOf,
  convolve,
  convolveChannels,
  describeSum,
  divergingColor,
  DIVERGING_NEGATIVE,
  DIVERGING_POSITIVE,
  fromRgba,
  kernel,
  KERNEL_PRESETS,
  kernelSum,
  luminance,
  maxAbs,
  presetById,
  resizeKernel,
  weightedSum,
  type Kernel,
  type LabImage,
} from './convolve';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

/** A small seeded generator, so that a failure can be reproduced. */
const rng = mulberry32;

function randomImage(r: () => number, width: number, height: number, channels: number): LabImage {
  return { width, height, channels, data: Float32Array.from({ length: width * height * channels }, () => r()) };
}

function randomKernel(r: () => number, h: number, w: number): Kernel {
  return { h, w, values: Array.from({ length: h * w }, () => r() * 2 - 1) };
}

/** tf.conv2d of one channel with 'same' padding, + bias, optional ReLU: the independent reference. */
function tfConv(image: LabImage, k: Kernel, channel: number, bias: number, relu: boolean): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(channelOf(image, channel), [1, image.height, image.width, 1]);
    const f = tf.tensor4d(k.values, [k.h, k.w, 1, 1]);
    let y = tf.conv2d(x, f, 1, 'same').add(bias);
    if (relu) y = tf.relu(y);
    return y.dataSync() as Float32Array;
  });
}

describe('convolve matches tf.conv2d (same padding, stride 1)', () => {
  const r = rng(10);
  const cases: [number, number, number, number, number][] = [
    // [height, width, channels, kh, kw]
    [9, 11, 1, 1, 1],
    [9, 11, 1, 3, 3],
    [12, 10, 1, 5, 5],
    [13, 13, 3, 7, 7],
    [8, 6, 1, 7, 7], // kernel as large as the image's short side
    [10, 9, 2, 2, 4], // even, non-square: uneven padding
    [7, 12, 1, 3, 5],
  ];
  for (const [h, w, c, kh, kw] of cases) {
    it(`${h}×${w}×${c} image, ${kh}×${kw} kernel`, () => {
      const image = randomImage(r, w, h, c);
      const k = randomKernel(r, kh, kw);
      const bias = r() - 0.5;
      for (let ch = 0; ch < c; ch++) {
        for (const relu of [false, true]) {
          const ours = convolve(image, k, { bias, relu }, ch);
          const ref = tfConv(image, k, ch, bias, relu);
          expect(ours.length).toBe(h * w);
          for (let i = 0; i < ours.length; i++) expect(ours[i]).toBeCloseTo(ref[i]!, 5);
        }
      }
    });
  }

  it('convolveChannels filters every channel with the same kernel', () => {
    const image = randomImage(r, 6, 5, 3);
    const k = randomKernel(r, 3, 3);
    const all = convolveChannels(image, k, { bias: 0.1 });
    for (let ch = 0; ch < 3; ch++) {
      const one = convolve(image, k, { bias: 0.1 }, ch);
      expect(channelOf(all, ch)).toEqual(one);
    }
  });
});

describe('weightedSum', () => {
  const r = rng(3);
  for (const size of [1, 3, 5, 7]) {
    it(`equals the convolution at every position (${size}×${size}, with bias, with and without ReLU)`, () => {
      const image = randomImage(r, 6, 5, 2);
      const k = randomKernel(r, size, size);
      for (const relu of [false, true]) {
        const opts = { bias: -0.3, relu };
        const out = convolve(image, k, opts, 1);
        for (let y = 0; y < 5; y++)
          for (let x = 0; x < 6; x++) {
            const ws = weightedSum(image, k, y, x, opts, 1);
            expect(ws.value).toBe(out[y * 6 + x]);
            expect(ws.window).toHaveLength(size * size);
            // The products are the window times the weights, and they sum (inside the image) to `sum`.
            ws.products.forEach((p, t) => expect(p).toBeCloseTo(ws.window[t]! * k.values[t]!, 12));
            expect(ws.products.reduce((a, b) => a + b, 0)).toBeCloseTo(ws.sum, 10);
            // Window values come from the right pixels; padding taps are zero.
            ws.window.forEach((v, t) => {
              const yy = ws.top + Math.floor(t / size);
              const xx = ws.left + (t % size);
              const inside = yy >= 0 && yy < 5 && xx >= 0 && xx < 6;
              expect(ws.inside[t]).toBe(inside);
              expect(v).toBe(inside ? image.data[(yy * 6 + xx) * 2 + 1]! : 0);
            });
          }
      }
    });
  }

  it('writes out the arithmetic with its numbers, and the written sum is the value', () => {
    const image: LabImage = { width: 3, height: 3, channels: 1, data: Float32Array.from([0, 0.25, 0.5, 0, 1, 0, 0, 0, 0.75]) };
    const k = presetById('sobel-x')!.kernel;
    const ws = weightedSum(image, k, 1, 1, { bias: 0 });
    const text = describeSum(ws, k);
    expect(text.startsWith('0.00×(−1) + 0.25×0 + 0.50×1 + 0.00×(−2) + 1.00×0 + 0.00×2 + 0.00×(−1) + 0.00×0 + 0.75×1 + bias 0 = ')).toBe(true);
    expect(ws.value).toBeCloseTo(1.25, 6);
    expect(text.endsWith('= 1.25')).toBe(true);
    const clipped = describeSum(weightedSum(image, k, 1, 1, { bias: -2, relu: true }), k, true);
    expect(clipped).toMatch(/bias −2 = −0\.75 → ReLU → 0\.00$/);
  });
});

describe('presets', () => {
  it('are declared once, with unique ids, a description and an odd square kernel', () => {
    const ids = KERNEL_PRESETS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const name of ['identity', 'box-blur', 'gaussian', 'sharpen', 'laplacian', 'sobel-x', 'sobel-y', 'emboss', 'outline', 'gaussian-5']) expect(ids).toContain(name);
    for (const p of KERNEL_PRESETS) {
      expect(p.kernel.h).toBe(p.kernel.w);
      expect(p.kernel.h % 2).toBe(1);
      expect(p.kernel.values).toHaveLength(p.kernel.h * p.kernel.w);
      expect(p.description.length).toBeGreaterThan(20);
    }
  });

  it('blurs, sharpen and emboss sum to 1; edge detectors sum to 0', () => {
    for (const id of ['box-blur', 'box-blur-5', 'gaussian', 'gaussian-5', 'sharpen', 'emboss', 'identity']) expect(kernelSum(presetById(id)!.kernel)).toBeCloseTo(1, 12);
    for (const id of ['laplacian', 'laplacian-5', 'sobel-x', 'sobel-x-5', 'sobel-y', 'outline']) expect(kernelSum(presetById(id)!.kernel)).toBeCloseTo(0, 12);
  });

  it('identity returns the image; a blur keeps a flat area flat; edge detectors give 0 on flat areas', () => {
    const r = rng(5);
    const image = randomImage(r, 9, 7, 1);
    expect(convolve(image, presetById('identity')!.kernel)).toEqual(image.data);
    const flat: LabImage = { width: 9, height: 9, channels: 1, data: new Float32Array(81).fill(0.6) };
    for (const p of KERNEL_PRESETS) {
      const out = convolve(flat, p.kernel);
      const centre = out[4 * 9 + 4]!; // far enough from the zero padding for every 5×5
      expect(centre).toBeCloseTo(0.6 * kernelSum(p.kernel), 5);
    }
  });

  it('Sobel x is positive where the image gets brighter to the right, Sobel y where it gets brighter downwards', () => {
    const stepX: LabImage = { width: 6, height: 6, channels: 1, data: Float32Array.from({ length: 36 }, (_, i) => (i % 6 >= 3 ? 1 : 0)) };
    expect(convolve(stepX, presetById('sobel-x')!.kernel)[2 * 6 + 2]).toBeCloseTo(4, 6);
    expect(convolve(stepX, presetById('sobel-y')!.kernel)[2 * 6 + 2]).toBeCloseTo(0, 6);
    const stepY: LabImage = { width: 6, height: 6, channels: 1, data: Float32Array.from({ length: 36 }, (_, i) => (i >= 18 ? 1 : 0)) };
    expect(convolve(stepY, presetById('sobel-y')!.kernel)[2 * 6 + 2]).toBeCloseTo(4, 6);
  });
});

describe('diverging colour scale', () => {
  it('is white at 0, blue at −bound, red at +bound, clipped beyond, symmetric in strength', () => {
    expect(divergingColor(0, 3)).toEqual([255, 255, 255]);
    expect(divergingColor(-3, 3)).toEqual([...DIVERGING_NEGATIVE]);
    expect(divergingColor(3, 3)).toEqual([...DIVERGING_POSITIVE]);
    expect(divergingColor(-30, 3)).toEqual([...DIVERGING_NEGATIVE]);
    expect(divergingColor(30, 3)).toEqual([...DIVERGING_POSITIVE]);
    // Half way: half way between white and the end colour, for either sign.
    const half = divergingColor(1.5, 3);
    half.forEach((v, c) => expect(v).toBe(Math.round(255 + (DIVERGING_POSITIVE[c]! - 255) / 2)));
    const negHalf = divergingColor(-1.5, 3);
    negHalf.forEach((v, c) => expect(v).toBe(Math.round(255 + (DIVERGING_NEGATIVE[c]! - 255) / 2)));
    // A zero or missing bound is white, never NaN.
    expect(divergingColor(1, 0)).toEqual([255, 255, 255]);
    expect(divergingColor(Number.NaN, 1)).toEqual([255, 255, 255]);
  });

  it('maxAbs is the largest magnitude, 1 for an all-zero plane', () => {
    expect(maxAbs([0.5, -2, 1])).toBe(2);
    expect(maxAbs(new Float32Array(4))).toBe(1);
  });
});

describe('resizing a kernel', () => {
  it('3 → 5 → 7 pads with zeros around the same centre; 7 → 3 crops the centre', () => {
    const k = kernel([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    const k5 = resizeKernel(k, 5);
    expect(k5.values).toEqual([0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0, 0, 7, 8, 9, 0, 0, 0, 0, 0, 0]);
    const k7 = resizeKernel(k5, 7);
    expect(k7.h).toBe(7);
    expect(kernelSum(k7)).toBe(45);
    expect(k7.values[3 * 7 + 3]).toBe(5);
    expect(resizeKernel(k7, 3)).toEqual(k);
    // A padded kernel convolves exactly like the original (the extra taps are zeros).
    const image = randomImage(rng(9), 8, 8, 1);
    expect(convolve(image, k7)).toEqual(convolve(image, k));
    expect(resizeKernel(k, 1).values).toEqual([5]);
  });
});

describe('images', () => {
  it('luminance and downscaling a photo', () => {
    const img: LabImage = { width: 1, height: 1, channels: 3, data: Float32Array.from([1, 0.5, 0]) };
    expect(luminance(img)[0]).toBeCloseTo(0.299 + 0.5 * 0.587, 6);
    // A 4×2 RGBA picture scaled to at most 2 pixels: area averages of 2×2 blocks.
    const rgba = [255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 255, 255, 0, 0, 255, 255, 255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 255, 255, 0, 0, 255, 255].map((v, i) => (i % 4 === 1 && i < 8 ? 255 : v));
    const small = fromRgba(rgba, 4, 2, 2);
    expect([small.width, small.height, small.channels]).toEqual([2, 1, 3]);
    expect(small.data[0]).toBeCloseTo(1, 6);
    expect(small.data[1]).toBeCloseTo(0.5, 6); // green only in the top row's two pixels
    expect(small.data[5]).toBeCloseTo(1, 6);
  });
});
