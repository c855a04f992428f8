/**
 * A segmentation or detection dataset read from the files of a folder (or an unpacked zip), pure
 * TS: the browser hands in chosen or dropped Files, the command line files from disk, each as a
 * path inside the folder and a way to read its bytes.
 *
 * Layouts (see masks.ts for the pairing rules):
 * - segmentation: `images/` and `masks/`, each mask a PNG of the same name whose pixel values are
 *   class indices (0 = background), and optionally `classes.txt` (one name per line, index 0 first);
 * - detection (YOLO): `images/` and `labels/NAME.txt`, one `class cx cy w h` line per object, and
 *   `classes.txt`.
 * The folders may sit under the chosen folder (`mydata/images/a.png`) and may be split in
 * `train/` and `test/` (or `val/`) folders, above or below `images/`: then that split is used;
 * otherwise a seeded share (default 0.15) is held out as the test set.
 *
 * Decisions:
 * - Images are resized to the Input node's h×w (stretched, so a YOLO box, given as fractions of
 *   its image, still covers the same object; masks nearest-neighbour so that class indices are
 *   never blended) and turned grey or RGB as the Input's channels say (image-decode.ts).
 * - A file that cannot be used is left out and listed with the reason (unreadable, a mask whose
 *   size differs from its image, a mask value or label class beyond classes.txt, a label value
 *   outside [0, 1]); a label file with a bad line leaves its image out entirely, since training on
 *   the image with an object missing would teach the network that the object is background.
 * - No classes.txt: masks name their classes `background, class 1, …` up to the largest value
 *   seen, and masks holding only 0 and 255 (black and white) are read as background and one
 *   class; YOLO labels name theirs `class 0, class 1, …` up to the largest class seen. Both are said
 *   in a warning.
 * - Nothing usable, fewer than 2 images, an unrecognised layout or a damaged classes.txt throw an
 *   Error whose message says what the folder should hold.
 */
import type { TrainData, TrainSplit } from '../training/trainer';
import type { PixelBox } from './detection';
import { decodeImageBytes, maskOfPixels, resizeMaskNearest, toFloatImage } from './image-decode';
import { checkMask, pairDataset, type Pair, type Task } from './masks';
import { parseClassNames, parseYoloLabels, type YoloBox } from './yolo';
import { isImageFile } from '../training/data/images';
import { stratifiedIndices } from '../training/data/types';

export interface TaskFile {
  /** The path inside the chosen folder or zip, `/` separated (e.g. `mydata/images/a.png`). */
  path: string;
  bytes(): Promise<Uint8Array>;
}

