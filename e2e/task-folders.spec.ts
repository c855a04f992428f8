/**
 * Segmentation and detection data in the formats people already have, opened in Chromium as a
 * learner would: a folder of images/ + masks/ and a YOLO folder of images/ + labels/ chosen with
 * the real file chooser, and a zip of a YOLO folder dropped on the Train tab. The folders are
 * written to disk here (PNGs, label text files, classes.txt), with some broken files that must be
 * listed as skipped, with their reasons, while the rest loads.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder `name` outside test-results/ (which another Playwright run may be clearing). */
const folder = (name: string) => join(mkdtempSync(join(tmpdir(), 'll-task-')), name);
import { zipSync } from 'fflate';
import { encodeGreyPng } from './png';
import { openApp, setSetting } from './helpers';

/** Opens a preset from the gallery, then the Train tab once the preset's own dataset has loaded. */
async function openPreset(page: Page, key: string, dataset: string) {
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('btn-presets').click();
  await page.getByTestId(`preset-${key}`).click();
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-dataset-info')).toContainText(`${dataset}:`, { timeout: 60_000 });
  return errors;
}

/** Chooses a folder through the file chooser that the Dataset menu's "Your images" opens. */
async function chooseFolder(page: Page, dir: string) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('train-dataset').selectOption('custom');
  const fc = await chooser;
  await fc.setFiles(dir);
}

/** The counts of the dataset line: [training, test]. */
async function counts(page: Page): Promise<[number, number]> {
  const m = (await page.getByTestId('train-dataset-info').textContent())!.match(/([\d,]+) training and ([\d,]+) test images/)!;
  return [Number(m[1]!.replace(/,/g, '')), Number(m[2]!.replace(/,/g, ''))];
}

/** A 32×32 grey picture: dark background, a bright square at (x, y) of side s. */
const squareImage = (x: number, y: number, s: number, size = 32) =>
  Uint8Array.from({ length: size * size }, (_, i) => {
    const px = i % size;
    const py = Math.floor(i / size);
    return px >= x && px < x + s && py >= y && py < y + s ? 220 : 25;
  });

function writeSegFolder(dir: string) {
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'masks'), { recursive: true });
  // 5 classes, as U-Net mini's output has: background and four shapes
  writeFileSync(join(dir, 'classes.txt'), 'background\ncircle\nsquare\ntriangle\nstar\n');
  for (let i = 0; i < 10; i++) {
    const x = 2 + i * 2;
    const y = 4 + i;
    const cls = 1 + (i % 4);
    writeFileSync(join(dir, 'images', `s${i}.png`), encodeGreyPng(32, 32, squareImage(x, y, 8)));
    writeFileSync(join(dir, 'masks', `s${i}.png`), encodeGreyPng(32, 32, squareImage(x, y, 8).map((v) => (v > 100 ? cls : 0))));
  }
  // broken: an image that is not a PNG, and a mask half the size of its image
  writeFileSync(join(dir, 'images', 'broken.png'), Buffer.from('this is not a picture'));
  writeFileSync(join(dir, 'masks', 'broken.png'), encodeGreyPng(32, 32, new Uint8Array(32 * 32)));
  writeFileSync(join(dir, 'images', 'half.png'), encodeGreyPng(32, 32, squareImage(3, 3, 5)));
  writeFileSync(join(dir, 'masks', 'half.png'), encodeGreyPng(16, 16, new Uint8Array(16 * 16)));
}

function writeYoloFolder(dir: string) {
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'labels'), { recursive: true });
  // 4 classes, as Detector mini's grid (5 + 4 values per cell) has
  writeFileSync(join(dir, 'classes.txt'), 'circle\nsquare\ntriangle\nstar\n');
  for (let i = 0; i < 8; i++) {
    const x = 4 + i * 2;
    const y = 6 + i;
    writeFileSync(join(dir, 'images', `b${i}.png`), encodeGreyPng(32, 32, squareImage(x, y, 8)));
    // centre and size as fractions of the 32-pixel image
    writeFileSync(join(dir, 'labels', `b${i}.txt`), `${i % 4} ${(x + 4) / 32} ${(y + 4) / 32} ${8 / 32} ${8 / 32}\n`);
  }
  // an image without a label file: an image with no objects
  writeFileSync(join(dir, 'images', 'nothing.png'), encodeGreyPng(32, 32, new Uint8Array(32 * 32).fill(25)));
  // broken: a position in pixels instead of a fraction, and a class classes.txt does not name
  writeFileSync(join(dir, 'images', 'pixels.png'), encodeGreyPng(32, 32, squareImage(10, 10, 8)));
  writeFileSync(join(dir, 'labels', 'pixels.txt'), '1 14 14 8 8\n');
  writeFileSync(join(dir, 'images', 'seven.png'), encodeGreyPng(32, 32, squareImage(10, 10, 8)));
  writeFileSync(join(dir, 'labels', 'seven.txt'), '7 0.5 0.5 0.25 0.25\n');
}

