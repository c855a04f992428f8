/**
 * The colours of segmentation masks and detection boxes in the probe, pure (no DOM): a fixed
 * qualitative palette (Tableau 10 without its grey, then hues a golden angle apart for more
 * classes), the same colour for a class everywhere. In a mask, class 0 is the background and has
 * no colour (transparent: the image shows through, dark); class k ≥ 1 takes palette colour k − 1,
 * so a segmentation's "circle" (class 1) and a detection's "circle" (object class 0) look alike.
 */

export type Rgb = readonly [number, number, number];

/** Tableau 10 without its grey: blue, orange, red, teal, green, yellow, purple, pink, brown. */
const PALETTE: readonly Rgb[] = [
  [78, 121, 167],
  [242, 142, 43],
  [225, 87, 89],
  [118, 183, 178],
  [89, 161, 79],
  [237, 201, 72],
  [176, 122, 161],
  [255, 157, 167],
  [156, 117, 95],
];

function hslToRgb(h: number, s: number, l: number): Rgb {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** The colour of object class `k` (0-based, as in detection): the palette, then golden-angle hues. */
export function objectColor(k: number): Rgb {
  if (k < PALETTE.length) return PALETTE[k]!;
  return hslToRgb((k * 137.508) % 360, 0.65, 0.55);
}

/** The colour of mask class `k`: null for the background (class 0), else objectColor(k − 1). */
export function maskClassColor(k: number): Rgb | null {
  return k === 0 ? null : objectColor(k - 1);
}

/** A CSS colour of a class (the legend, box outlines); the background is a dark grey. */
export function cssColor(rgb: Rgb | null): string {
  return rgb ? `rgb(${rgb[0]},${rgb[1]},${rgb[2]})` : 'rgb(40,40,40)';
}

/**
 * A mask (h × w class indices) as RGBA pixels: each class's colour at alpha `opacity` (0–1), the
 * background fully transparent.
 */
export function maskRgba(mask: ArrayLike<number>, opacity: number): Uint8ClampedArray {
  const px = new Uint8ClampedArray(mask.length * 4);
  const alpha = Math.round(Math.max(0, Math.min(1, opacity)) * 255);
  for (let i = 0; i < mask.length; i++) {
    const c = maskClassColor(mask[i]!);
    if (!c) continue;
    px[i * 4] = c[0];
    px[i * 4 + 1] = c[1];
    px[i * 4 + 2] = c[2];
    px[i * 4 + 3] = alpha;
  }
  return px;
}

/**
 * An image (h × w × c floats 0–1, grey or RGB) with a mask painted over it, as opaque RGBA pixels:
 * class colour × opacity + image × (1 − opacity); the background shows the image, dimmed by
 * `dim` (0–1) so that the colours stand out.
 */
export function maskOverlay(image: ArrayLike<number>, shape: readonly number[], mask: ArrayLike<number>, opacity: number, dim = 0.6): Uint8ClampedArray {
  const [h, w, ch] = shape as [number, number, number];
  const a = Math.max(0, Math.min(1, opacity));
  const px = new Uint8ClampedArray(h * w * 4);
  for (let i = 0; i < h * w; i++) {
    const c = maskClassColor(mask[i]!);
    for (let k = 0; k < 3; k++) {
      const v = image[i * ch + (ch === 3 ? k : 0)]! * 255 * dim;
      px[i * 4 + k] = c ? c[k]! * a + v * (1 - a) : v;
    }
    px[i * 4 + 3] = 255;
  }
  return px;
}

/** The share of the pixels (0–1) each of `classes` classes has in a mask. */
export function classShares(mask: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < mask.length; i++) if (mask[i]! < classes) counts[mask[i]!]!++;
  return counts.map((n) => (mask.length ? n / mask.length : 0));
}
