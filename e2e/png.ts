/** Test images written in Node: a minimal greyscale PNG encoder (zlib only) and class folders of them. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** An 8-bit PNG of w×h pixels with `channels` bytes per pixel (1: grey, 3: RGB), row-major. */
function encodePng(w: number, h: number, pixels: Uint8Array, channels: 1 | 3): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, channels === 1 ? 0 : 2, 0, 0, 0], 8); // bit depth 8, colour type 0 (grey) or 2 (RGB), deflate, filter 0, no interlace
  const row = w * channels;
  const raw = Buffer.alloc((row + 1) * h);
  for (let y = 0; y < h; y++) raw.set(pixels.subarray(y * row, (y + 1) * row), y * (row + 1) + 1); // filter byte 0 per row
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** An 8-bit greyscale PNG of w×h pixels (row-major bytes 0–255). */
export const encodeGreyPng = (w: number, h: number, pixels: Uint8Array): Buffer => encodePng(w, h, pixels, 1);

/** An 8-bit RGB PNG of w×h pixels (r, g, b bytes, row-major). */
export const encodeRgbPng = (w: number, h: number, rgb: Uint8Array): Buffer => encodePng(w, h, rgb, 3);

/**
 * Writes `dir/<class>/<class>-<i>.png` for each class: 28×28 images, "dark…" mostly black and
 * anything else mostly white, each with a little seeded noise so no two are alike.
 */
export function writeImageFolder(dir: string, counts: Record<string, number>, size = 28): void {
  let seed = 1234;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 0x1000000;
  for (const [cls, n] of Object.entries(counts)) {
    mkdirSync(join(dir, cls), { recursive: true });
    const base = cls.startsWith('dark') ? 20 : 235;
    for (let i = 0; i < n; i++) {
      const px = Uint8Array.from({ length: size * size }, () => Math.max(0, Math.min(255, Math.round(base + (rand() - 0.5) * 40))));
      writeFileSync(join(dir, cls, `${cls}-${i}.png`), encodeGreyPng(size, size, px));
    }
  }
}
