/**
 * A minimal PNG encoder (8-bit grey or RGB, no filtering, zlib from fflate): what the camera
 * recorder's zip and the e2e tests' image folders write. Pure; runs in the page and in Node.
 */
import { strToU8, zlibSync } from 'fflate';
import { crc32 } from '../export/unzip';

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 12);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(strToU8(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** An 8-bit PNG of w×h pixels with `channels` bytes per pixel (1: grey, 3: RGB), row-major bytes 0–255. */
export function encodePngBytes(w: number, h: number, pixels: Uint8Array, channels: 1 | 3): Uint8Array {
  const row = w * channels;
  if (pixels.length !== row * h) throw new Error(`A ${w}×${h} PNG of ${channels} channel(s) takes ${row * h} bytes, not ${pixels.length}.`);
  const raw = new Uint8Array(h * (1 + row));
  for (let y = 0; y < h; y++) raw.set(pixels.subarray(y * row, (y + 1) * row), y * (1 + row) + 1); // filter byte 0: none
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, w);
  hv.setUint32(4, h);
  header.set([8, channels === 1 ? 0 : 2, 0, 0, 0], 8); // bit depth 8, grey or RGB, deflate, filter 0, no interlace
  const parts = [Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', zlibSync(raw, { level: 6 })), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}
