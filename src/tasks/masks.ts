/**
 * Segmentation masks and the pairing of images with their masks or YOLO label files, pure TS
 * (the PNG decoding happens elsewhere; here a mask is its width, height and one byte per pixel,
 * the PNG's first channel, which holds the class index: 0 = background).
 *
 * Layout: a folder holds `images/` and `masks/` (segmentation) or `images/` and `labels/`
 * (detection, YOLO), and optionally `classes.txt`. An image and its mask or label file share
 * their path below those folders, apart from the extension: `images/a.jpg` ↔ `masks/a.png` or
 * `labels/a.txt`, `images/train/b.png` ↔ `labels/train/b.txt`. The folders may sit deeper
 * (`set/train/images/…` pairs with `set/train/masks/…`); the innermost folder of those names counts. Names compare exactly (case matters);
 * extensions do not. Hidden files and macOS `__MACOSX` folders are ignored.
 *
 * Decisions: masks must be PNG (JPEG's lossy compression changes pixel values, so class indices
 * would blur); an image without a mask is left out (reported); an image without a label file is
 * an image with no objects, as in YOLO (noted); a mask or label file without an image is left
 * out (reported); two files whose names differ only by their extension (`a.png`, `a.jpg`) are
 * both left out, since which one is meant is unclear (reported). A `classes.txt` anywhere is the
 * class list, never a label file (LabelImg writes it into labels/); the shallowest one is used.
 */
import { isImageFile } from '../training/data/images.ts';

