/**
 * Custom image folders as a `Dataset` (browser). The chosen folder holds one sub-folder per
 * class: class = the first sub-folder under it (deeper folders belong to that class). Images
 * are decoded with createImageBitmap, resized on an OffscreenCanvas with "cover" by default
 * (scaled to fill h×w, centred, overflow cropped; "contain" letterboxes on black, "stretch"
 * ignores the aspect ratio), turned into greyscale (c = 1, Rec. 601 luma) or RGB (c = 3),
 * transparent parts composited on black, then split stratified and seeded into train / test.
 * Files that are hidden, not images or fail to decode are skipped and listed, never fatal
 * unless fewer than two classes are left. Everything except `decodeToRgba` and `filesFromDrop`
 * is plain TS, tested in Node.
 */
import { stratifiedIndices } from './types.ts';
import type { Dataset } from './types.ts';

export type Fit = 'cover' | 'contain' | 'stretch';

export interface ImageFolderOptions {
  shape: [number, number, number];
  /** Share of each class held out as the test set, 0–1. */
  validationShare: number;
  seed: number;
  fit?: Fit;
  onProgress?: (done: number, total: number) => void;
}

export interface Skipped {
  name: string;
  reason: string;
}

/** Decodes one file to h×w RGBA bytes (row-major, 4 per pixel). */
export type Decoder = (file: File, w: number, h: number, fit: Fit) => Promise<Uint8ClampedArray | Uint8Array>;

const IMAGE_EXT = /\.(png|jpe?g|gif|bmp|webp|avif|ico|tiff?)$/i;

/** The path of a file inside the chosen folder: webkitRelativePath (folder input or filesFromDrop), else its name. */
export function filePath(file: { name: string; webkitRelativePath?: string }): string {
  return file.webkitRelativePath || file.name;
}

/** Whether a file looks like an image createImageBitmap can decode (by MIME type or extension; no SVG). */
export function isImageFile(name: string, type = ''): boolean {
  if (/svg/i.test(type) || /\.svgz?$/i.test(name)) return false;
  return type.startsWith('image/') || IMAGE_EXT.test(name);
}

export interface Grouped {
  /** Name of the chosen folder ('' when several folders were dropped). */
  root: string;
  /** Index into the input list and class name, for every file to decode. */
  items: { index: number; path: string; cls: string }[];
  skipped: Skipped[];
}

/**
 * Group paths into classes. If every path starts with the same folder and some go deeper, that
 * folder is the root and its sub-folders are the classes (files lying directly in it are
 * skipped); otherwise (several folders dropped side by side) the top folders are the classes.
 */
export function groupByClass(files: readonly { path: string; type?: string }[]): Grouped {
  const parts = files.map((f) => f.path.split(/[\\/]+/).filter(Boolean));
  const first = parts[0]?.[0];
  const underRoot = first !== undefined && parts.every((p) => p[0] === first) && parts.some((p) => p.length >= 3);
  const depth = underRoot ? 1 : 0;
  const items: Grouped['items'] = [];
  const skipped: Skipped[] = [];
  files.forEach((f, index) => {
    const segs = parts[index]!;
    const name = segs.join('/') || f.path;
    if (segs.some((s) => s.startsWith('.') || s === '__MACOSX') || /^(thumbs\.db|desktop\.ini)$/i.test(segs.at(-1) ?? '')) {
      skipped.push({ name, reason: 'hidden or system file' });
    } else if (segs.length < depth + 2) {
      skipped.push({ name, reason: 'not inside a class sub-folder' });
    } else if (!isImageFile(segs.at(-1)!, f.type)) {
      skipped.push({ name, reason: `not an image${f.type ? ` (${f.type})` : ''}` });
    } else {
      items.push({ index, path: name, cls: segs[depth]! });
    }
  });
  return { root: underRoot ? first! : '', items, skipped };
}

/** Source and destination rectangles for drawImage when fitting sw×sh into dw×dh. */
export function fitRect(sw: number, sh: number, dw: number, dh: number, fit: Fit) {
  const full = { sx: 0, sy: 0, sw, sh, dx: 0, dy: 0, dw, dh };
  if (fit === 'stretch' || sw * dh === sh * dw) return full;
  const wider = sw * dh > sh * dw; // source aspect wider than the destination's
  if (fit === 'cover') {
    const cw = wider ? (sh * dw) / dh : sw;
    const ch = wider ? sh : (sw * dh) / dw;
    return { ...full, sx: (sw - cw) / 2, sy: (sh - ch) / 2, sw: cw, sh: ch };
  }
  const w = wider ? dw : (sw * dh) / sh;
  const h = wider ? (sh * dw) / sw : dh;
  return { ...full, dx: (dw - w) / 2, dy: (dh - h) / 2, dw: w, dh: h };
}

/** RGBA bytes (w×h×4) → floats in [0, 1], c = 1 (luma) or 3 (RGB), alpha composited on black. */
export function rgbaToPixels(rgba: ArrayLike<number>, c: number, out: Float32Array, offset = 0): Float32Array {
  const n = rgba.length / 4;
  for (let i = 0; i < n; i++) {
    const a = rgba[i * 4 + 3]! / 255 / 255;
    const r = rgba[i * 4]! * a;
    const g = rgba[i * 4 + 1]! * a;
    const b = rgba[i * 4 + 2]! * a;
    if (c === 1) out[offset + i] = 0.299 * r + 0.587 * g + 0.114 * b;
    else {
      out[offset + i * 3] = r;
      out[offset + i * 3 + 1] = g;
      out[offset + i * 3 + 2] = b;
    }
  }
  return out;
}

