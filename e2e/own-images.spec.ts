/**
 * Your own colour photos on the Train tab: a dropped folder of 48×48 colour PNGs in three classes
 * is not silently turned into 28×28 grey. The panel says what is lost, shows originals beside what
 * the network sees, offers to set the Input node to colour at a fitting size with its cost, and
 * applying it is one undoable edit after which the folder is read again and one epoch trains.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { node, openApp } from './helpers';

test.setTimeout(180_000);

const SHOTS = process.env.LAYOUT_SHOTS; // a folder to keep screenshots in, for a person to look at

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf: Uint8Array) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type: string, data: Uint8Array) => {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
};

/** An 8-bit RGB PNG (colour type 2) of w×h pixels, rgb row-major. */
function encodeRgbPng(w: number, h: number, rgb: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) raw.set(rgb.subarray(y * w * 3, (y + 1) * w * 3), y * (w * 3 + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** 48×48 colour images: red, green or blue squares of one brightness on grey, with seeded noise. */
function writeColourFolder(dir: string, perClass: number) {
  let seed = 99;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 0x1000000;
  const S = 48;
  ['blue', 'green', 'red'].forEach((cls, k) => {
    mkdirSync(join(dir, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const rgb = new Uint8Array(S * S * 3);
      const x0 = 6 + Math.floor(rand() * 14);
      const y0 = 6 + Math.floor(rand() * 14);
      for (let y = 0; y < S; y++)
        for (let x = 0; x < S; x++) {
          const inside = x >= x0 && x < x0 + 22 && y >= y0 && y < y0 + 22;
          for (let ch = 0; ch < 3; ch++) {
            // Same luma for every class inside the square: only colour tells them apart.
            const v = inside ? ([[40, 40, 220], [40, 160, 40], [200, 60, 60]][k]![ch]!) : 110;
            rgb[(y * S + x) * 3 + ch] = Math.max(0, Math.min(255, Math.round(v + (rand() - 0.5) * 20)));
          }
        }
      writeFileSync(join(dir, cls, `${cls}-${i}.png`), encodeRgbPng(S, S, rgb));
    }
  });
}

/** Drops a folder on the Train tab the way training.spec.ts does (webkitGetAsEntry over real files). */
async function dropFolder(page: Page, dir: string, rootName: string) {
  const tree = Object.fromEntries(
    readdirSync(dir).map((cls) => [cls, readdirSync(join(dir, cls)).map((f) => ({ name: f, b64: readFileSync(join(dir, cls, f)).toString('base64') }))]),
  );
  await page.getByTestId('train-drop').evaluate(
    (el, { t, root: rootName }) => {
      type Entry = { isFile: boolean; isDirectory: boolean; name: string; fullPath: string; file?: (ok: (f: File) => void) => void; createReader?: () => { readEntries(ok: (e: Entry[]) => void): void } };
      const fileEntry = (path: string, f: File): Entry => ({ isFile: true, isDirectory: false, name: f.name, fullPath: path, file: (ok) => ok(f) });
      const dirEntry = (path: string, children: Entry[]): Entry => ({
        isFile: false,
        isDirectory: true,
        name: path.split('/').pop()!,
        fullPath: path,
        createReader: () => {
          let given = false;
          return { readEntries: (ok) => ok(given ? [] : ((given = true), children)) };
        },
      });
      const dt = new DataTransfer();
      const classes = Object.entries(t).map(([cls, files]) =>
        dirEntry(
          `/${rootName}/${cls}`,
          files.map((f) => {
            const file = new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: 'image/png' });
            dt.items.add(file);
            return fileEntry(`/${rootName}/${cls}/${f.name}`, file);
          }),
        ),
      );
      const root = dirEntry(`/${rootName}`, classes);
      const fake = { types: ['Files'], files: dt.files, items: [{ kind: 'file', webkitGetAsEntry: () => root }] };
      for (const type of ['dragover', 'drop']) {
        const ev = new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt });
        Object.defineProperty(ev, 'dataTransfer', { value: fake });
        el.dispatchEvent(ev);
      }
    },
    { t: tree, root: rootName },
  );
}

/** The mean |r−g| + |g−b| of a thumbnail canvas: 0 for grey pictures. */
const chroma = (page: Page, testid: string) =>
  page
    .getByTestId(testid)
    .first()
    .locator('canvas')
    .evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += Math.abs(d[i]! - d[i + 1]!) + Math.abs(d[i + 1]! - d[i + 2]!);
      return { chroma: sum / (d.length / 4), width: c.width, height: c.height };
    });