/** A decoded mask: one class index per pixel, row by row. */
export interface DecodedMask {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface MaskCheck {
  /** What is wrong with the mask; empty when it is usable. */
  errors: string[];
  /** Pixel count per value 0–255 (a caller without classes.txt can take max value + 1 as the class count). */
  histogram: number[];
}

/**
 * Checks a decoded mask against its image's size and the number of classes. Values ≥
 * `numClasses` are reported once per mask: the first such pixel (x from the left, y from the
 * top, both from 0), how many there are and which values; a mask of only 0 and 255 gets a hint
 * (a black-and-white mask rather than class indices).
 */
export function checkMask(
  file: string,
  mask: DecodedMask,
  image: { name: string; width: number; height: number },
  numClasses: number,
): MaskCheck {
  const errors: string[] = [];
  const histogram = new Array<number>(256).fill(0);
  const { width, height, data } = mask;
  if (data.length !== width * height) {
    errors.push(`${file}: could not be read as a ${width}×${height} mask (${data.length} values for ${width * height} pixels).`);
    return { errors, histogram };
  }
  for (let i = 0; i < data.length; i++) histogram[data[i]!]!++;
  if (width !== image.width || height !== image.height) {
    errors.push(
      `${file} is ${width}×${height} pixels but its image ${image.name} is ${image.width}×${image.height}; a mask must have the same size as its image.`,
    );
  }
  let first = -1;
  let count = 0;
  const bad: number[] = [];
  for (let v = numClasses; v < 256; v++) {
    if (histogram[v]! > 0) {
      bad.push(v);
      count += histogram[v]!;
    }
  }
  if (bad.length) {
    for (let i = 0; i < data.length; i++) {
      if (data[i]! >= numClasses) {
        first = i;
        break;
      }
    }
    const x = first % width;
    const y = Math.floor(first / width);
    const classes = numClasses === 1 ? 'is only 1 class (value 0)' : `are only ${numClasses} classes (values 0 to ${numClasses - 1})`;
    let msg = `${file}: pixel (x ${x}, y ${y}) has value ${data[first]}, but there ${classes}.`;
    if (count > 1) {
      const values = bad.length > 5 ? `${bad.slice(0, 5).join(', ')}, …` : bad.join(', ');
      msg += ` ${count} pixels have values out of range (${values}).`;
    }
    const used = histogram.map((n, v) => (n > 0 ? v : -1)).filter((v) => v >= 0);
    if (used.every((v) => v === 0 || v === 255)) {
      msg += ' The mask looks black-and-white (0 and 255): each pixel must hold its class index, e.g. 0 for the background and 1 for the object.';
    }
    errors.push(msg);
  }
  return { errors, histogram };
}

// ---------------------------------------------------------------- pairing

export type Task = 'segmentation' | 'detection';

export interface Pair {
  /** The shared name: the path below images/ (with any folders above them), without extension. */
  key: string;
  image: string;
  /** The mask or label file; null for an image without a label file (detection: no objects). */
  target: string | null;
}

export interface Pairing {
  pairs: Pair[];
  /** The class list file, if any (the shallowest `classes.txt`). */
  classesFile: string | null;
  /** Files left out, and why; a learner should look at these. */
  problems: string[];
  /** Things read by a convention (an image without a label file has no objects). */
  notes: string[];
}

interface Located {
  path: string;
  key: string;
  folder: 'images' | 'masks' | 'labels';
  /** The path with the images/masks/labels segment swapped for another folder, minus extension. */
  swap: (folder: string) => string;
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > name.lastIndexOf('/') ? name.slice(dot + 1).toLowerCase() : '';
}

function locate(path: string): Located | null {
  const parts = path.split('/');
  // the last such folder, so that a chosen folder itself called e.g. "labels" does not count
  const i = parts.findLastIndex((p, j) => j < parts.length - 1 && /^(images|masks|labels)$/i.test(p));
  if (i < 0) return null;
  const base = parts.at(-1)!;
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const rest = [...parts.slice(i + 1, -1), stem];
  const key = [...parts.slice(0, i), ...rest].join('/');
  return {
    path,
    key,
    folder: parts[i]!.toLowerCase() as Located['folder'],
    swap: (folder) => [...parts.slice(0, i), folder, ...rest].join('/'),
  };
}

const isHidden = (path: string) => path.split('/').some((p) => p.startsWith('.') || p === '__MACOSX');

/**
 * Pairs the images of a dataset with their masks (segmentation) or label files (detection).
 * `paths` are the files' paths inside the chosen folder or zip, with `/` separators.
 */
export function pairDataset(paths: readonly string[], task: Task): Pairing {
  const targetFolder = task === 'segmentation' ? 'masks' : 'labels';
  const problems: string[] = [];
  const notes: string[] = [];
  const classFiles: string[] = [];
  const images = new Map<string, Located[]>();
  const targets = new Map<string, Located[]>();
  const add = (m: Map<string, Located[]>, l: Located) => m.set(l.key, [...(m.get(l.key) ?? []), l]);
  for (const path of paths) {
    if (isHidden(path)) continue;
    const base = path.split('/').at(-1)!;
    if (base.toLowerCase() === 'classes.txt') {
      classFiles.push(path);
      continue;
    }
    const l = locate(path);
    if (!l) continue;
    const ext = extension(path);
    if (l.folder === 'images') {
      if (isImageFile(path)) add(images, l);
    } else if (l.folder === targetFolder) {
      if (task === 'segmentation') {
        if (ext === 'png') add(targets, l);
        else if (isImageFile(path)) {
          problems.push(`${path}: masks must be PNG files (JPEG and other lossy formats change pixel values, so the class indices would blur); it is left out.`);
        }
      } else if (ext === 'txt') add(targets, l);
    }
  }
  classFiles.sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));

  const what = task === 'segmentation' ? 'mask' : 'label file';
  const ambiguousKeys = new Set<string>();
  const ambiguous = (m: Map<string, Located[]>) => {
    for (const [key, ls] of m) {
      if (ls.length < 2) continue;
      const names = ls.map((l) => l.path).sort();
      problems.push(`${names.slice(0, -1).join(', ')} and ${names.at(-1)} have the same name apart from the extension, so it is unclear which one is meant; they are left out (rename or remove all but one).`);
      m.delete(key);
      ambiguousKeys.add(key);
    }
  };
  if (images.size === 0) {
    problems.push(`No images found: the folder needs an images/ folder beside ${targetFolder}/, with ${what}s of the same names.`);
  } else if (targets.size === 0 && task === 'segmentation') {
    problems.push(`No masks found: the folder needs a masks/ folder beside images/, holding one PNG per image with the same name, each pixel's value its class index (0 = background).`);
  }
  ambiguous(images);
  ambiguous(targets);
  // a key dropped as ambiguous on one side is not reported again as unpaired on the other
  const pairs: Pair[] = [];
  const keys = [...images.keys()].sort();
  const unlabelled: string[] = [];
  for (const key of keys) {
    const im = images.get(key)![0]!;
    const t = targets.get(key)?.[0];
    if (t) pairs.push({ key, image: im.path, target: t.path });
    else if (ambiguousKeys.has(key)) {
      problems.push(`${im.path} is left out: its ${what} is one of the ambiguous files above.`);
    } else if (task === 'detection') {
      pairs.push({ key, image: im.path, target: null });
      unlabelled.push(im.path);
    } else if (targets.size > 0) {
      problems.push(`${im.path} has no mask (expected ${im.swap('masks')}.png); it is left out.`);
    }
  }
  if (unlabelled.length) {
    const list = unlabelled.length > 3 ? `${unlabelled.slice(0, 3).join(', ')} and ${unlabelled.length - 3} more` : unlabelled.join(', ');
    notes.push(`${unlabelled.length} image${unlabelled.length === 1 ? ' has' : 's have'} no label file (${list}): read as image${unlabelled.length === 1 ? '' : 's'} with no objects.`);
  }
  for (const key of [...targets.keys()].sort()) {
    if (images.has(key) || ambiguousKeys.has(key)) continue;
    const t = targets.get(key)![0]!;
    problems.push(`${t.path} has no image (expected ${t.swap('images')} with an image extension); it is left out.`);
  }
  return { pairs, classesFile: classFiles[0] ?? null, problems, notes };
}
