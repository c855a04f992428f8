/**
 * Readers for the YOLO detection layout's text files, pure TS: `labels/NAME.txt` (one object per
 * line, `class cx cy w h`, the box centre and size as fractions of the image's width and height)
 * and `classes.txt` (one class name per line, in class-index order).
 *
 * Every problem is reported with its file and line number, all of them at once (not just the
 * first), in words a learner can act on. Blank lines, spaces or tabs between and around the
 * values, CRLF line ends and a UTF-8 byte-order mark are all fine.
 *
 * Decisions:
 * - cx, cy, w and h must each lie in [0, 1]; a value above 1 is almost always a pixel coordinate,
 *   and the message says how to turn it into a fraction. w or h of 0 (or less) is refused.
 * - A box whose centre ± half its size reaches outside the image (e.g. cx 0.95, w 0.2) is
 *   CLIPPED to the image, as exporters' rounding makes this common, and noted in `warnings`.
 *   It always keeps some area, since its centre is inside the image and its size is positive.
 * - The class must be a whole number (written "3", or "3.0" as some exporters write it), from 0
 *   to the number of classes − 1 when the classes are known.
 * - An empty label file means an image with no objects (the YOLO convention).
 */
import { yoloToBox, type TruthBox } from './metrics.ts';

/** One object of a label file, as fractions of the image; `line` is 1-based. */
export interface YoloBox {
  class: number;
  cx: number;
  cy: number;
  w: number;
  h: number;
  line: number;
}

export interface YoloLabels {
  boxes: YoloBox[];
  /** Problems that make a line unusable, e.g. "labels/a.txt line 3: …". Those lines are skipped. */
  errors: string[];
  /** Lines read with a correction (a box clipped to the image). */
  warnings: string[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Splits a text file into lines: CRLF, CR or LF ends, a leading byte-order mark dropped. */
export function textLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

const FIELD_NAMES = ['class', 'x centre (cx)', 'y centre (cy)', 'width (w)', 'height (h)'] as const;

/**
 * Parses a YOLO label file. `file` names it in the messages; `numClasses` (from classes.txt),
 * when given, bounds the class index.
 */
export function parseYoloLabels(text: string, file: string, numClasses?: number): YoloLabels {
  const boxes: YoloBox[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  textLines(text).forEach((raw, i) => {
    const line = i + 1;
    const where = `${file} line ${line}`;
    const trimmed = raw.trim();
    if (trimmed === '') return;
    const fields = trimmed.split(/\s+/);
    if (fields.length !== 5) {
      let hint = '';
      if (fields.length > 5 && fields.length % 2 === 1) hint = ' This looks like a polygon (YOLO segmentation format); LayerLab reads boxes only.';
      else if (fields.length === 6) hint = ' A sixth value is usually a confidence score from a model\'s output; label files have none.';
      errors.push(`${where}: expected 5 values "class cx cy w h", found ${fields.length}.${hint}`);
      return;
    }
    const values: number[] = [];
    let bad = false;
    fields.forEach((f, j) => {
      if (!NUMBER.test(f)) {
        const hint = /^[+-]?\d*,\d+$/.test(f) ? ` Write decimals with a point: ${f.replace(',', '.')}.` : '';
        errors.push(`${where}: the ${FIELD_NAMES[j]} "${f}" is not a number.${hint}`);
        bad = true;
      }
      values.push(Number(f));
    });
    if (bad) return;
    const [cls, cx, cy, w, h] = values as [number, number, number, number, number];
    if (!Number.isInteger(cls) || cls < 0) {
      errors.push(`${where}: the class must be a whole number 0, 1, 2…, not ${fields[0]}.`);
      bad = true;
    } else if (numClasses !== undefined && cls >= numClasses) {
      errors.push(
        `${where}: class ${cls} is unknown: classes.txt names ${numClasses} class${numClasses === 1 ? '' : 'es'}, so the class must be from 0 to ${numClasses - 1}.`,
      );
      bad = true;
    }
    const dims = ['width', 'height', 'width', 'height'];
    [cx, cy, w, h].forEach((v, j) => {
      if (v < 0 || v > 1) {
        const hint = v > 1 ? ` YOLO labels give positions and sizes as fractions of the image's ${dims[j]} (a ${dims[j]} of 640 pixels: 128 → 0.2).` : '';
        errors.push(`${where}: the ${FIELD_NAMES[j + 1]} ${fields[j + 1]} is outside [0, 1].${hint}`);
        bad = true;
      }
    });
    if (!bad && (w <= 0 || h <= 0)) {
      errors.push(`${where}: the box has no area (width ${fields[3]}, height ${fields[4]}); both must be greater than 0.`);
      bad = true;
    }
    if (bad) return;
    const x0 = Math.max(0, cx - w / 2);
    const x1 = Math.min(1, cx + w / 2);
    const y0 = Math.max(0, cy - h / 2);
    const y1 = Math.min(1, cy + h / 2);
    if (x0 !== cx - w / 2 || x1 !== cx + w / 2 || y0 !== cy - h / 2 || y1 !== cy + h / 2) {
      warnings.push(`${where}: the box reaches outside the image; it was clipped to the image's edge.`);
      boxes.push({ class: cls, cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, w: x1 - x0, h: y1 - y0, line });
    } else {
      boxes.push({ class: cls, cx, cy, w, h, line });
    }
  });
  return { boxes, errors, warnings };
}

/** Label boxes → ground-truth boxes in pixels of a `width`×`height` image (top-left corner and size). */
export function yoloBoxesToTruths(boxes: readonly YoloBox[], width: number, height: number): TruthBox[] {
  return boxes.map((b) => ({ ...yoloToBox(b.cx, b.cy, b.w, b.h, width, height), class: b.class }));
}

export interface ClassNames {
  /** Class names in index order. */
  classes: string[];
  errors: string[];
}

/**
 * Parses classes.txt: one name per line, trimmed, blank lines skipped (they do not take an
 * index). The same name twice is refused (names compare exactly, after trimming); so is a file
 * with no names.
 */
export function parseClassNames(text: string, file = 'classes.txt'): ClassNames {
  const classes: string[] = [];
  const firstLine = new Map<string, number>();
  const errors: string[] = [];
  textLines(text).forEach((raw, i) => {
    const name = raw.trim();
    if (name === '') return;
    const seen = firstLine.get(name);
    if (seen !== undefined) {
      errors.push(`${file} line ${i + 1}: "${name}" is already named on line ${seen}; each class must have its own name.`);
      return;
    }
    firstLine.set(name, i + 1);
    classes.push(name);
  });
  if (classes.length === 0) errors.push(`${file} names no classes: write one class name per line, in the order of their indices (0 first).`);
  return { classes, errors };
}
