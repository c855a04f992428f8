/**
 * Task metrics for segmentation and detection, pure TS (no tfjs, no DOM).
 *
 * Segmentation: a confusion matrix over pixels, accumulated over many images
 * (`SegmentationAccumulator`), from which come per-class IoU, mean IoU and pixel accuracy.
 *   IoU(c) = TP / (TP + FP + FN) = confusion[c][c] / (row c + column c − confusion[c][c]).
 *   A class that appears neither in the truth nor in the prediction (over all images added) has
 *   no IoU (null) and is left out of the mean: it is not a failure to never draw what is never
 *   there. Background (class 0) is a class like the others and counts in the mean, as in
 *   PASCAL VOC. Pixel accuracy = correct pixels / all pixels.
 *
 * Detection: boxes are {x, y, w, h} in any unit (top-left corner and size); `yoloToBox` converts
 * YOLO's centre/size fractions. `nms` is greedy non-maximum suppression per class.
 * `evaluateDetections` computes AP per class at an IoU threshold (0.5 by default) with
 * ALL-POINT interpolation as PASCAL VOC 2010+ (precision made monotone from the right, area
 * under the recall–precision step curve), and mAP = mean AP over the classes that have at least
 * one ground-truth box (a class absent from the ground truth has AP null, excluded from the
 * mean, even if it was detected: its detections can only be false positives).
 */

// ---------------------------------------------------------------- segmentation

export interface SegmentationResult {
  numClasses: number;
  /** confusion[truth][pred] = pixel count. */
  confusion: number[][];
  /** IoU per class; null where the class is in neither the truth nor the prediction. */
  perClassIoU: (number | null)[];
  /** Mean of the non-null per-class IoUs; NaN when no pixels were added. */
  meanIoU: number;
  /** Correct pixels / all pixels; NaN when no pixels were added. */
  pixelAccuracy: number;
  /** Pixels counted. */
  pixels: number;
}

/** Accumulates a pixel confusion matrix over many (prediction, truth) mask pairs. */
export class SegmentationAccumulator {
  readonly numClasses: number;
  private readonly counts: Float64Array;
  private pixels = 0;

  constructor(numClasses: number) {
    if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 256) {
      throw new Error(`numClasses must be an integer from 1 to 256, not ${numClasses}`);
    }
    this.numClasses = numClasses;
    this.counts = new Float64Array(numClasses * numClasses);
  }

  /** Adds one image: masks of class indices, one per pixel, of the same length. */
  add(pred: Uint8Array, truth: Uint8Array): void {
    if (pred.length !== truth.length) {
      throw new Error(`prediction has ${pred.length} pixels but the truth has ${truth.length}`);
    }
    const k = this.numClasses;
    for (let i = 0; i < pred.length; i++) {
      const p = pred[i]!;
      const t = truth[i]!;
      if (p >= k || t >= k) {
        throw new Error(`pixel ${i} has class ${p >= k ? p : t} (${p >= k ? 'prediction' : 'truth'}), but there are only ${k} classes`);
      }
      this.counts[t * k + p]!++;
    }
    this.pixels += pred.length;
  }

  result(): SegmentationResult {
    const k = this.numClasses;
    const confusion: number[][] = [];
    for (let t = 0; t < k; t++) confusion.push(Array.from(this.counts.subarray(t * k, (t + 1) * k)));
    const perClassIoU: (number | null)[] = [];
    let correct = 0;
    for (let c = 0; c < k; c++) {
      const tp = confusion[c]![c]!;
      correct += tp;
      let row = 0;
      let col = 0;
      for (let j = 0; j < k; j++) {
        row += confusion[c]![j]!;
        col += confusion[j]![c]!;
      }
      const union = row + col - tp;
      perClassIoU.push(union === 0 ? null : tp / union);
    }
    const present = perClassIoU.filter((v): v is number => v !== null);
    return {
      numClasses: k,
      confusion,
      perClassIoU,
      meanIoU: present.length ? present.reduce((a, b) => a + b, 0) / present.length : NaN,
      pixelAccuracy: this.pixels ? correct / this.pixels : NaN,
      pixels: this.pixels,
    };
  }
}

// ---------------------------------------------------------------- boxes

/** An axis-aligned box: top-left corner (x, y) and size (w, h). */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A predicted box with its class and score. */
export interface Detection extends Box {
  class: number;
  score: number;
}

/** A ground-truth box with its class. */
export interface TruthBox extends Box {
  class: number;
}

/** YOLO centre/size fractions → a box in pixels of an image `imageW`×`imageH` (1×1 keeps fractions). */
export function yoloToBox(cx: number, cy: number, w: number, h: number, imageW = 1, imageH = 1): Box {
  return { x: (cx - w / 2) * imageW, y: (cy - h / 2) * imageH, w: w * imageW, h: h * imageH };
}

/** Intersection over union of two boxes; 0 when the union is empty (both boxes degenerate). */
export function boxIoU(a: Box, b: Box): number {
  const iw = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const ih = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  const inter = iw > 0 && ih > 0 ? iw * ih : 0;
  const union = Math.max(0, a.w) * Math.max(0, a.h) + Math.max(0, b.w) * Math.max(0, b.h) - inter;
  return union > 0 ? inter / union : 0;
}

/** Indices of `items` sorted by score, highest first; ties keep input order (stable). */
function byScoreDesc(items: readonly { score: number }[]): number[] {
  return items.map((_, i) => i).sort((i, j) => items[j]!.score - items[i]!.score || i - j);
}

