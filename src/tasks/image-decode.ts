/**
 * Image bytes → pixels, pure TS (no DOM, no canvas): the same code decodes a dataset's images
 * and masks in the browser, in the worker and on the command line. PNG is read with fast-png,
 * JPEG with jpeg-js; any other format is refused with a message naming the file.
 *
 * Decisions:
 * - A 16-bit PNG *image* is scaled to 8 bits (value / 257, rounded). A 16-bit *mask* keeps its
 *   values when they all fit in a byte (some tools save class indices as 16-bit greys); larger
 *   values are refused, since a class index above 255 cannot be a byte.
 * - Palette PNGs: an image is expanded through its palette to RGB; a mask's pixel is its palette
 *   index (that is how PASCAL VOC and many annotation tools save class indices).
 * - A mask saved as RGB(A) whose three colour channels are equal in every pixel is read as grey;
 *   a coloured mask is refused (its colours would first need a colour → class table).
 * - `toFloatImage` resizes bilinearly (pixel centres aligned, like a canvas with smoothing), or
 *   by the mean of the covered pixels when it shrinks a side by 2 or more (no aliasing), and
 *   turns colour into grey with Rec. 601 luma (0.299 R + 0.587 G + 0.114 B, as the class-folder
 *   reader does) and drops alpha (a transparent pixel keeps its colour).
 */
import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';

/** Decoded pixels: row-major, `channels` bytes per pixel (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). */
export interface Pixels {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
  /** Palette PNGs: `data` holds palette indices (channels 1); the palette's RGB(A) colours. */
  palette?: number[][];
  /** The original bit depth for PNGs (1, 2, 4, 8 or 16); masks use it to keep 16-bit values exact. */
  depth?: number;
  /** 16-bit PNGs: the original values (data holds them scaled to 8 bits). */
  data16?: Uint16Array;
}

const isPng = (b: Uint8Array) => b.length >= 4 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

function formatOf(bytes: Uint8Array): string | null {
  const s = String.fromCharCode(...bytes.subarray(0, 12));
  if (s.startsWith('GIF8')) return 'GIF';
  if (s.startsWith('BM')) return 'BMP';
  if (s.startsWith('RIFF') && s.slice(8, 12) === 'WEBP') return 'WebP';
  if (s.startsWith('II*\0') || s.startsWith('MM\0*')) return 'TIFF';
  if (s.slice(4, 12) === 'ftypavif' || s.slice(4, 12) === 'ftypheic') return s.slice(8, 12).toUpperCase();
  return null;
}

function reason(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.length > 120 ? `${m.slice(0, 117)}…` : m;
}

