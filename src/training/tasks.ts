/**
 * What differs between tasks in training, one adapter per task: the loss and live metric the
 * model is compiled with, the targets of a batch (with augmentation moving masks and boxes along
 * with their images), and how a split is scored (classification: loss, accuracy and confusion;
 * segmentation: mean IoU, per-class IoU, pixel accuracy; detection: mAP@0.5 and per-class AP).
 * The training loop (trainer.ts) is the same for all three.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { TaskName } from '../graph/training-settings';
import { decodeDetections, encodeDetectionTargets, gridOf, type Grid, type PixelBox } from '../tasks/detection';
import { detectionLoss, pixelAccuracy, segmentationLoss } from '../tasks/losses';
import { evaluateDetections, SegmentationAccumulator, boxIoU, type DetectionImage, type DetectionResult, type SegmentationResult } from '../tasks/metrics';
import { classesOfOutput, maskOfOutput, maskTargets } from '../tasks/segmentation';
import { augmentBatch, augmentBoxBatch, augmentSegBatch, type Augmentation } from './data/augment';
import type { Rand } from './data/rng';

type TF = typeof tfjs;

/** The task-specific part of a split. */
export interface TaskTargets {
  /** Segmentation: count × h × w class indices (0 = background). */
  masks?: Uint8Array;
  /** Detection: each image's boxes in pixels (top-left x, y; w, h; 0-based class). */
  boxes?: PixelBox[][];
}

/** The scores of a segmentation split, with the images the network did worst on. */
export interface SegmentationScore extends SegmentationResult {
  /** Up to 20 image indices (of the split), lowest mean IoU first, with that IoU. */
  worst: { index: number; score: number }[];
}

export interface DetectionScore extends DetectionResult {
  /** Up to 20 image indices, worst first; score = matched / (boxes + false detections) at IoU 0.5, score ≥ 0.25. */
  worst: { index: number; score: number }[];
}

export interface BatchTargets {
  /** The target tensor's floats and shape (batch first). */
  values: Float32Array;
  shape: number[];
}

export interface TaskAdapter {
  task: TaskName;
  /** What the live "accuracy" is, for people ('accuracy', 'pixel accuracy', or null: none). */
  metricName: string | null;
  compileArgs(): { loss: string | ((a: tfjs.Tensor, b: tfjs.Tensor) => tfjs.Scalar); metrics: (string | ((a: tfjs.Tensor, b: tfjs.Tensor) => tfjs.Tensor))[] };
  /**
   * The targets of images `idx` of a split whose pixels are already in `x` (count images); when
   * `aug` is given, the images in `x` are augmented in place and the targets follow them.
   */
  batch(split: { labels: Uint8Array } & TaskTargets, idx: number[], x: Float32Array, aug: Augmentation | undefined, rand: Rand): BatchTargets;
}

export function taskAdapter(tf: TF, task: TaskName, shape: [number, number, number], outputShape: readonly (number | null)[], classes: number, opts: { dice?: boolean } = {}): TaskAdapter {
  const [h, w] = shape;
  switch (task) {
    case 'classification':
      return {
        task,
        metricName: 'accuracy',
        compileArgs: () => ({ loss: 'categoricalCrossentropy', metrics: ['accuracy'] }),
        batch(split, idx, x, aug, rand) {
          if (aug) augmentBatch(x, idx.length, shape, aug, rand);
          const values = new Float32Array(idx.length * classes);
          idx.forEach((i, k) => (values[k * classes + split.labels[i]!] = 1));
          return { values, shape: [idx.length, classes] };
        },
      };
    case 'segmentation': {
      const channels = outputShape[outputShape.length - 1]!;
      return {
        task,
        metricName: 'pixel accuracy',
        compileArgs: () => ({ loss: segmentationLoss(tf, channels, !!opts.dice), metrics: [pixelAccuracy(tf, channels)] }),
        batch(split, idx, x, aug, rand) {
          if (!split.masks) throw new Error('This dataset has no masks: a segmentation network needs one mask per image.');
          const masks = new Uint8Array(idx.length * h * w);
          idx.forEach((i, k) => masks.set(split.masks!.subarray(i * h * w, (i + 1) * h * w), k * h * w));
          if (aug) augmentSegBatch(x, masks, idx.length, shape, aug, rand);
          return { values: maskTargets(masks, idx.length, h * w, channels), shape: [idx.length, h, w, channels] };
        },
      };
    }
    case 'detection': {
      const grid = gridOf(outputShape);
      return {
        task,
        metricName: null,
        compileArgs: () => ({ loss: detectionLoss(tf, grid.classes), metrics: [] }),
        batch(split, idx, x, aug, rand) {
          if (!split.boxes) throw new Error('This dataset has no boxes: a detection network needs labelled boxes per image.');
          let boxes: PixelBox[][] = idx.map((i) => split.boxes![i] ?? []);
          if (aug) boxes = augmentBoxBatch(x, boxes, idx.length, shape, aug, rand);
          const { targets } = encodeDetectionTargets(boxes, grid, h, w);
          return { values: targets, shape: [idx.length, grid.rows, grid.cols, 5 + grid.classes] };
        },
      };
    }
  }
}

/** Scores one batch of segmentation outputs into an accumulator; returns each image's mean IoU. */
export function scoreSegmentationBatch(acc: SegmentationAccumulator, output: Float32Array, masks: Uint8Array, count: number, pixels: number, channels: number): number[] {
  const pred = new Uint8Array(pixels);
  const per: number[] = [];
  for (let i = 0; i < count; i++) {
    maskOfOutput(output.subarray(i * pixels * channels, (i + 1) * pixels * channels), pixels, channels, pred);
    const truth = masks.subarray(i * pixels, (i + 1) * pixels);
    acc.add(pred, truth);
    const one = new SegmentationAccumulator(acc.numClasses);
    one.add(pred, truth);
    per.push(one.result().meanIoU);
  }
  return per;
}

/** How well one image's detections match its boxes: matched / (boxes + unmatched detections), 1 when both are empty. */
export function detectionImageScore(im: DetectionImage, iou = 0.5): number {
  const taken = new Uint8Array(im.truths.length);
  let tp = 0;
  for (const d of im.detections) {
    let best = -1;
    let bestIoU = iou;
    im.truths.forEach((t, j) => {
      if (taken[j] || t.class !== d.class) return;
      const o = boxIoU(d, t);
      if (o >= bestIoU) {
        bestIoU = o;
        best = j;
      }
    });
    if (best >= 0) {
      taken[best] = 1;
      tp++;
    }
  }
  const denom = im.truths.length + im.detections.length - tp;
  return denom === 0 ? 1 : tp / denom;
}

/** Worst-first list of at most `n` (index, score) pairs. */
export function worstOf(scores: number[], indices: readonly number[], n = 20): { index: number; score: number }[] {
  return scores
    .map((score, k) => ({ index: indices[k]!, score: Number.isNaN(score) ? 1 : score }))
    .sort((a, b) => a.score - b.score || a.index - b.index)
    .slice(0, n);
}

/** Detections of one image's raw output, for scoring (a low threshold so AP covers the whole curve). */
export function detectionsForScoring(output: Float32Array, grid: Grid, w: number, h: number) {
  return decodeDetections(output, grid, w, h, { scoreThreshold: 0.01, iou: 0.5 });
}

export { classesOfOutput };
export type { SegmentationResult, DetectionResult };
