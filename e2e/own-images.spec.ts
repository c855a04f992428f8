/**
 * Your own colour photos on the Train tab: a dropped folder of 48×48 colour PNGs in three classes
 * is not silently turned into 28×28 grey. The panel says what is lost, shows originals beside what
 * the network sees, offers to set the Input node to colour at a fitting size with its cost, and
 * applying it is one undoable edit after which the folder is read again and one epoch trains.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dropFolder, node, openApp } from './helpers';
import { encodeRgbPng } from './png';

test.setTimeout(180_000);

const SHOTS = process.env.LAYOUT_SHOTS; // a folder to keep screenshots in, for a person to look at

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
