/**
 * `layerlab train --data DIR`: a folder of your own images as TrainData, in Node. Which task the
 * folder is for is read from its layout:
 *   segmentation  images/ + masks/ (PNG masks of the same names, pixel = class index; optional
 *                 classes.txt);
 *   detection     images/ + labels/ (YOLO NAME.txt files: `class cx cy w h` as fractions) +
 *                 classes.txt;
 *   classification anything else: one sub-folder of images per class (the browser's rules:
 *                 groupByClass in src/training/data/images.ts).
 * Segmentation and detection folders are read by readTaskDataset (src/tasks/folder-dataset.ts),
 * the same reader as the browser's (a folder split in train/ and test/ keeps its split); class
 * folders are decoded here with the pure decoder (src/tasks/image-decode.ts), cropped to the
 * Input's aspect ratio ("cover", as in the browser) and split stratified and seeded, and the
 * test images' files are listed, so that a trained model can be checked on them. Node only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Pixels } from '../tasks/image-decode';
import type { TrainData } from '../training/trainer';

/** The layout of a dataset folder. */
export type FolderKind = 'classification' | 'segmentation' | 'detection';

/** Files below `dir` (hidden files and folders skipped), as paths relative to it with `/` separators. */
export function listFiles(dir: string, limit = 200_000): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.') || e.name === '__MACOSX') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        out.push(relative(dir, p).split(sep).join('/'));
        if (out.length > limit) throw new Error(`${dir} holds more than ${limit.toLocaleString('en-US')} files; choose the dataset's own folder.`);
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * The centred part of a picture with the aspect ratio of h×w ("cover": what the browser's
 * class-folder reader draws before it scales the picture down), as Pixels.
 */
export function coverCrop(p: Pixels, h: number, w: number): Pixels {
  const { width, height, channels } = p;
  // source aspect wider than the target: keep the height, crop the sides; else crop top and bottom
  let cw = width;
  let ch = height;
  if (width * h > height * w) cw = Math.max(1, Math.round((height * w) / h));
  else if (width * h < height * w) ch = Math.max(1, Math.round((width * h) / w));
  if (cw === width && ch === height) return p;
  const x0 = Math.floor((width - cw) / 2);
  const y0 = Math.floor((height - ch) / 2);
  const data = new Uint8Array(cw * ch * channels);
  for (let y = 0; y < ch; y++) data.set(p.data.subarray(((y0 + y) * width + x0) * channels, ((y0 + y) * width + x0 + cw) * channels), y * cw * channels);
  return { width: cw, height: ch, channels, data, ...(p.palette ? { palette: p.palette } : {}) };
}

export interface FolderData {
  data: TrainData;
  kind: FolderKind;
  name: string;
  /** The test split's files (paths relative to the folder), in the order of data.test; null when unknown. */
  testImages: string[] | null;
  warnings: string[];
  skipped: { name: string; reason: string }[];
}

/** Share of each class (or of the pairs) held out as the test images. */
export const TEST_SHARE = 0.2;

/** Reads a class-folder tree as TrainData of the Input's shape (see the header). */
async function readClassFolders(dir: string, paths: string[], shape: [number, number, number], seed: number, name: string): Promise<FolderData> {
  const { groupByClass } = await import('../training/data/images');
  const { stratifiedIndices } = await import('../training/data/types');
  const { decodeImageBytes, toFloatImage } = await import('../tasks/image-decode');
  const [h, w, c] = shape;
  if (!(c === 1 || c === 3)) throw new Error(`Your own images need an Input node of 1 (grey) or 3 (colour) channels, not ${c}.`);
  const grouped = groupByClass(paths.map((path) => ({ path })));
  const skipped = [...grouped.skipped];
  const size = h * w * c;
  const decoded: { cls: string; path: string; pixels: Float32Array }[] = [];
  for (const item of grouped.items) {
    try {
      const bytes = readFileSync(join(dir, paths[item.index]!));
      const p = decodeImageBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), item.path);
      decoded.push({ cls: item.cls, path: paths[item.index]!, pixels: toFloatImage(coverCrop(p, h, w), h, w, c) });
    } catch (e) {
      skipped.push({ name: item.path, reason: (e as Error).message });
    }
  }
  const classes = [...new Set(decoded.map((d) => d.cls))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  if (!decoded.length) {
    throw new Error(
      `No usable images in ${dir}${skipped.length ? ` (${skipped.length} files skipped, e.g. ${skipped[0]!.name}: ${skipped[0]!.reason})` : ''}. ` +
        'A folder for training holds one sub-folder of images per class, or images/ with masks/ (segmentation) or labels/ (detection).',
    );
  }
  if (classes.length < 2) throw new Error(`${dir} has only one class (${classes[0]}): a folder of class sub-folders needs at least two, one per class.`);
  if (classes.length > 256) throw new Error(`${dir} has ${classes.length} class folders; at most 256 are supported.`);
  const index = new Map(classes.map((k, i) => [k, i]));
  const labels = Uint8Array.from(decoded, (d) => index.get(d.cls)!);
  const { kept, held } = stratifiedIndices(labels, TEST_SHARE, seed);
  const gather = (idx: number[]) => {
    const images = new Float32Array(idx.length * size);
    idx.forEach((i, k) => images.set(decoded[i]!.pixels, k * size));
    return { images, labels: Uint8Array.from(idx, (i) => labels[i]!), count: idx.length };
  };
  return {
    data: { task: 'classification', classes, shape: [h, w, c], train: gather(kept), test: gather(held) },
    kind: 'classification',
    name: grouped.root || name,
    testImages: held.map((i) => decoded[i]!.path),
    warnings: [],
    skipped,
  };
}

/**
 * Reads DIR as a dataset for a network whose Input is `shape` (images are resized to it).
 * Throws an Error with a message for people when the folder cannot be used.
 */
export async function readDataFolder(dir: string, shape: [number, number, number], seed: number, graphTask?: FolderKind): Promise<FolderData> {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new Error(`${dir}: no such folder.`);
  }
  if (!stat.isDirectory()) throw new Error(`${dir} is not a folder: --data takes a folder of images (class sub-folders, or images/ with masks/ or labels/).`);
  const paths = listFiles(dir);
  const name = dir.split(/[\\/]+/).filter(Boolean).at(-1) ?? dir;
  const { readTaskDataset, taskLayoutOf } = await import('../tasks/folder-dataset');
  const layout = taskLayoutOf(paths);
  if (layout === null) return readClassFolders(dir, paths, shape, seed, name);
  // A folder with both masks/ and labels/ is read for the graph's task (else readTaskDataset says it is unclear).
  const task = layout === 'mixed' ? (graphTask === 'classification' ? undefined : graphTask) : layout;
  const files = paths.map((path) => ({ path, bytes: async () => new Uint8Array(readFileSync(join(dir, path))) }));
  const read = await readTaskDataset(files, { shape, task, testShare: TEST_SHARE, seed, name });
  // The test images' files, where the reader says which they are.
  const testImages = (read as { testImages?: string[] }).testImages ?? null;
  return { data: read.data, kind: read.data.task === 'detection' ? 'detection' : 'segmentation', name: read.name, testImages, warnings: read.warnings, skipped: read.skipped };
}
