/** Test images written in Node: PNGs (the app's own encoder, src/labs/png.ts) and class folders of them. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePngBytes } from '../src/labs/png';

/** An 8-bit greyscale PNG of w×h pixels (row-major bytes 0–255). */
export const encodeGreyPng = (w: number, h: number, pixels: Uint8Array): Buffer => Buffer.from(encodePngBytes(w, h, pixels, 1));

/** An 8-bit RGB PNG of w×h pixels (r, g, b bytes, row-major). */
export const encodeRgbPng = (w: number, h: number, rgb: Uint8Array): Buffer => Buffer.from(encodePngBytes(w, h, rgb, 3));

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
