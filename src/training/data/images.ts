/**
 * Custom image folders as a `Dataset` (browser). The chosen folder holds one sub-folder per
 * class: class = the first sub-folder under it (deeper folders belong to that class). Images
 * are decoded with createImageBitmap, resized on an OffscreenCanvas with "cover" by default
 * (scaled to fill h×w, centred, overflow cropped; "contain" letterboxes on black, "stretch"
 * ignores the aspect ratio), turned into greyscale (c = 1, Rec. 601 luma) or RGB (c = 3),
 * transparent parts composited on black, then split stratified and seeded into train / test.
 * What the originals were is kept (FolderFacts: their typical size, how many have colour) with a
 * few examples, so the Train tab can say when the Input node's shape loses it (inputAdvice).
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

/** One decoded file: h×w RGBA bytes and the size of the original picture. */
export interface DecodedImage {
  rgba: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/**
 * Decodes one file to h×w RGBA bytes (row-major, 4 per pixel), with the original's size when the
 * decoder knows it (bare bytes: the original size is unknown).
 */
export type Decoder = (file: File, w: number, h: number, fit: Fit) => Promise<Uint8ClampedArray | Uint8Array | DecodedImage>;

/** What the decoded originals looked like, before they were made to fit the Input node. */
export interface FolderFacts {
  /** Images decoded. */
  count: number;
  /** How many of them are in colour (see isColourful). */
  colour: number;
  /** The originals' typical (median) width and height; 0 when the decoder did not say. */
  width: number;
  height: number;
  /** Whether the originals differ in size. */
  mixedSizes: boolean;
}

/** A few decoded images (one per class first) for showing originals beside what the network sees. */
export interface FolderExample {
  file: File;
  cls: string;
  /** As the network sees it: h×w×c floats 0–1 at the shape decoded. */
  pixels: Float32Array;
}

/**
 * Whether RGBA bytes show colour: at least 1% of the opaque pixels have channels more than 24
 * levels apart (greys saved as colour JPEGs differ by a few levels, which is not colour).
 */
export function isColourful(rgba: ArrayLike<number>): boolean {
  const n = rgba.length / 4;
  let coloured = 0;
  let opaque = 0;
  for (let i = 0; i < n; i++) {
    if (rgba[i * 4 + 3]! < 16) continue;
    opaque++;
    const r = rgba[i * 4]!;
    const g = rgba[i * 4 + 1]!;
    const b = rgba[i * 4 + 2]!;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 24) coloured++;
  }
  return opaque > 0 && coloured >= Math.max(1, opaque * 0.01);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : 0;
};

/** Sums up the decoded originals (sizes 0 = unknown are left out of the typical size). */
export function summariseImages(images: readonly { width: number; height: number; colour: boolean }[]): FolderFacts {
  const sized = images.filter((i) => i.width > 0 && i.height > 0);
  return {
    count: images.length,
    colour: images.filter((i) => i.colour).length,
    width: median(sized.map((i) => i.width)),
    height: median(sized.map((i) => i.height)),
    mixedSizes: sized.some((i) => i.width !== sized[0]!.width || i.height !== sized[0]!.height),
  };
}

/** The longest side suggested for the Input node: bigger images train too slowly in a browser. */
export const SUGGESTED_MAX_SIDE = 64;

export interface InputAdvice {
  /** "These images are 96×96 in colour; your network sees 28×28 grey." */
  message: string;
  /** Whether colour is lost (the images have colour, the Input is grey). */
  colourLost: boolean;
  /** Whether the images are shrunk (larger than the Input). */
  shrunk: boolean;
  /** A fitting Input shape [h, w, c]: the images' size (longest side at most SUGGESTED_MAX_SIDE, multiples of 4), colour if any image has it. */
  shape: [number, number, number];
}

/**
 * Compares the originals with the Input node's shape [h, w, c]: null when the network sees them
 * as they are (or the suggested shape would be the same), else what is lost and a fitting shape.
 */