/** Browser only: decode and resize one image file to RGBA bytes. */
export const decodeToRgba: Decoder = async (file, w, h, fit) => {
  const bmp = await createImageBitmap(file);
  try {
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas');
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    const r = fitRect(bmp.width, bmp.height, w, h, fit);
    ctx.drawImage(bmp, r.sx, r.sy, r.sw, r.sh, r.dx, r.dy, r.dw, r.dh);
    return ctx.getImageData(0, 0, w, h).data;
  } finally {
    bmp.close();
  }
};

/** Load a folder of class sub-folders as a Dataset; see the header for the rules. */
export async function loadImageFolder(
  files: readonly File[],
  opts: ImageFolderOptions,
  decode: Decoder = decodeToRgba,
): Promise<{ dataset: Dataset; skipped: Skipped[] }> {
  const [h, w, c] = opts.shape;
  if (!(c === 1 || c === 3)) throw new Error(`Custom images need 1 (greyscale) or 3 (RGB) channels, not ${c}.`);
  if (!(h >= 1 && w >= 1 && h <= 1024 && w <= 1024)) throw new Error(`Image size ${h}×${w} is out of range (1–1024).`);
  const fit = opts.fit ?? 'cover';
  const grouped = groupByClass(files.map((f) => ({ path: filePath(f), type: f.type })));
  const skipped = [...grouped.skipped];
  const size = h * w * c;
  const decoded: { cls: string; pixels: Float32Array; order: number }[] = [];
  let done = 0;
  const queue = [...grouped.items];
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      try {
        const rgba = await decode(files[item.index]!, w, h, fit);
        if (rgba.length !== w * h * 4) throw new Error(`decoder gave ${rgba.length} bytes, expected ${w * h * 4}`);
        decoded.push({ cls: item.cls, pixels: rgbaToPixels(rgba, c, new Float32Array(size)), order: item.index });
      } catch (e) {
        skipped.push({ name: item.path, reason: `could not be decoded (${e instanceof Error ? e.message : String(e)})` });
      }
      opts.onProgress?.(++done, grouped.items.length);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  // Decoding finishes out of order: restore the input order so results do not depend on timing.
  decoded.sort((a, b) => a.order - b.order);
  const classes = [...new Set(decoded.map((d) => d.cls))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  if (decoded.length === 0) throw new Error(`No usable images among ${files.length} files${skipped.length ? ` (${skipped.length} skipped, e.g. ${skipped[0]!.name}: ${skipped[0]!.reason})` : ''}.`);
  if (classes.length < 2) {
    throw new Error(`Found only one class (${classes[0]}): choose a folder with one sub-folder of images per class, at least two.`);
  }
  if (classes.length > 256) throw new Error(`Found ${classes.length} classes; at most 256 are supported.`);
  const index = new Map(classes.map((k, i) => [k, i]));
  const labels = Uint8Array.from(decoded, (d) => index.get(d.cls)!);
  const { kept, held } = stratifiedIndices(labels, opts.validationShare, opts.seed);
  const gather = (idx: number[]) => {
    const images = new Float32Array(idx.length * size);
    idx.forEach((i, k) => images.set(decoded[i]!.pixels, k * size));
    return { images, labels: Uint8Array.from(idx, (i) => labels[i]!), count: idx.length };
  };
  return {
    dataset: { name: grouped.root || 'Custom images', classes, shape: [h, w, c], train: gather(kept), test: gather(held) },
    skipped,
  };
}

/** A directory entry as the File and Directory Entries API gives it (only what we use). */
export interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  fullPath: string;
  file?: (ok: (f: File) => void, fail: (e: unknown) => void) => void;
  createReader?: () => { readEntries: (ok: (e: EntryLike[]) => void, fail: (e: unknown) => void) => void };
}

/** The files under dropped entries, each with `webkitRelativePath` set to its path (as a folder input gives). */
export async function filesFromEntries(entries: readonly EntryLike[]): Promise<File[]> {
  const out: File[] = [];
  const visit = async (e: EntryLike): Promise<void> => {
    if (e.isFile && e.file) {
      const f = await new Promise<File>((ok, fail) => e.file!(ok, fail));
      Object.defineProperty(f, 'webkitRelativePath', { value: e.fullPath.replace(/^\/+/, ''), configurable: true });
      out.push(f);
    } else if (e.isDirectory && e.createReader) {
      const reader = e.createReader();
      // readEntries answers in batches; an empty batch means the end.
      for (;;) {
        const batch = await new Promise<EntryLike[]>((ok, fail) => reader.readEntries(ok, fail));
        if (!batch.length) break;
        for (const child of batch) await visit(child);
      }
    }
  };
  for (const e of entries) await visit(e);
  return out;
}

/** Browser only: the files of a drop (folders walked), ready for loadImageFolder. */
export function filesFromDrop(dt: DataTransfer): Promise<File[]> {
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry()).filter((e): e is FileSystemEntry => !!e);
  return filesFromEntries(entries as unknown as EntryLike[]);
}