/** One value per byte from rows of packed 1, 2 or 4-bit samples (each row starts on a byte). */
function unpackBits(packed: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = packed[y * rowBytes + (bit >> 3)] ?? 0;
      out[y * width + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

/** Decodes PNG or JPEG bytes; throws an Error naming `name` when they cannot be read. */
export function decodeImageBytes(bytes: Uint8Array, name: string): Pixels {
  if (bytes.length === 0) throw new Error(`${name} is empty (0 bytes); it cannot be read as an image.`);
  if (isPng(bytes)) {
    let png;
    try {
      png = decodePng(bytes);
    } catch (e) {
      throw new Error(`${name} could not be read: it starts like a PNG but is damaged or incomplete (${reason(e)}).`);
    }
    const { width, height, channels, depth } = png;
    if (!width || !height) throw new Error(`${name} could not be read: the PNG has no pixels.`);
    const n = width * height * channels;
    // fast-png leaves 1, 2 and 4-bit rows packed (only greys and palettes have such depths)
    const raw = depth < 8 ? unpackBits(png.data as Uint8Array, width, height, depth) : png.data;
    if (png.palette) {
      const data = raw instanceof Uint8Array ? raw : Uint8Array.from(raw);
      return { width, height, channels: 1, data: data.subarray(0, width * height), palette: png.palette, depth };
    }
    if (depth === 16) {
      const src = raw as Uint16Array;
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i++) data[i] = Math.round(src[i]! / 257);
      return { width, height, channels, data, depth, data16: src };
    }
    if (depth === 8) return { width, height, channels, data: raw instanceof Uint8Array ? raw : Uint8Array.from(raw), depth };
    // 1, 2 or 4-bit greys, 0 … 2^depth − 1: scaled to 0–255 for images, kept for masks
    const max = (1 << depth) - 1;
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.round((raw[i]! * 255) / max);
    return { width, height, channels, data, depth, data16: Uint16Array.from(raw.subarray(0, n)) };
  }
  if (isJpeg(bytes)) {
    let img;
    try {
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
    } catch (e) {
      if (/maxResolutionInMP|maxMemoryUsageInMB/.test(reason(e))) throw new Error(`${name} is too large to read here (${reason(e)}); save it at a smaller size.`);
      throw new Error(`${name} could not be read: it starts like a JPEG but is damaged or incomplete (${reason(e)}).`);
    }
    if (!img.width || !img.height) throw new Error(`${name} could not be read: the JPEG has no pixels.`);
    const channels = img.data.length / (img.width * img.height);
    return { width: img.width, height: img.height, channels, data: img.data };
  }
  const format = formatOf(bytes);
  if (format) throw new Error(`${name} is a ${format} file; LayerLab reads PNG and JPEG files here. Save it as PNG (or JPEG for photos).`);
  throw new Error(`${name} is not a PNG or JPEG image (its first bytes do not match either format); it cannot be read.`);
}

/** RGB(A) of a pixel through the palette (palette indices) or grey/colour channels. */
function rgbOf(p: Pixels): Uint8Array {
  const n = p.width * p.height;
  const out = new Uint8Array(n * 3);
  if (p.palette) {
    for (let i = 0; i < n; i++) {
      const c = p.palette[p.data[i]!] ?? [0, 0, 0];
      out[i * 3] = c[0] ?? 0;
      out[i * 3 + 1] = c[1] ?? 0;
      out[i * 3 + 2] = c[2] ?? 0;
    }
    return out;
  }
  const ch = p.channels;
  for (let i = 0; i < n; i++) {
    if (ch >= 3) {
      out[i * 3] = p.data[i * ch]!;
      out[i * 3 + 1] = p.data[i * ch + 1]!;
      out[i * 3 + 2] = p.data[i * ch + 2]!;
    } else {
      const v = p.data[i * ch]!;
      out[i * 3] = v;
      out[i * 3 + 1] = v;
      out[i * 3 + 2] = v;
    }
  }
  return out;
}

/**
 * The picture as h×w×c floats 0–1 (row-major, channels last): resized bilinearly when its size
 * differs (by the mean of the covered pixels when a side shrinks by 2 or more), grey (luma) for c = 1, RGB for c = 3, alpha dropped.
 */
export function toFloatImage(p: Pixels, h: number, w: number, c: 1 | 3): Float32Array {
  const rgb = rgbOf(p);
  const sw = p.width;
  const sh = p.height;
  // source plane(s) as floats 0–1 in the wanted channels
  const src = new Float32Array(sw * sh * c);
  for (let i = 0; i < sw * sh; i++) {
    const r = rgb[i * 3]!;
    const g = rgb[i * 3 + 1]!;
    const b = rgb[i * 3 + 2]!;
    if (c === 1) src[i] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    else {
      src[i * 3] = r / 255;
      src[i * 3 + 1] = g / 255;
      src[i * 3 + 2] = b / 255;
    }
  }
  if (sw === w && sh === h) return src;
  const out = new Float32Array(w * h * c);
  const sx = sw / w;
  const sy = sh / h;
  if (sx >= 1 && sy >= 1 && (sx >= 2 || sy >= 2)) {
    // shrinking by 2 or more: each output pixel is the mean of the source pixels it covers (a
    // bilinear sample would read only 4 of them, and fine detail would alias into noise)
    for (let y = 0; y < h; y++) {
      const y0 = Math.floor(y * sy);
      const y1 = Math.max(y0 + 1, Math.min(sh, Math.floor((y + 1) * sy)));
      for (let x = 0; x < w; x++) {
        const x0 = Math.floor(x * sx);
        const x1 = Math.max(x0 + 1, Math.min(sw, Math.floor((x + 1) * sx)));
        const n = (y1 - y0) * (x1 - x0);
        for (let k = 0; k < c; k++) {
          let sum = 0;
          for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += src[(yy * sw + xx) * c + k]!;
          out[(y * w + x) * c + k] = sum / n;
        }
      }
    }
    return out;
  }
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), sh - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const tx = fx - x0;
      for (let k = 0; k < c; k++) {
        const a = src[(y0 * sw + x0) * c + k]!;
        const b = src[(y0 * sw + x1) * c + k]!;
        const d = src[(y1 * sw + x0) * c + k]!;
        const e = src[(y1 * sw + x1) * c + k]!;
        out[(y * w + x) * c + k] = (a * (1 - tx) + b * tx) * (1 - ty) + (d * (1 - tx) + e * tx) * ty;
      }
    }
  }
  return out;
}

