/**
 * The single-shot detection grid (DETECTION_LAYOUT in src/graph/training-settings.ts), both ways,
 * pure TS (no tfjs): boxes → the training target a grid of R×C cells holds, and a network's raw
 * output → scored boxes after non-maximum suppression.
 *
 * Target of one image, [R, C, 5 + K] floats, channel by channel:
 *   0      objectness: 1 in the cell that holds a box's centre, 0 elsewhere;
 *   1, 2   the centre inside that cell (column, row), each in [0, 1);
 *   3, 4   the box's width and height as fractions of the image's;
 *   5…     the class, one-hot.
 * A cell holds one object: when two centres fall in the same cell the larger box keeps it (the
 * smaller one cannot be learnt by this grid, and `encodeDetectionTargets` counts it as `lost`).
 *
 * Decoding reads the output as logits: objectness, centre and size go through a sigmoid, the
 * class scores through a softmax; a cell's score is objectness × the class's probability.
 */
import { nms, type Detection } from './metrics.ts';

/** A box in pixels: top-left corner (x, y), size (w, h), 0-based class. */
export interface PixelBox {
  cls: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Grid {
  rows: number;
  cols: number;
  /** Object classes (channels − 5). */
  classes: number;
}

/** The grid an output of shape [rows, cols, channels] describes. */
export function gridOf(outputShape: readonly (number | null)[]): Grid {
  const [rows, cols, ch] = outputShape as number[];
  if (outputShape.length !== 3 || !(rows! > 0 && cols! > 0 && ch! >= 6)) {
    throw new Error(`A detection output is a grid [rows, columns, 5 + classes], not [${outputShape.join(', ')}].`);
  }
  return { rows: rows!, cols: cols!, classes: ch! - 5 };
}

/**
 * The targets of `boxes` (one list per image) for images of `imageH`×`imageW` pixels, written into
 * `out` (count × rows × cols × (5 + K), zeroed first). Returns how many boxes lost their cell to
 * a larger one and how many lay outside the image (centre not in it) and were skipped.
 */
export function encodeDetectionTargets(
  boxes: readonly (readonly PixelBox[])[],
  grid: Grid,
  imageH: number,
  imageW: number,
  out = new Float32Array(boxes.length * grid.rows * grid.cols * (5 + grid.classes)),
): { targets: Float32Array; lost: number; outside: number } {
  const { rows, cols, classes } = grid;
  const ch = 5 + classes;
  out.fill(0, 0, boxes.length * rows * cols * ch);
  let lost = 0;
  let outside = 0;
  const area = new Float64Array(rows * cols);
  boxes.forEach((list, n) => {
    area.fill(0);
    for (const b of list) {
      if (!(b.cls >= 0 && b.cls < classes)) throw new Error(`A box has class ${b.cls} but the output has ${classes} class${classes === 1 ? '' : 'es'}.`);
      const cx = (b.x + b.w / 2) / imageW;
      const cy = (b.y + b.h / 2) / imageH;
      if (!(cx >= 0 && cx < 1 && cy >= 0 && cy < 1) || !(b.w > 0 && b.h > 0)) {
        outside++;
        continue;
      }
      const col = Math.min(cols - 1, Math.floor(cx * cols));
      const row = Math.min(rows - 1, Math.floor(cy * rows));
      const cell = row * cols + col;
      const a = b.w * b.h;
      if (area[cell]! > 0) {
        lost++;
        if (area[cell]! >= a) continue;
      }
      area[cell] = a;
      const o = (n * rows * cols + cell) * ch;
      out.fill(0, o, o + ch);
      out[o] = 1;
      out[o + 1] = cx * cols - col;
      out[o + 2] = cy * rows - row;
      out[o + 3] = Math.min(1, b.w / imageW);
      out[o + 4] = Math.min(1, b.h / imageH);
      out[o + 5 + b.cls] = 1;
    }
  });
  return { targets: out, lost, outside };
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

export interface DecodeOptions {
  /** Keep detections scoring at least this (default 0.25). */
  scoreThreshold?: number;
  /** Non-maximum suppression's IoU (default 0.5); null: no suppression. */
  iou?: number | null;
}

/**
 * The boxes one image's raw output (rows × cols × (5 + K) floats, logits) describes, in pixels of
 * an `imageW`×`imageH` image, after the score threshold and per-class non-maximum suppression,
 * highest score first.
 */
export function decodeDetections(output: ArrayLike<number>, grid: Grid, imageW: number, imageH: number, opts: DecodeOptions = {}): Detection[] {
  const { rows, cols, classes } = grid;
  const ch = 5 + classes;
  const threshold = opts.scoreThreshold ?? 0.25;
  const dets: Detection[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const o = (r * cols + c) * ch;
      const obj = sigmoid(output[o]!);
      if (obj < threshold) continue;
      let max = -Infinity;
      for (let k = 0; k < classes; k++) max = Math.max(max, output[o + 5 + k]!);
      let sum = 0;
      let best = 0;
      for (let k = 0; k < classes; k++) {
        const e = Math.exp(output[o + 5 + k]! - max);
        sum += e;
        if (output[o + 5 + k]! > output[o + 5 + best]!) best = k;
      }
      const score = (obj * Math.exp(output[o + 5 + best]! - max)) / sum;
      if (score < threshold) continue;
      const w = sigmoid(output[o + 3]!) * imageW;
      const h = sigmoid(output[o + 4]!) * imageH;
      const cx = ((c + sigmoid(output[o + 1]!)) / cols) * imageW;
      const cy = ((r + sigmoid(output[o + 2]!)) / rows) * imageH;
      dets.push({ class: best, score, x: cx - w / 2, y: cy - h / 2, w, h });
    }
  dets.sort((a, b) => b.score - a.score);
  return opts.iou === null ? dets : nms(dets, { iouThreshold: opts.iou ?? 0.5 });
}
