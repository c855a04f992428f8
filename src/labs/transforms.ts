/**
 * The invariance lab's image transforms, shared by the app's sliders and sweeps and by
 * `layerlab robustness`. Pure functions on h×w×c float images (values 0–1), no DOM, no tfjs.
 *
 * - `shift-x` V pixels (positive = right), `shift-y` V pixels (positive = down);
 * - `rotate` V degrees (positive = counter-clockwise as seen on screen, about the image centre);
 * - `scale` factor V about the centre (2 = twice as large);
 * - `brightness` multiplies every value by V and clips to [0, 1].
 *
 * Geometric transforms sample bilinearly with pixel centres at +0.5 (the centre of an h×w image is
 * at (w/2, h/2) in those coordinates) and fill with 0 (background) outside the image. They reuse
 * the augmentation's warp (src/training/data/augment.ts), so what training augments with and what
 * the lab tests against are the same geometry.
 */
import { warpImage, type WarpParams } from '../training/data/augment';

export const TRANSFORM_KINDS = ['shift-x', 'shift-y', 'rotate', 'scale', 'brightness'] as const;
export type TransformKind = (typeof TRANSFORM_KINDS)[number];

/** Every transform at once, as the lab's sliders set them; `IDENTITY_TRANSFORM` changes nothing. */
export interface ProbeTransform {
  /** Pixels, positive = right. */
  shiftX: number;
  /** Pixels, positive = down. */
  shiftY: number;
  /** Degrees, positive = counter-clockwise on screen. */
  rotate: number;
  /** Factor about the centre. */
  scale: number;
  /** Factor on every value, then clipped to [0, 1]. */
  brightness: number;
}

export const IDENTITY_TRANSFORM: ProbeTransform = { shiftX: 0, shiftY: 0, rotate: 0, scale: 1, brightness: 1 };

/** For each transform kind: the slider's field, label, unit, bounds, step and a sweep's default values. */
export const TRANSFORM_SPECS: Record<
  TransformKind,
  { field: keyof ProbeTransform; label: string; unit: string; min: number; max: number; step: number; identity: number; sweep: number[] }
> = {
  'shift-x': { field: 'shiftX', label: 'Shift right', unit: 'px', min: -14, max: 14, step: 1, identity: 0, sweep: [-8, -6, -4, -2, 0, 2, 4, 6, 8] },
  'shift-y': { field: 'shiftY', label: 'Shift down', unit: 'px', min: -14, max: 14, step: 1, identity: 0, sweep: [-8, -6, -4, -2, 0, 2, 4, 6, 8] },
  rotate: { field: 'rotate', label: 'Rotate', unit: '°', min: -180, max: 180, step: 1, identity: 0, sweep: [-90, -60, -45, -30, -15, 0, 15, 30, 45, 60, 90] },
  scale: { field: 'scale', label: 'Scale', unit: '×', min: 0.25, max: 3, step: 0.05, identity: 1, sweep: [0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2] },
  brightness: { field: 'brightness', label: 'Brightness', unit: '×', min: 0, max: 3, step: 0.05, identity: 1, sweep: [0, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3] },
};

export function isTransformKind(s: string): s is TransformKind {
  return (TRANSFORM_KINDS as readonly string[]).includes(s);
}

/** The combined transform with one kind set to `value` and everything else at identity. */
export function singleTransform(kind: TransformKind, value: number): ProbeTransform {
  return { ...IDENTITY_TRANSFORM, [TRANSFORM_SPECS[kind].field]: value };
}

export function isIdentityTransform(t: ProbeTransform): boolean {
  return t.shiftX === 0 && t.shiftY === 0 && t.rotate === 0 && t.scale === 1 && t.brightness === 1;
}

/**
 * Applies `t` to one h×w×c image: scale and rotate about the centre, then shift (bilinear, 0
 * outside), then multiply by the brightness and clip to [0, 1]. Returns a new array; the
 * identity returns an unchanged copy.
 */
export function transformImage(image: Float32Array, shape: readonly [number, number, number], t: ProbeTransform): Float32Array {
  const [h, w, c] = shape;
  if (image.length !== h * w * c) throw new Error(`An image of ${h}×${w}×${c} has ${h * w * c} values, not ${image.length}.`);
  if (!(t.scale > 0)) throw new Error(`The scale must be more than 0, not ${t.scale}.`);
  let out: Float32Array;
  if (t.shiftX || t.shiftY || t.rotate || t.scale !== 1) {
    const warp: WarpParams = { dx: t.shiftX, dy: t.shiftY, angle: t.rotate, scale: t.scale, flip: false, brightness: 0 };
    out = warpImage(image, new Float32Array(image.length), shape, warp, 'zero');
  } else {
    out = Float32Array.from(image);
  }
  if (t.brightness !== 1) {
    const b = t.brightness;
    for (let i = 0; i < out.length; i++) {
      const v = out[i]! * b;
      out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return out;
}

/** Applies `t` to `count` images stored one after another (NHWC) into a new array. */
export function transformBatch(images: Float32Array, count: number, shape: readonly [number, number, number], t: ProbeTransform): Float32Array {
  const size = shape[0] * shape[1] * shape[2];
  const out = new Float32Array(count * size);
  for (let i = 0; i < count; i++) out.set(transformImage(images.subarray(i * size, (i + 1) * size), shape, t), i * size);
  return out;
}