/**
 * A mask's class index per pixel (row-major): a grey PNG's value, a palette PNG's index, or an
 * RGB(A) mask's value when its colour channels are equal everywhere. Throws an Error naming
 * `name` for a coloured mask or 16-bit values above 255.
 */
export function maskOfPixels(p: Pixels, name: string): Uint8Array {
  const n = p.width * p.height;
  if (p.palette) return p.data.slice(0, n);
  const ch = p.channels;
  if (p.data16 && p.depth === 16) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = p.data16[i * ch]!;
      if (v > 255) {
        throw new Error(
          `${name}: pixel (x ${i % p.width}, y ${Math.floor(i / p.width)}) has value ${v}; a mask's values are class indices from 0 to 255 (0 = background).`,
        );
      }
      out[i] = v;
    }
    if (ch >= 3) checkGrey(out, p.data16, ch, p, name);
    return out;
  }
  if (p.data16 && p.depth !== undefined && p.depth < 8) {
    // 1, 2 or 4-bit greys: the stored value is the class index
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = p.data16[i * ch]!;
    return out;
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = p.data[i * ch]!;
  if (ch >= 3) checkGrey(out, p.data, ch, p, name);
  return out;
}

function checkGrey(out: Uint8Array, data: ArrayLike<number>, ch: number, p: Pixels, name: string): void {
  for (let i = 0; i < out.length; i++) {
    const r = data[i * ch]!;
    const g = data[i * ch + 1]!;
    const b = data[i * ch + 2]!;
    if (r !== g || g !== b) {
      throw new Error(
        `${name} is a colour mask (pixel x ${i % p.width}, y ${Math.floor(i / p.width)} is R ${r} G ${g} B ${b}); a mask must be a greyscale or palette PNG whose pixel values are class indices (0 = background, 1, 2, …).`,
      );
    }
  }
}

/** Resizes a w0×h0 mask to w1×h1 by nearest neighbour (class indices are never blended). */
export function resizeMaskNearest(mask: Uint8Array, w0: number, h0: number, w1: number, h1: number): Uint8Array {
  if (w0 === w1 && h0 === h1) return mask.slice();
  const out = new Uint8Array(w1 * h1);
  for (let y = 0; y < h1; y++) {
    const sy = Math.min(h0 - 1, Math.floor(((y + 0.5) * h0) / h1));
    for (let x = 0; x < w1; x++) {
      const sx = Math.min(w0 - 1, Math.floor(((x + 0.5) * w0) / w1));
      out[y * w1 + x] = mask[sy * w0 + sx]!;
    }
  }
  return out;
}