test('a folder of images and masks opens through the file chooser as a segmentation dataset', async ({ page }) => {
  const dir = folder('my-masks');
  writeSegFolder(dir);
  const errors = await openPreset(page, 'unet-mini', 'shapes-masks');
  await chooseFolder(page, dir);
  const info = page.getByTestId('train-dataset-info');
  await expect(info).toContainText('my-masks:', { timeout: 30_000 });
  await expect(info).toContainText('32×32×1, 5 classes');
  await expect(info).toContainText('mask');
  // 10 good pairs; 15% held out for testing (rounded), the rest to train on
  expect(await counts(page)).toEqual([10 - Math.round(10 * 0.15), Math.round(10 * 0.15)]);
  await expect(page.getByTestId('train-dataset')).toHaveValue('custom');
  const skipped = page.getByTestId('train-skipped');
  await expect(skipped).toContainText('2 files could not be read');
  await expect(skipped.locator('li')).toHaveCount(2);
  await expect(skipped).toContainText('my-masks/images/broken.png: is not a PNG or JPEG image');
  await expect(skipped).toContainText('my-masks/masks/half.png: is 16×16 pixels but its image my-masks/images/half.png is 32×32');
  // the graph (32×32×1 → 32×32×5) fits the data: nothing to fix, training can start
  await expect(page.getByTestId('train-fit-problem')).toHaveCount(0);
  await expect(page.getByTestId('train-start')).toBeEnabled();
  // one short epoch on these images: the test set is scored per class, by the names of classes.txt
  await setSetting(page, 'train-epochs', 1);
  await page.getByTestId('train-start').click();
  const result = page.getByTestId('train-result');
  await expect(result.getByTestId('result-miou')).toBeVisible({ timeout: 60_000 });
  await expect(result.getByTestId('result-per-class')).toContainText('triangle');
  await expect(result).toContainText(`on ${Math.round(10 * 0.15)} images`);
  expect(errors).toEqual([]);
});

test('a YOLO folder of images and labels opens through the file chooser as a detection dataset', async ({ page }) => {
  const dir = folder('my-boxes');
  writeYoloFolder(dir);
  const errors = await openPreset(page, 'detector-mini', 'shapes-boxes');
  await chooseFolder(page, dir);
  const info = page.getByTestId('train-dataset-info');
  await expect(info).toContainText('my-boxes:', { timeout: 30_000 });
  await expect(info).toContainText('32×32×1, 4 classes');
  await expect(info).toContainText('boxes');
  // 8 labelled images and 1 without labels (no objects) are used
  const [train, testCount] = await counts(page);
  expect([train + testCount, testCount]).toEqual([9, Math.round(9 * 0.15)]);
  const skipped = page.getByTestId('train-skipped');
  await expect(skipped.locator('li')).toHaveCount(2);
  await expect(skipped).toContainText('my-boxes/labels/pixels.txt: line 1: the x centre (cx) 14 is outside [0, 1].');
  await expect(skipped).toContainText('my-boxes/labels/seven.txt: line 1: class 7 is unknown: classes.txt names 4 classes');
  // the image without a label file is read as one with no objects, and the learner is told
  await expect(page.getByTestId('notice').filter({ hasText: 'no label file' })).toContainText('my-boxes/images/nothing.png');
  await expect(page.getByTestId('train-fit-problem')).toHaveCount(0);
  await expect(page.getByTestId('train-start')).toBeEnabled();
  expect(errors).toEqual([]);
});

test('a zip of a YOLO folder dropped on the Train tab loads as a detection dataset', async ({ page }) => {
  const dir = folder('zipped');
  writeYoloFolder(dir);
  const entries: Record<string, Uint8Array> = {};
  for (const sub of ['images', 'labels']) {
    for (const f of ['b0', 'b1', 'b2', 'b3', 'pixels']) {
      const name = `${f}.${sub === 'images' ? 'png' : 'txt'}`;
      entries[`zipped/${sub}/${name}`] = readFileSync(join(dir, sub, name));
    }
  }
  entries['zipped/classes.txt'] = readFileSync(join(dir, 'classes.txt'));
  const zip = Buffer.from(zipSync(entries));
  const errors = await openPreset(page, 'detector-mini', 'shapes-boxes');
  // A real drop event carrying the zip file (as a browser gives a dropped file: an entry that is a file).
  await page.getByTestId('train-drop').evaluate((el, b64) => {
    const file = new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'zipped.zip', { type: 'application/zip' });
    const dt = new DataTransfer();
    dt.items.add(file);
    const entry = { isFile: true, isDirectory: false, name: file.name, fullPath: `/${file.name}`, file: (ok: (f: File) => void) => ok(file) };
    const fake = { types: ['Files'], files: dt.files, items: [{ kind: 'file', webkitGetAsEntry: () => entry }] };
    for (const type of ['dragover', 'drop']) {
      const ev = new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt });
      Object.defineProperty(ev, 'dataTransfer', { value: fake });
      el.dispatchEvent(ev);
    }
  }, zip.toString('base64'));
  const info = page.getByTestId('train-dataset-info');
  await expect(info).toContainText('zipped:', { timeout: 30_000 });
  await expect(info).toContainText('32×32×1, 4 classes');
  const [train, testCount] = await counts(page);
  expect(train + testCount).toBe(4);
  await expect(page.getByTestId('train-skipped')).toContainText('zipped/labels/pixels.txt: line 1');
  await expect(page.getByTestId('train-dataset')).toHaveValue('custom');
  expect(errors).toEqual([]);
});