test('a folder of 48×48 colour photos: the Train tab says what 28×28 grey loses, the fix is one undoable edit, and one epoch trains', async ({ page }, testInfo) => {
  const dir = testInfo.outputPath('colours');
  writeColourFolder(dir, 8);
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-backend-info')).toContainText('Training on wasm', { timeout: 60_000 });
  await expect(shapeOf(page)).toHaveText('28×28×1');

  await dropFolder(page, dir, 'colours');
  const info = page.getByTestId('train-dataset-info');
  await expect(info).toContainText(/^colours: \d+ training and \d+ test images, 28×28×1, 3 classes$/, { timeout: 60_000 });

  // What the network loses, in words.
  const advice = page.getByTestId('folder-advice');
  await expect(page.getByTestId('folder-advice-message')).toHaveText('These images are 48×48 in colour; your network sees 28×28 grey.');
  // Originals beside what the network sees now (28×28, grey) and with the fix (48×48, colour).
  await expect(advice.getByTestId('folder-original')).toHaveCount(4);
  await expect.poll(() => advice.getByTestId('folder-original').first().evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(48);
  const now = await chroma(page, 'folder-seen-now');
  expect(now).toMatchObject({ width: 28, height: 28 });
  expect(now.chroma).toBe(0);
  await expect(advice.getByTestId('folder-seen-after')).toHaveCount(4);
  const after = await chroma(page, 'folder-seen-after');
  expect(after).toMatchObject({ width: 48, height: 48 });
  expect(after.chroma).toBeGreaterThan(40);

  // The cost: LeNet-5 with a 48×48×3 input, counted by hand (ending in 10 units, as it does now):
  // c1 (same) 5·5·3·6+6 = 456 → 48×48×6, pool 24×24, c3 (valid) 5·5·6·16+16 = 2,416 → 20×20×16,
  // pool 10×10×16 = 1,600, f5 1,600·120+120 = 192,120, f6 120·84+84 = 10,164, output 84·10+10 = 850
  // → 206,006.
  await expect(page.getByTestId('folder-cost-params')).toHaveText('206,006');
  await expect(page.getByTestId('folder-advice-cost')).toContainText('(now 61,706)');
  await expect(page.getByTestId('folder-advice-cost')).toContainText(/training memory ≈ [\d.]+ MB .* per epoch of \d+ images/);
  if (SHOTS) await advice.screenshot({ path: join(SHOTS, 'folder-advice.png') });

  // Apply: the Input node becomes 48×48×3 and the folder is read again at that shape.
  await page.getByTestId('folder-fit-apply').click();
  await expect(shapeOf(page)).toHaveText('48×48×3');
  await expect(info).toContainText(/48×48×3, 3 classes$/, { timeout: 60_000 });
  await expect(advice).toHaveCount(0);
  await expect(page.getByTestId('total-params')).toHaveText('206,006'); // as promised

  // One edit: Undo puts the Input back (and the folder follows), Redo applies it again.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await expect(shapeOf(page)).toHaveText('28×28×1');
  await expect(info).toContainText(/28×28×1, 3 classes$/, { timeout: 60_000 });
  await expect(page.getByTestId('folder-advice-message')).toBeVisible();
  await page.keyboard.press('Control+Shift+z');
  await expect(shapeOf(page)).toHaveText('48×48×3');
  await expect(info).toContainText(/48×48×3, 3 classes$/, { timeout: 60_000 });

  // The output still has 10 units: the existing "Fix it" sets 3.
  await expect(page.getByTestId('train-fit-problem')).toContainText('3 classes');
  await page.getByTestId('train-fit-fix').click();
  await expect(page.getByTestId('train-fit-problem')).toHaveCount(0);

  const epochs = page.getByTestId('train-epochs');
  await epochs.fill('1');
  await epochs.press('Enter');
  await expect(epochs).toHaveValue('1');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('test-accuracy')).toHaveText(/^\d+\.\d\d%$/, { timeout: 90_000 });
  await expect(page.getByTestId('train-status')).toHaveText('Done.');
  await expect(page.getByTestId('confusion-2-2')).toBeVisible();
  await expect(page.getByTestId('confusion-3-3')).toHaveCount(0);
  expect(errors).toEqual([]);
});

const shapeOf = (page: Page) => node(page, 'image').getByTestId('node-shape');
