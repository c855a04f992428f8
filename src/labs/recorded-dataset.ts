/**
 * Classes recorded from the camera (Teachable Machine style) → the own-images dataset, and out to
 * a zip of class folders of PNGs that the Train tab opens again.
 *
 * The dataset is assembled exactly as the Train tab reads a folder of class sub-folders
 * (training/data/images.ts, loadImageFolder): classes sorted by name (numerically), images class
 * after class in recording order, a seeded stratified hold-out (each class of two or more frames
 * keeps at least one on each side). So a saved zip opened again gives the same classes, the same
 * split and (up to 8-bit rounding) the same pixels. Pure: no DOM; fflate for zlib and zip.
 */
import { zipSync, type Zippable } from 'fflate';
import { formatBytes } from '../graph/estimate';
import { extractZipEntry, listZip, ZipError } from '../export/unzip';
import { encodePngBytes } from './png';
import { stratifiedIndices, type Dataset } from '../training/data/types';

export interface RecordedClass {
  name: string;
  /** Images of the recording shape, h*w*c floats in [0, 1]. */
  frames: Float32Array[];
}

/** How the Train tab (loadImageFolder) orders class folders. */
export const compareClassNames = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

/** Why `name` cannot be a class (a folder in the zip), or null. `others`: the other classes' names. */
export function classNameProblem(name: string, others: readonly string[]): string | null {
  const n = name.trim();
  if (!n) return 'A class needs a name.';
  if (n.length > 40) return 'At most 40 characters.';
  if (/[\\/:*?"<>|\u0000-\u001f]/.test(n)) return 'No / \\ : * ? " < > | in a class name (it becomes a folder name).';
  if (n.startsWith('.') || n === '__MACOSX') return 'A class name cannot start with a dot (a hidden folder).';
  if (others.some((o) => o.trim().toLowerCase() === n.toLowerCase())) return `There is already a class "${n}".`;
  return null;
}

/** A first free name "Class N" for a new class. */
export function nextClassName(existing: readonly string[]): string {
  for (let i = existing.length + 1; ; i++) if (!existing.some((e) => e.trim().toLowerCase() === `class ${i}`)) return `Class ${i}`;
}

/** Why these classes cannot be trained on yet, or null. */
export function recordingProblem(classes: readonly RecordedClass[]): string | null {
  if (classes.length < 2) return 'Add at least two classes.';
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i]!;
    const bad = classNameProblem(c.name, classes.filter((_, j) => j !== i).map((o) => o.name));
    if (bad) return `${c.name || 'A class'}: ${bad}`;
    if (c.frames.length < 2) return `Record at least 2 frames of "${c.name.trim()}" (one to train on, one to test).`;
  }
  return null;
}

/**
 * The recorded classes as a dataset of `shape` images: `testShare` of each class held out for the
 * test set (seeded, stratified, at least one per class), the rest to train on.
 */
export function buildRecordedDataset(
  classes: readonly RecordedClass[],
  shape: readonly [number, number, number],
  opts: { name: string; seed: number | string; testShare?: number },
): Dataset {
  const problem = recordingProblem(classes);
  if (problem) throw new Error(problem);
  const size = shape[0] * shape[1] * shape[2];
  const sorted = [...classes].map((c) => ({ ...c, name: c.name.trim() })).sort((a, b) => compareClassNames(a.name, b.name));
  const frames: Float32Array[] = [];
  const labels: number[] = [];
  sorted.forEach((c, k) =>
    c.frames.forEach((f) => {
      if (f.length !== size) throw new Error(`A frame of "${c.name}" has ${f.length} values; ${shape.join('×')} needs ${size}.`);
      frames.push(f);
      labels.push(k);
    }),
  );
  if (sorted.length > 256) throw new Error(`${sorted.length} classes; at most 256 are supported.`);
  const { kept, held } = stratifiedIndices(labels, opts.testShare ?? 0.2, opts.seed);
  const gather = (idx: number[]) => {
    const images = new Float32Array(idx.length * size);
    idx.forEach((i, k) => images.set(frames[i]!, k * size));
    return { images, labels: Uint8Array.from(idx, (i) => labels[i]!), count: idx.length };
  };
  return { name: opts.name, classes: sorted.map((c) => c.name), shape: [shape[0], shape[1], shape[2]], train: gather(kept), test: gather(held) };
}