export function inputAdvice(facts: FolderFacts, input: readonly number[]): InputAdvice | null {
  const [h, w, c] = input as [number, number, number];
  if (!facts.count || !(h > 0 && w > 0)) return null;
  const colourLost = facts.colour > 0 && c === 1;
  const shrunk = facts.width > w || facts.height > h;
  if (!colourLost && !shrunk) return null;
  let sh = h;
  let sw = w;
  if (shrunk) {
    const scale = Math.min(1, SUGGESTED_MAX_SIDE / Math.max(facts.width, facts.height));
    sh = Math.max(4, Math.round((facts.height * scale) / 4) * 4);
    sw = Math.max(4, Math.round((facts.width * scale) / 4) * 4);
    // Never suggest a smaller Input than the one there is.
    if (sh * sw < h * w) [sh, sw] = [h, w];
  }
  const sc = facts.colour > 0 ? 3 : c;
  if (sh === h && sw === w && sc === c) return null;
  const typical = facts.mixedSizes ? 'typically ' : '';
  const colourText = facts.colour === 0 ? '' : facts.colour === facts.count ? ' in colour' : ` (${facts.colour} of ${facts.count} in colour)`;
  const sees = `${w}×${h} ${c === 1 ? 'grey' : 'in colour'}`;
  return {
    message: `These images are ${typical}${facts.width}×${facts.height}${colourText}; your network sees ${sees}.`,
    colourLost,
    shrunk,
    shape: [sh, sw, sc],
  };
}

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
export const decodeToRgba = async (file: File, w: number, h: number, fit: Fit): Promise<DecodedImage> => {
  const bmp = await createImageBitmap(file);
  try {
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas');
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    const r = fitRect(bmp.width, bmp.height, w, h, fit);
    ctx.drawImage(bmp, r.sx, r.sy, r.sw, r.sh, r.dx, r.dy, r.dw, r.dh);
    return { rgba: ctx.getImageData(0, 0, w, h).data, width: bmp.width, height: bmp.height };
  } finally {
    bmp.close();
  }
};

/** Load a folder of class sub-folders as a Dataset; see the header for the rules. */
export async function loadImageFolder(
  files: readonly File[],
  opts: ImageFolderOptions,
  decode: Decoder = decodeToRgba,
): Promise<{ dataset: Dataset; skipped: Skipped[]; facts: FolderFacts; examples: FolderExample[] }> {
  const [h, w, c] = opts.shape;
  if (!(c === 1 || c === 3)) throw new Error(`Custom images need 1 (greyscale) or 3 (RGB) channels, not ${c}.`);
  if (!(h >= 1 && w >= 1 && h <= 1024 && w <= 1024)) throw new Error(`Image size ${h}×${w} is out of range (1–1024).`);
  const fit = opts.fit ?? 'cover';
  const grouped = groupByClass(files.map((f) => ({ path: filePath(f), type: f.type })));
  const skipped = [...grouped.skipped];
  const size = h * w * c;
  const decoded: { cls: string; pixels: Float32Array; order: number; width: number; height: number; colour: boolean }[] = [];
  let done = 0;
  const queue = [...grouped.items];
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      try {
        const got = await decode(files[item.index]!, w, h, fit);
        const { rgba, width, height } = 'rgba' in got ? got : { rgba: got, width: 0, height: 0 };
        if (rgba.length !== w * h * 4) throw new Error(`decoder gave ${rgba.length} bytes, expected ${w * h * 4}`);
        // The colour and size facts are kept: the Train tab tells when the Input node loses them.
        decoded.push({ cls: item.cls, pixels: rgbaToPixels(rgba, c, new Float32Array(size)), order: item.index, width, height, colour: isColourful(rgba) });
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
  // Examples: the first image of each class, then more, up to 4.
  const firsts = classes.map((k) => decoded.find((d) => d.cls === k)!);
  const examples = [...new Set([...firsts, ...decoded])].slice(0, 4).map((d) => ({ file: files[d.order]!, cls: d.cls, pixels: d.pixels }));
  return {
    dataset: { name: grouped.root || 'Custom images', classes, shape: [h, w, c], train: gather(kept), test: gather(held) },
    skipped,
    facts: summariseImages(decoded),
    examples,
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
