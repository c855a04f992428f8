/**
 * How a trained model copes with transformed images (the invariance lab's sweeps and `layerlab
 * robustness`): accuracy over the first N test images with every image transformed, and a sweep of
 * one transform's amount, optionally with the probability of the true class of one probe image.
 * tfjs is passed in (this module runs in the worker and in Node); tensor memory stays flat.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { gatherImages } from '../training/data/gather';
import type { TrainData } from '../training/trainer';
import { singleTransform, transformBatch, transformImage, type ProbeTransform, type TransformKind } from './transforms';

type TF = typeof tfjs;

/** The model: anything with a tfjs LayersModel's predict (one NHWC batch in, class probabilities out). */
export type Predictor = Pick<tfjs.LayersModel, 'predict'>;

export interface EvaluateOptions {
  /** Evaluate on the first `limit` test images (all of them when absent or larger). */
  limit?: number;
  /** Images per predict call (default 256). */
  batchSize?: number;
}

export interface SweepPoint {
  value: number;
  /** Accuracy over the first `limit` test images, every one transformed by this value. */
  accuracy: number;
  /** Probability of the probe's true class on the transformed probe image (with a probe only). */
  probability?: number;
}

export interface SweepOptions extends EvaluateOptions {
  /** One image (h×w×c floats 0–1, untransformed) and the class it should be recognised as. */
  probe?: { image: Float32Array; label: number };
  /** Called after each value with the number of values done and the total. */
  onProgress?(done: number, total: number): void;
}

/** How many test images an evaluation with `limit` uses. */
export function evaluationCount(data: Pick<TrainData, 'test'>, limit?: number): number {
  const n = data.test.count;
  return limit === undefined ? n : Math.max(0, Math.min(n, Math.floor(limit)));
}

/** Class probabilities of one batch of images (count × h×w×c floats), read back to the CPU. */
async function predictBatch(tf: TF, model: Predictor, images: Float32Array, count: number, shape: readonly [number, number, number]): Promise<Float32Array> {
  const probs = tf.tidy(() => model.predict(tf.tensor4d(images, [count, shape[0], shape[1], shape[2]])) as tfjs.Tensor);
  try {
    return (await probs.data()) as Float32Array;
  } finally {
    probs.dispose();
  }
}

/**
 * Accuracy of `model` over the first `limit` test images of `data`, each transformed by
 * `transform` (transformBatch: the same functions as the lab's sliders). NaN without images.
 */
export async function evaluateUnderTransform(tf: TF, model: Predictor, data: TrainData, transform: ProbeTransform, opts: EvaluateOptions = {}): Promise<number> {
  const n = evaluationCount(data, opts.limit);
  if (!n) return NaN;
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 256));
  const shape = data.shape;
  const size = shape[0] * shape[1] * shape[2];
  const classes = data.classes.length;
  const buf = new Float32Array(Math.min(batchSize, n) * size);
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    gatherImages(data.test, Uint32Array.from({ length: count }, (_, i) => start + i), size, buf);
    const x = transformBatch(buf, count, shape, transform);
    const p = await predictBatch(tf, model, x, count, shape);
    for (let i = 0; i < count; i++) {
      let best = 0;
      for (let k = 1; k < classes; k++) if (p[i * classes + k]! > p[i * classes + best]!) best = k;
      if (best === data.test.labels[start + i]) correct++;
    }
  }
  return correct / n;
}

/** The probability `model` gives class `label` for one image transformed by `transform`. */
export async function probabilityUnderTransform(tf: TF, model: Predictor, image: Float32Array, shape: readonly [number, number, number], label: number, transform: ProbeTransform): Promise<number> {
  const p = await predictBatch(tf, model, transformImage(image, shape, transform), 1, shape);
  return p[label]!;
}

/**
 * One point per value of transform `kind` (everything else at identity): the accuracy over the
 * first `limit` test images and, with a probe, the probability of its class.
 */
export async function sweep(tf: TF, model: Predictor, data: TrainData, kind: TransformKind, values: readonly number[], opts: SweepOptions = {}): Promise<SweepPoint[]> {
  const points: SweepPoint[] = [];
  for (const value of values) {
    const t = singleTransform(kind, value);
    const point: SweepPoint = { value, accuracy: await evaluateUnderTransform(tf, model, data, t, opts) };
    if (opts.probe) point.probability = await probabilityUnderTransform(tf, model, opts.probe.image, data.shape, opts.probe.label, t);
    points.push(point);
    opts.onProgress?.(points.length, values.length);
  }
  return points;
}