/** One image (h*w*c floats in [0, 1], c = 1 or 3) as an 8-bit greyscale or RGB PNG. */
export function encodePng(pixels: Float32Array, shape: readonly [number, number, number]): Uint8Array {
  const [h, w, c] = shape;
  if (!(c === 1 || c === 3)) throw new Error(`A PNG of ${c} channels: only 1 or 3 here.`);
  const bytes = Uint8Array.from(pixels.subarray(0, h * w * c), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
  return encodePngBytes(w, h, bytes, c);
}

/** The zip's entry names: `class/000.png`, … (more digits past 999 frames). */
export function entryName(cls: string, i: number, count: number): string {
  return `${cls.trim()}/${String(i).padStart(Math.max(3, String(count - 1).length), '0')}.png`;
}

/**
 * A zip of class folders of PNGs (`class/000.png`), which the Train tab reads as a folder of your
 * own images; classes in the dataset's order, so that reading it back gives the same split.
 */
export function recordedZip(classes: readonly RecordedClass[], shape: readonly [number, number, number]): Uint8Array {
  const files: Zippable = {};
  for (const c of [...classes].sort((a, b) => compareClassNames(a.name.trim(), b.name.trim()))) c.frames.forEach((f, i) => (files[entryName(c.name, i, c.frames.length)] = [encodePng(f, shape), { level: 0 }]));
  return zipSync(files);
}

const IMAGE_EXT = /\.(png|jpe?g|gif|bmp|webp|avif)$/i;
const TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', bmp: 'image/bmp', webp: 'image/webp', avif: 'image/avif' };

/**
 * The files inside a zip of class folders, each with `webkitRelativePath` set as a chosen folder
 * gives it: under the zip's own name (`camera.zip` → `camera/A/000.png`), unless the zip already
 * holds one top folder of class folders.
 */
/** What a zip of images may hold before it is unpacked (checked against its central directory). */
export const IMAGE_ZIP_LIMITS = { maxEntries: 100_000, maxBytes: 1024 * 1024 * 1024 };

/**
 * The images in a zip as Files whose webkitRelativePath is what choosing the unzipped folder would
 * give. Read with the app's defensive zip reader (src/export/unzip.ts): the central directory is
 * listed first, the declared sizes are checked against `limits`, and no entry inflates past its
 * declared size, so a zip bomb is refused before anything is unpacked. Folders, empty files and
 * macOS' resource-fork copies ("__MACOSX/…", "._x.png") are skipped. Throws ZipError with a message.
 */
export function filesFromZip(bytes: Uint8Array, zipName: string, limits = IMAGE_ZIP_LIMITS): File[] {
  const listed = listZip(bytes, zipName, limits.maxEntries, 'LayerLab reads zips of images').filter((e) => !e.directory && e.size > 0 && !e.name.startsWith('__MACOSX/') && !e.name.split('/').pop()!.startsWith('._'));
  const declared = listed.reduce((n, e) => n + e.size, 0);
  if (declared > limits.maxBytes) {
    throw new ZipError(`${zipName} would unpack to ${formatBytes(declared)}; LayerLab reads zips of images of up to ${formatBytes(limits.maxBytes)}, so it did not unpack it.`);
  }
  const entries = listed.map((e) => [e.name, extractZipEntry(bytes, e, zipName)] as const);
  const parts = entries.map(([p]) => p.split('/').filter(Boolean));
  const first = parts[0]?.[0];
  const ownRoot = first !== undefined && parts.every((p) => p[0] === first) && parts.some((p) => p.length >= 3);
  const root = zipName.replace(/^.*[\\/]/, '').replace(/\.zip$/i, '') || 'images';
  return entries.map(([path, data]) => {
    const name = path.split('/').pop()!;
    const ext = IMAGE_EXT.exec(name)?.[1]?.toLowerCase();
    const file = new File([data as Uint8Array<ArrayBuffer>], name, { type: ext ? TYPES[ext] : '' });
    Object.defineProperty(file, 'webkitRelativePath', { value: ownRoot ? path : `${root}/${path}`, configurable: true });
    return file;
  });
}

/** Whether a chosen or dropped file is a zip. */
export const isZipFile = (f: { name: string; type?: string }) => /\.zip$/i.test(f.name) || f.type === 'application/zip' || f.type === 'application/x-zip-compressed';

/** Chosen or dropped files with every zip among them replaced by the files inside it. */
export async function expandZips(files: readonly File[]): Promise<File[]> {
  const out: File[] = [];
  for (const f of files) {
    if (isZipFile(f)) out.push(...filesFromZip(new Uint8Array(await f.arrayBuffer()), f.name));
    else out.push(f);
  }
  return out;
}