export interface TaskDatasetOptions {
  /** The Input node's shape: images are resized to h×w with c channels (1 grey, 3 RGB). */
  shape: [number, number, number];
  /** Which layout to read when the folder holds both masks/ and labels/; refused when absent. */
  task?: Task;
  /** Share held out as the test set when the folder has no train/test split (default 0.15). */
  testShare?: number;
  seed?: number;
  /** The dataset's name (default: the chosen folder's name). */
  name?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface TaskDataset {
  data: TrainData;
  name: string;
  /** Things read by a convention or corrected, for the learner to know (not errors). */
  warnings: string[];
  /** Files left out, with why. */
  skipped: { name: string; reason: string }[];
  /** The image files of each split, in the order of data.train and data.test. */
  trainImages: string[];
  testImages: string[];
}

export type TaskLayout = Task | 'mixed';

const isHidden = (path: string) => path.split('/').some((p) => p.startsWith('.') || p === '__MACOSX');

const norm = (p: string) => p.replace(/\\/g, '/').replace(/^\/+/, '');

/**
 * Which task layout a folder's paths show: `images/` beside `masks/` (pictures) is segmentation,
 * beside `labels/` (.txt files) detection, both `mixed`; null for anything else (e.g. a folder of
 * class sub-folders).
 */
export function taskLayoutOf(paths: readonly string[]): TaskLayout | null {
  let images = false;
  let masks = false;
  let labels = false;
  for (const raw of paths) {
    const path = norm(raw);
    if (isHidden(path)) continue;
    const parts = path.split('/');
    const i = parts.findLastIndex((p, j) => j < parts.length - 1 && /^(images|masks|labels)$/i.test(p));
    if (i < 0) continue;
    const folder = parts[i]!.toLowerCase();
    const base = parts.at(-1)!.toLowerCase();
    if (folder === 'images') images = true;
    // any picture counts, so that JPEG masks get their message (masks must be PNG) from the reader
    else if (folder === 'masks' && isImageFile(base)) masks = true;
    else if (folder === 'labels' && base.endsWith('.txt') && base !== 'classes.txt') labels = true;
  }
  if (!images) return null;
  if (masks && labels) return 'mixed';
  return masks ? 'segmentation' : labels ? 'detection' : null;
}

export const TASK_LAYOUT_HELP =
  'For segmentation: an images/ folder and a masks/ folder holding a PNG of the same name for each image, whose pixel values are class indices (0 = background), and optionally classes.txt. For detection (YOLO): images/ and labels/NAME.txt with one "class cx cy w h" line per object (fractions of the image), and classes.txt.';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A pairing problem ("images/a.png has no mask …") as a skipped file and its reason. */
function asSkipped(message: string, paths: readonly string[]): { name: string; reason: string } | null {
  let best = '';
  for (const p of paths) if (p.length > best.length && message.startsWith(p)) best = p;
  if (!best) return null;
  const reason = message.slice(best.length).replace(/^:?\s*/, '');
  return { name: best, reason };
}

function splitOf(path: string): 'train' | 'test' | null {
  const dirs = path.split('/').slice(0, -1);
  if (dirs.some((d) => /^(test|testing|val|valid|validation)$/i.test(d))) return 'test';
  if (dirs.some((d) => /^(train|training)$/i.test(d))) return 'train';
  return null;
}

function rootName(paths: readonly string[]): string {
  const parts = paths.map((p) => p.split('/'));
  const first = parts[0]?.[0];
  // the chosen folder is the common first folder, unless it is itself images/ masks/ labels/ train/ …
  if (first && parts.every((p) => p.length > 1 && p[0] === first) && parts.some((p) => p.length > 2) && !/^(images|masks|labels)$/i.test(first)) return first;
  return '';
}

interface Item {
  pair: Pair;
  pixels: Float32Array;
  mask?: Uint8Array;
  boxes?: PixelBox[];
  split: 'train' | 'test' | null;
}

/**
 * Reads a segmentation (images/ + masks/) or detection (images/ + labels/, YOLO) folder as
 * TrainData at `opts.shape`; see the header for the rules.
 */
export async function readTaskDataset(files: readonly TaskFile[], opts: TaskDatasetOptions): Promise<TaskDataset> {
  const [h, w, c] = opts.shape;
  if (!(c === 1 || c === 3)) throw new Error(`Images need 1 (greyscale) or 3 (RGB) channels at the Input node, not ${c}.`);
  if (!(h >= 1 && w >= 1 && h <= 1024 && w <= 1024)) throw new Error(`Image size ${h}×${w} is out of range (1–1024).`);
  const byPath = new Map<string, TaskFile>();
  for (const f of files) byPath.set(norm(f.path), f);
  const paths = [...byPath.keys()];
  if (paths.length === 0) throw new Error(`The folder is empty. ${TASK_LAYOUT_HELP}`);

  const layout = taskLayoutOf(paths);
  let task: Task;
  if (opts.task) {
    task = opts.task;
    if (layout !== 'mixed' && layout !== task) {
      const want = task === 'segmentation' ? 'masks/ (segmentation masks)' : 'labels/ (YOLO box labels)';
      const found = layout === 'segmentation' ? ' It has masks/, which is for segmentation.' : layout === 'detection' ? ' It has labels/, which is for detection.' : '';
      throw new Error(`This graph does ${task}, so the folder needs images/ and ${want}.${found} ${TASK_LAYOUT_HELP}`);
    }
  } else if (layout === 'mixed') {
    throw new Error('The folder holds both masks/ (segmentation) and labels/ (detection boxes), so it is unclear which to read. Choose a folder with one of them, or set the graph\'s task first.');
  } else if (layout === null) {
    throw new Error(`The folder's layout was not recognised. ${TASK_LAYOUT_HELP}`);
  } else task = layout;

  const pairing = pairDataset(paths, task);
  const skipped: { name: string; reason: string }[] = [];
  const warnings: string[] = [...pairing.notes];
  const general: string[] = [];
  for (const p of pairing.problems) {
    const s = asSkipped(p, paths);
    if (s) skipped.push(s);
    else general.push(p);
  }
  const nothing = (what: string) => {
    const why = [...general, ...skipped.slice(0, 3).map((s) => `${s.name}: ${s.reason}`)];
    const more = skipped.length > 3 ? ` (and ${skipped.length - 3} more left out)` : '';
    return new Error(`${what}${why.length ? ` ${why.join(' ')}${more}` : ''}`);
  };
  if (pairing.pairs.length === 0) throw nothing(`No usable ${task === 'segmentation' ? 'image and mask pairs' : 'images'} were found.`);

  // classes.txt
  let named: string[] | null = null;
  if (pairing.classesFile) {
    const file = pairing.classesFile;
    const text = new TextDecoder().decode(await byPath.get(file)!.bytes());
    const { classes, errors } = parseClassNames(text, file);
    if (errors.length) throw new Error(`${errors.join(' ')} Fix ${file} and open the folder again.`);
    if (task === 'segmentation' && classes.length < 2) {
      throw new Error(`${file} names only ${classes[0]}; a segmentation needs at least two classes, the first (value 0) being the background.`);
    }
    named = classes;
  }

  const size = h * w * c;
  const items: Item[] = [];
  const resized = new Map<string, number>();
  let clipped = 0;
  const clipExamples: string[] = [];
  let done = 0;
  const total = pairing.pairs.length;
  // Without classes.txt the class count is known only once every mask is read: masks are kept at
  // full size until then (checked against 256 values), and resized after.
  const pending: { item: Item; mask: Uint8Array; mw: number; mh: number; histogram: number[] }[] = [];
  for (const pair of pairing.pairs) {
    try {
      const imageBytes = await byPath.get(pair.image)!.bytes();
      const img = decodeImageBytes(imageBytes, pair.image);
      if (img.width !== w || img.height !== h) {
        const k = `${img.width}×${img.height}`;
        resized.set(k, (resized.get(k) ?? 0) + 1);
      }
      const item: Item = { pair, pixels: toFloatImage(img, h, w, c), split: splitOf(pair.image) };
      if (task === 'segmentation') {
        const target = pair.target!;
        const mp = decodeImageBytes(await byPath.get(target)!.bytes(), target);
        const mask = maskOfPixels(mp, target);
        const check = checkMask(target, { width: mp.width, height: mp.height, data: mask }, { name: pair.image, width: img.width, height: img.height }, named?.length ?? 256);
        if (check.errors.length) {
          skipped.push({ name: target, reason: `${check.errors.map((e) => e.replace(`${target}: `, '').replace(`${target} `, '')).join(' ')} It is left out with its image.` });
        } else pending.push({ item, mask, mw: mp.width, mh: mp.height, histogram: check.histogram });
      } else {
        let boxes: YoloBox[] = [];
        if (pair.target) {
          const text = new TextDecoder().decode(await byPath.get(pair.target)!.bytes());
          const labels = parseYoloLabels(text, pair.target, named?.length);
          if (labels.errors.length) {
            const shown = labels.errors.slice(0, 3).map((e) => e.replace(`${pair.target} `, ''));
            const more = labels.errors.length > 3 ? ` (and ${labels.errors.length - 3} more)` : '';
            skipped.push({ name: pair.target, reason: `${shown.join(' ')}${more} Its image ${pair.image} is left out, so that no object goes unlabelled.` });
            continue;
          }
          clipped += labels.warnings.length;
          if (labels.warnings.length && clipExamples.length < 2) clipExamples.push(labels.warnings[0]!);
          boxes = labels.boxes;
        }
        // the same fractions of the resized image: pixels, top-left corner and size
        item.boxes = boxes.map((b) => ({ cls: b.class, x: (b.cx - b.w / 2) * w, y: (b.cy - b.h / 2) * h, w: b.w * w, h: b.h * h }));
        items.push(item);
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const name = message.startsWith(pair.target ?? '\0') ? pair.target! : pair.image;
      const reason = message.startsWith(name) ? message.slice(name.length).replace(/^:?\s*/, '') : message;
      skipped.push({ name, reason: name === pair.image || !pair.target ? reason : `${reason} Its image ${pair.image} is left out too.` });
    } finally {
      opts.onProgress?.(++done, total);
    }
  }

  let classes: string[];
  if (task === 'segmentation') {
    const used = new Array<number>(256).fill(0);
    for (const p of pending) p.histogram.forEach((n, v) => (used[v]! += n));
    let max = 0;
    used.forEach((n, v) => n > 0 && (max = v));
    let blackWhite = false;
    if (named) classes = named;
    else {
      blackWhite = max === 255 && used.every((n, v) => n === 0 || v === 0 || v === 255);
      const top = blackWhite ? 1 : Math.max(1, max);
      classes = ['background', ...Array.from({ length: top }, (_, k) => `class ${k + 1}`)];
      warnings.push(
        blackWhite
          ? 'The masks hold only 0 and 255 (black and white): read as background (0) and one class (255 → class 1). A classes.txt naming the classes would give them names.'
          : `No classes.txt: the ${classes.length} classes are named ${classes.slice(0, 3).join(', ')}${classes.length > 3 ? ', …' : ''} (from the largest mask value, ${max}). Add classes.txt, one name per line with the background first, to name them.`,
      );
    }
    for (const p of pending) {
      let mask = p.mask;
      if (blackWhite) mask = mask.map((v) => (v === 255 ? 1 : v));
      p.item.mask = resizeMaskNearest(mask, p.mw, p.mh, w, h);
      items.push(p.item);
    }
    items.sort((a, b) => a.pair.key.localeCompare(b.pair.key));
  } else {
    let max = -1;
    for (const it of items) for (const b of it.boxes!) max = Math.max(max, b.cls);
    if (named) classes = named;
    else {
      if (max < 0) throw nothing('No objects were found in the label files, and there is no classes.txt naming the classes.');
      classes = Array.from({ length: max + 1 }, (_, k) => `class ${k}`);
      warnings.push(`No classes.txt: the ${classes.length} classes are named class 0 to class ${max} (from the largest class in the labels). Add classes.txt, one name per line in class order, to name them.`);
    }
    if (clipped) warnings.push(`${plural(clipped, 'box', 'boxes')} reached outside ${clipped === 1 ? 'its' : 'their'} image and ${clipped === 1 ? 'was' : 'were'} clipped to the edge (e.g. ${clipExamples[0]}).`);
  }

  if (items.length === 0) throw nothing(`None of the ${plural(total, 'image')} could be used.`);
  if (items.length < 2) throw nothing(`Only 1 image could be used; at least 2 are needed (one to train on, one to test with).`);
  if (resized.size) {
    const [size0, n0] = [...resized.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const n = [...resized.values()].reduce((a, b) => a + b, 0);
    warnings.push(`${plural(n, 'image')} ${n === 1 ? 'was' : 'were'} resized to the Input node's ${w}×${h} (e.g. ${n0 === n ? 'all ' : ''}${size0}${n0 === n ? '' : `, ${n0} of them`}).`);
  }

  // the folder's own train/test split if it has one, else a seeded share
  let trainIdx: number[];
  let testIdx: number[];
  const tagged = items.map((it) => it.split);
  if (tagged.includes('test') && tagged.some((s) => s !== 'test')) {
    trainIdx = [];
    testIdx = [];
    tagged.forEach((s, i) => (s === 'test' ? testIdx : trainIdx).push(i));
    warnings.push(`The folder's own split is used: ${plural(trainIdx.length, 'image')} to train on, ${testIdx.length} in its test/val folder to test with.`);
  } else {
    const share = opts.testShare ?? 0.15;
    const { kept, held } = stratifiedIndices(new Uint8Array(items.length), share, opts.seed ?? 42);
    trainIdx = kept;
    testIdx = held;
  }

  const gather = (idx: number[]): TrainSplit => {
    const images = new Float32Array(idx.length * size);
    idx.forEach((i, k) => images.set(items[i]!.pixels, k * size));
    const split: TrainSplit = { images, labels: new Uint8Array(idx.length), count: idx.length };
    if (task === 'segmentation') {
      const masks = new Uint8Array(idx.length * h * w);
      idx.forEach((i, k) => masks.set(items[i]!.mask!, k * h * w));
      split.masks = masks;
    } else split.boxes = idx.map((i) => items[i]!.boxes!);
    return split;
  };
  const name = opts.name ?? (rootName(paths) || (task === 'segmentation' ? 'Custom masks' : 'Custom boxes'));
  return {
    data: { task, classes, shape: [h, w, c], train: gather(trainIdx), test: gather(testIdx) },
    name,
    warnings,
    skipped,
    trainImages: trainIdx.map((i) => items[i]!.pair.image),
    testImages: testIdx.map((i) => items[i]!.pair.image),
  };
}
