/**
 * Checking an exported ONNX file against TensorFlow.js, as pure arithmetic (no tfjs, no ONNX Runtime):
 * seeded random inputs in the graph's layout, the NHWC ↔ NCHW transposes between TensorFlow.js
 * (channels last) and the ONNX model (channels second), and the comparison rule the parity tests use:
 * outputs agree when max |difference| ≤ 1e-4 × the output's scale (its largest absolute value).
 * Used by the Export dialog after an ONNX download and by the tests.
 */
import { mulberry32 } from '../training/data/rng';

/** Relative tolerance: max |difference| may be this fraction of the reference output's largest |value|. */
export const ONNX_TOLERANCE = 1e-4;

/**
 * Moves the last axis of a row-major array to position 1: NHWC → NCHW for images, [N, L, C] →
 * [N, C, L], and nothing at all for rank ≤ 2. Returns the data and its new shape.
 */
export function channelsFirst(data: Float32Array, shape: readonly number[]): { data: Float32Array; shape: number[] } {
  checkSize(data, shape);
  if (shape.length <= 2) return { data: Float32Array.from(data), shape: [...shape] };
  const n = shape[0]!;
  const c = shape[shape.length - 1]!;
  const inner = shape.slice(1, -1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) {
    const base = b * inner * c;
    for (let p = 0; p < inner; p++) for (let k = 0; k < c; k++) out[base + k * inner + p] = data[base + p * c + k]!;
  }
  return { data: out, shape: [n, c, ...shape.slice(1, -1)] };
}

/** The inverse of channelsFirst: moves axis 1 to the end (NCHW → NHWC). */
export function channelsLast(data: Float32Array, shape: readonly number[]): { data: Float32Array; shape: number[] } {
  checkSize(data, shape);
  if (shape.length <= 2) return { data: Float32Array.from(data), shape: [...shape] };
  const n = shape[0]!;
  const c = shape[1]!;
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) {
    const base = b * inner * c;
    for (let k = 0; k < c; k++) for (let p = 0; p < inner; p++) out[base + p * c + k] = data[base + k * inner + p]!;
  }
  return { data: out, shape: [n, ...shape.slice(2), c] };
}

/**
 * A per-sample TensorFlow.js shape as the ONNX model has it, in words, batch first: [28, 28, 1] →
 * "N×1×28×28" (channels second), [10] → "N×10".
 */
export function onnxLayout(shape: readonly number[]): string {
  const s = shape.length >= 2 ? [shape[shape.length - 1]!, ...shape.slice(0, -1)] : [...shape];
  return ['N', ...s].join('×');
}

function checkSize(data: Float32Array, shape: readonly number[]) {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new Error(`an array of ${data.length} values cannot have the shape ${shape.join('×')} (${size} values)`);
}

/**
 * `count` seeded random images of `imageShape` ([h, w, c], as the graph's input node gives it),
 * uniform in [0, 1) like the datasets' pixels: TensorFlow.js' NHWC batch and the same values as
 * the ONNX model's NCHW input.
 */
export function randomInputs(imageShape: readonly number[], count: number, seed: number): { nhwc: Float32Array; nhwcShape: number[]; nchw: Float32Array; nchwShape: number[] } {
  const nhwcShape = [count, ...imageShape];
  const nhwc = new Float32Array(nhwcShape.reduce((a, b) => a * b, 1));
  const rng = mulberry32(seed);
  for (let i = 0; i < nhwc.length; i++) nhwc[i] = rng();
  const t = channelsFirst(nhwc, nhwcShape);
  return { nhwc, nhwcShape, nchw: t.data, nchwShape: t.shape };
}

export type OnnxCheck =
  | { ok: true; maxDiff: number; scale: number; count: number }
  | { ok: false; reason: 'shape'; got: number[]; want: number[]; count: number }
  | { ok: false; reason: 'values'; maxDiff: number; scale: number; count: number; at: number; got: number; want: number };

/**
 * Compares ONNX Runtime's output (channels second, as the ONNX model gives it) with TensorFlow.js'
 * (channels last) for the same `count` inputs. Agreement: same shape, and max |difference| ≤
 * ONNX_TOLERANCE × max |TensorFlow.js value|. A NaN or infinity on either side is a disagreement.
 */
export function compareWithTfjs(onnx: { data: Float32Array; dims: readonly number[] }, tfjs: { data: Float32Array; shape: readonly number[] }, count = tfjs.shape[0] ?? 0): OnnxCheck {
  const want = channelsFirst(tfjs.data, tfjs.shape);
  const got = [...onnx.dims];
  if (got.length !== want.shape.length || got.some((d, i) => d !== want.shape[i]) || onnx.data.length !== want.data.length) {
    return { ok: false, reason: 'shape', got, want: want.shape, count };
  }
  let maxDiff = 0;
  let at = -1;
  let scale = 0;
  for (let i = 0; i < want.data.length; i++) {
    const w = want.data[i]!;
    const g = onnx.data[i]!;
    const d = Number.isFinite(w) && Number.isFinite(g) ? Math.abs(g - w) : Infinity;
    if (at < 0 || d > maxDiff) {
      maxDiff = d;
      at = i;
    }
    if (Number.isFinite(w)) scale = Math.max(scale, Math.abs(w));
  }
  if (maxDiff <= ONNX_TOLERANCE * scale) return { ok: true, maxDiff, scale, count };
  return { ok: false, reason: 'values', maxDiff, scale, count, at, got: onnx.data[at]!, want: want.data[at]! };
}

/** A number for people: 3e-7, 0.0021, 1.5. */
function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  if (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5) return x.toExponential(0).replace('e+', 'e');
  return String(Number(x.toPrecision(2)));
}

/** The check in one sentence: "ONNX Runtime agrees: max difference 3e-7 …" or what disagrees. */
export function describeOnnxCheck(c: OnnxCheck): string {
  const inputs = `${c.count} random input${c.count === 1 ? '' : 's'}`;
  if (c.ok) {
    return `ONNX Runtime agrees: max difference ${num(c.maxDiff)} on ${inputs} (outputs up to ${num(c.scale)}; allowed ${num(ONNX_TOLERANCE * c.scale)}).`;
  }
  if (c.reason === 'shape') {
    return `ONNX Runtime disagrees: the file's output has the shape ${c.got.join('×')}, but TensorFlow.js gives ${c.want.join('×')} (channels second).`;
  }
  if (!Number.isFinite(c.maxDiff)) {
    return `ONNX Runtime disagrees: value ${c.at} is ${num(c.got)} in ONNX Runtime and ${num(c.want)} in TensorFlow.js on ${inputs}.`;
  }
  return `ONNX Runtime disagrees: max difference ${num(c.maxDiff)} on ${inputs} (value ${c.at}: ${num(c.got)} against TensorFlow.js' ${num(c.want)}), more than the ${num(ONNX_TOLERANCE * c.scale)} allowed for outputs up to ${num(c.scale)}.`;
}
