/**
 * What the probe shows for a segmentation or detection network (the worker's side): the network's
 * output for the probe image read as a mask of classes (with each pixel's confidence) or as scored
 * boxes, and the ground truth of that image when it is one of the dataset's own (unchanged by the
 * invariance lab: a shifted image no longer matches its mask). Boxes are decoded at a low score
 * threshold (TASK_PROBE_MIN_SCORE) with non-maximum suppression; the page's threshold slider only
 * hides the weaker ones, which gives the same boxes as decoding at its threshold (greedy
 * suppression visits boxes strongest first, so a box below the threshold never removes one above).
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { CompiledGraph } from '../compiler/compile';
import { decodeDetections, gridOf, type PixelBox } from '../tasks/detection';
import type { Detection } from '../tasks/metrics';
import { maskOfOutput } from '../tasks/segmentation';
import type { TrainData } from './trainer';

type TF = typeof tfjs;

/** Detections weaker than this are not sent to the page (its slider starts at 0.25). */
export const TASK_PROBE_MIN_SCORE = 0.05;

/** What both tasks' views share: the probe image as the network saw it (h × w × c floats 0–1). */
interface ProbeImage {
  width: number;
  height: number;
  channels: number;
  image: Float32Array;
}

export type TaskPrediction =
  | (ProbeImage & {
      task: 'segmentation';
      /** Class names, the background first. */
      classes: string[];
      /** The predicted class of every pixel, row by row (height × width). */
      mask: Uint8Array;
      /** The probability of that class at every pixel. */
      confidence: Float32Array;
      /** The dataset's mask of this image; null for a drawing, a file, the camera or a transformed image. */
      truth: Uint8Array | null;
    })
  | (ProbeImage & {
      task: 'detection';
      /** Object classes. */
      classes: string[];
      /** Boxes in pixels, strongest first, scoring at least TASK_PROBE_MIN_SCORE, after non-maximum suppression. */
      detections: Detection[];
      /** The dataset's boxes of this image; null for a drawing, a file, the camera or a transformed image. */
      truth: PixelBox[] | null;
    });

/** Where the probe image comes from in the dataset, when it is one of its images. */
export interface ProbeTruthRef {
  split: 'train' | 'test';
  index: number;
}

/**
 * The task view of the probe image: null for classification (the probe shows class bars then) or
 * when the output does not fit the task (the graph's problems say why).
 */
export async function taskPrediction(tf: TF, compiled: CompiledGraph, data: TrainData, image: Float32Array, truthRef: ProbeTruthRef | null): Promise<TaskPrediction | null> {
  const task = data.task ?? 'classification';
  if (task === 'classification') return null;
  const [height, width, channels] = data.shape;
  const seen = { width, height, channels, image: Float32Array.from(image) };
  const outShape = (compiled.model.outputs[0]!.shape as (number | null)[]).slice(1);
  const out = tf.tidy(() => compiled.model.predict(tf.tensor4d(image, [1, ...data.shape])) as tfjs.Tensor);
  let values: Float32Array;
  try {
    values = (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
  const split = truthRef ? data[truthRef.split] : null;
  const at = split && truthRef && truthRef.index >= 0 && truthRef.index < split.count ? truthRef.index : -1;
  if (task === 'segmentation') {
    const [oh, ow, channels] = outShape as number[];
    if (outShape.length !== 3 || oh !== height || ow !== width || !channels) return null;
    const pixels = height * width;
    const mask = maskOfOutput(values, pixels, channels);
    const confidence = new Float32Array(pixels);
    for (let i = 0; i < pixels; i++) confidence[i] = channels === 1 ? (mask[i] ? values[i]! : 1 - values[i]!) : values[i * channels + mask[i]!]!;
    const truth = at >= 0 && split!.masks ? split!.masks.slice(at * pixels, (at + 1) * pixels) : null;
    return { ...seen, task, classes: data.classes, mask, confidence, truth };
  }
  let grid;
  try {
    grid = gridOf(outShape);
  } catch {
    return null;
  }
  const detections = decodeDetections(values, grid, width, height, { scoreThreshold: TASK_PROBE_MIN_SCORE, iou: 0.5 });
  const truth = at >= 0 && split!.boxes ? (split!.boxes[at] ?? []).map(({ cls, x, y, w, h }) => ({ cls, x, y, w, h })) : null;
  return { ...seen, task: 'detection', classes: data.classes, detections, truth };
}