export interface NmsOptions {
  /** A box is dropped when its IoU with a kept box of its class is greater than this (default 0.5). */
  iouThreshold?: number;
  /** Boxes scoring below this are dropped first (default: keep all). */
  scoreThreshold?: number;
  /** Keep at most this many boxes in all, best first (default: no limit). */
  maxDetections?: number;
}

/**
 * Greedy non-maximum suppression, per class: boxes are visited by score, highest first (ties in
 * input order); a box is kept unless a kept box of the same class overlaps it with IoU greater
 * than the threshold. Boxes of different classes never suppress each other. Returns the kept
 * boxes sorted by score, highest first.
 */
export function nms<D extends Detection>(dets: readonly D[], options: NmsOptions = {}): D[] {
  const thr = options.iouThreshold ?? 0.5;
  const minScore = options.scoreThreshold ?? -Infinity;
  const max = options.maxDetections ?? Infinity;
  const kept: D[] = [];
  for (const i of byScoreDesc(dets)) {
    if (kept.length >= max) break;
    const d = dets[i]!;
    if (!(d.score >= minScore)) continue;
    if (kept.some((k) => k.class === d.class && boxIoU(k, d) > thr)) continue;
    kept.push(d);
  }
  return kept;
}

// ---------------------------------------------------------------- average precision

/**
 * All-point interpolated AP (PASCAL VOC 2010+): given recall (non-decreasing) and precision at
 * each rank, pad with recall 0/1 and precision 0 at the ends, make precision non-increasing from
 * the right (the envelope), and sum Δrecall × envelope wherever recall changes.
 */
export function allPointAP(recall: readonly number[], precision: readonly number[]): number {
  const n = recall.length;
  const env = new Float64Array(n + 1); // env[i] = max precision at ranks ≥ i (env[n] = 0)
  for (let i = n - 1; i >= 0; i--) env[i] = Math.max(precision[i]!, env[i + 1]!);
  let ap = 0;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const r = recall[i]!;
    if (r !== prev) {
      ap += (r - prev) * env[i]!;
      prev = r;
    }
  }
  return ap;
}

/** One image's detections and ground truth (coordinates in the same unit). */
export interface DetectionImage {
  detections: readonly Detection[];
  truths: readonly TruthBox[];
}

export interface ClassAP {
  /** AP at the threshold; null when the class has no ground-truth box. */
  ap: number | null;
  /** Ground-truth boxes of this class. */
  truths: number;
  /** Detections of this class. */
  detections: number;
  truePositives: number;
  /** Detections of this class that matched nothing, or matched a box already taken (duplicates). */
  falsePositives: number;
}

export interface DetectionResult {
  iouThreshold: number;
  perClass: ClassAP[];
  /** Mean AP over the classes with ground truth; NaN when no class has any. */
  mAP: number;
}

/**
 * AP per class and mAP, matching as the PASCAL VOC devkit: for each class, all its detections
 * over all images are visited by score, highest first (ties in input order: image order, then
 * order within the image). Each is compared with the ground-truth boxes of its class in its own
 * image; the one with the highest IoU is its candidate. If that IoU ≥ threshold and the
 * candidate is not yet taken, the detection is a true positive and takes it; if the candidate is
 * already taken (a duplicate detection), or the IoU is below the threshold, or the image has no
 * box of that class (including images with no ground truth at all), it is a false positive.
 * Recall = TP / number of truths, precision = TP / detections so far, AP = `allPointAP`.
 * A class with truths but no detections has AP 0 (it counts in the mean); a class with no
 * truths has AP null and is excluded from the mean.
 */
export function evaluateDetections(
  images: readonly DetectionImage[],
  numClasses: number,
  iouThreshold = 0.5,
): DetectionResult {
  const perClass: ClassAP[] = [];
  for (let c = 0; c < numClasses; c++) {
    const dets: { score: number; img: number; det: Detection }[] = [];
    let nTruth = 0;
    images.forEach((im, img) => {
      for (const d of im.detections) if (d.class === c) dets.push({ score: d.score, img, det: d });
      for (const t of im.truths) if (t.class === c) nTruth++;
    });
    const truthsOf = images.map((im) => im.truths.filter((t) => t.class === c));
    const taken = truthsOf.map((ts) => new Uint8Array(ts.length));
    const recall: number[] = [];
    const precision: number[] = [];
    let tp = 0;
    let fp = 0;
    for (const i of byScoreDesc(dets)) {
      const { img, det } = dets[i]!;
      let best = -1;
      let bestIoU = -Infinity;
      truthsOf[img]!.forEach((t, j) => {
        const o = boxIoU(det, t);
        if (o > bestIoU) {
          bestIoU = o;
          best = j;
        }
      });
      if (best >= 0 && bestIoU >= iouThreshold && !taken[img]![best]) {
        taken[img]![best] = 1;
        tp++;
      } else {
        fp++;
      }
      recall.push(nTruth ? tp / nTruth : 0);
      precision.push(tp / (tp + fp));
    }
    perClass.push({
      ap: nTruth ? allPointAP(recall, precision) : null,
      truths: nTruth,
      detections: dets.length,
      truePositives: tp,
      falsePositives: fp,
    });
  }
  const aps = perClass.map((p) => p.ap).filter((a): a is number => a !== null);
  return { iouThreshold, perClass, mAP: aps.length ? aps.reduce((a, b) => a + b, 0) / aps.length : NaN };
}
