/**
 * The webcam, with Chromium's fake camera (a moving test pattern, permission granted without a
 * prompt): the Probe tab predicts from it live at five frames a second or more on WASM, and the
 * recorder fills two classes that then train for an epoch and download as a zip of class folders
 * of PNGs, which the Train tab opens again when dropped.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { unzipSync } from 'fflate';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium';
import { openApp } from './helpers';

// As playwright.config.ts launches Chromium, plus the fake camera.
test.use({
  launchOptions: {
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  },
});

// MNIST's test set loads in the worker first; a busy 2-core machine is slow.
test.setTimeout(240_000);

const bars = (page: Page) =>
  page
    .getByTestId('probe-prediction')
    .locator('.ll-bar')
    .evaluateAll((els) => els.map((e) => parseFloat((e as HTMLElement).style.width)));

const SHOTS = process.env.LAYOUT_SHOTS; // a folder to keep screenshots in, for a person to look at
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe's serious and critical WCAG 2.1 A/AA violations inside `selector` (this part's own UI). */
async function axeIn(page: Page, selector: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async (sel) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const axe = (window as any).axe;
    const r = await axe.run(document.querySelector(sel), { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return r.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
  }, selector);
}

const fps = (page: Page) => page.getByTestId('camera-fps').evaluate((e) => Number(e.getAttribute('data-fps') || 0));

async function openProbe(page: Page) {
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-probe').click();
  await expect(page.getByTestId('probe-panel')).toBeVisible({ timeout: 120_000 });
  return errors;
}

test('the fake camera probes the network live, at 5 frames a second or more on WASM, and stops', async ({ page }) => {
  const errors = await openProbe(page);
  const toggle = page.getByTestId('camera-toggle');
  await expect(toggle).toHaveText('Start camera');
  await expect(page.getByTestId('camera-invert')).toBeChecked(); // MNIST: white on black
  await toggle.click();
  await expect(toggle).toHaveText('Stop camera', { timeout: 20_000 });
  await expect(page.getByTestId('camera-seen')).toBeVisible({ timeout: 20_000 });
  // The frame as the network sees it: 28×28, not blank.
  const seen = await page
    .getByTestId('camera-seen')
    .locator('canvas')
    .evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let lo = 255;
      let hi = 0;
      for (let i = 0; i < d.length; i += 4) (lo = Math.min(lo, d[i]!)), (hi = Math.max(hi, d[i]!));
      return { w: c.width, h: c.height, range: hi - lo };
    });
  expect(seen).toMatchObject({ w: 28, h: 28 });
  expect(seen.range).toBeGreaterThan(20);

  // The prediction follows the moving pattern: the probabilities change while nothing is touched.
  await expect.poll(() => bars(page).then((b) => b.length)).toBe(10);
  const first = await bars(page);
  await expect.poll(async () => (await bars(page)).some((v, i) => Math.abs(v - first[i]!) > 1e-6), { timeout: 15_000 }).toBe(true);
  await expect(page.getByTestId('probe-sample')).toHaveClass(/unused/); // the probe looks at the camera

  // Frames per second, as the page measures them (one prediction at a time, with every node's maps).
  await expect.poll(() => fps(page), { timeout: 30_000, intervals: [1000] }).toBeGreaterThanOrEqual(5);
  const shown = await page.getByTestId('camera-fps').textContent();
  expect(shown).toMatch(/^\d+\.\d frames\/s$/);
  console.log(`camera probe on WASM: ${shown}`);
  if (SHOTS) await page.getByTestId('camera-section').screenshot({ path: `${SHOTS}/camera-probe.png` });
  expect(await axeIn(page, '[data-testid="camera-section"]')).toEqual([]);

  // Stop: the tracks end and predictions stop.
  await toggle.click();
  await expect(toggle).toHaveText('Start camera');
  expect(await page.getByTestId('camera-video').evaluate((v: HTMLVideoElement) => v.srcObject)).toBeNull();
  const after = await bars(page);
  await page.waitForTimeout(1000);
  expect(await bars(page)).toEqual(after);

  // Another tab hides the Probe panel (it stays mounted): the camera stops there too.
  await toggle.click();
  await expect(toggle).toHaveText('Stop camera', { timeout: 20_000 });
  await page.getByTestId('tab-train').click();
  await page.getByTestId('tab-probe').click();
  await expect(toggle).toHaveText('Start camera');
  expect(errors).toEqual([]);
});

test('recording two classes from the camera: they train for an epoch, and download as a zip of class folders of PNGs that opens again', async ({ page }, testInfo) => {
  const errors = await openProbe(page);
  await page.getByTestId('camera-record-open').click();
  const dialog = page.getByTestId('rec-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('rec-shape')).toContainText("Frames are 28×28 grey (the Input node's shape)");
  const holds = dialog.getByTestId('rec-hold');
  await expect(holds.first()).toBeEnabled({ timeout: 20_000 }); // the camera started on opening
  await expect(dialog.getByTestId('rec-use')).toBeDisabled();

  const names = dialog.getByTestId('rec-name');
  await names.nth(0).fill('ink');
  await names.nth(1).fill('paper');
  const counts = dialog.getByTestId('rec-count');

  // Class 1: held with the mouse for a second.
  const box = (await holds.nth(0).boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await expect(holds.nth(0)).toHaveText('Recording…');
  await page.waitForTimeout(1000);
  await page.mouse.up();
  await expect(holds.nth(0)).toHaveText('Hold to record');
  const a = Number(await counts.nth(0).textContent());
  expect(a).toBeGreaterThanOrEqual(5);
  expect(a).toBeLessThanOrEqual(15);
  await page.waitForTimeout(400);
  expect(Number(await counts.nth(0).textContent())).toBe(a); // released: no more frames

  // Class 2: Space held on its button.
  await holds.nth(1).focus();
  await page.keyboard.down(' ');
  await page.waitForTimeout(1000);
  await page.keyboard.up(' ');
  const b = Number(await counts.nth(1).textContent());
  expect(b).toBeGreaterThanOrEqual(5);
  await expect(dialog.getByTestId('rec-class').nth(0).getByTestId('rec-thumb')).toHaveCount(6);
  expect(await axeIn(page, '[data-testid="rec-dialog"]')).toEqual([]);
  if (SHOTS) await dialog.screenshot({ path: `${SHOTS}/camera-recorder.png` });

  // Save as zip: class/NNN.png entries, one per frame, PNGs that decode to 28×28.
  const download = page.waitForEvent('download');
  await dialog.getByTestId('rec-zip').click();
  const d = await download;
  expect(d.suggestedFilename()).toBe('camera.zip');
  const zipPath = testInfo.outputPath('camera.zip');
  await d.saveAs(zipPath);
  const zipBytes = readFileSync(zipPath);
  const entries = unzipSync(new Uint8Array(zipBytes));
  const paths = Object.keys(entries).sort();
  expect(paths.length).toBe(a + b);
  for (const p of paths) expect(p).toMatch(/^(ink|paper)\/\d{3}\.png$/);
  expect(paths.filter((p) => p.startsWith('ink/'))).toHaveLength(a);
  expect(paths).toContain('paper/000.png');
  const png = Buffer.from(entries['ink/000.png']!).toString('base64');
  const decoded = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = c.getContext('2d')!;
    ctx.drawImage(bmp, 0, 0);
    const px = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    let grey = true;
    let lo = 255;
    let hi = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i] !== px[i + 1] || px[i] !== px[i + 2]) grey = false;
      lo = Math.min(lo, px[i]!);
      hi = Math.max(hi, px[i]!);
    }
    return { w: bmp.width, h: bmp.height, grey, range: hi - lo };
  }, png);
  expect(decoded).toMatchObject({ w: 28, h: 28, grey: true });
  expect(decoded.range).toBeGreaterThan(20);

  // Use as training data: the graph trains on "your own images" with 2 outputs.
  await dialog.getByTestId('rec-use').click();
  await expect(dialog.getByTestId('rec-message')).toContainText(/^Loaded: \d+ frames to train on and \d+ to test, 2 classes/, { timeout: 30_000 });
  await dialog.getByTestId('modal-close').click();
  await expect(dialog).toHaveCount(0);
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-dataset')).toHaveValue('custom');
  const info = page.getByTestId('train-dataset-info');
  const testCount = Math.max(1, Math.round(a * 0.2)) + Math.max(1, Math.round(b * 0.2));
  await expect(info).toHaveText(`camera: ${a + b - testCount} training and ${testCount} test images, 28×28×1, 2 classes`);
  await expect(page.getByTestId('train-fit-problem')).toHaveCount(0); // the output has 2 units now
  const epochs = page.getByTestId('train-epochs');
  await epochs.fill('1');
  await epochs.press('Enter');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('test-accuracy')).toHaveText(/^\d+\.\d\d%$/, { timeout: 120_000 });
  await expect(page.getByTestId('train-status')).toHaveText('Done.');
  await expect(page.getByTestId('confusion-1-1')).toBeVisible();
  await expect(page.getByTestId('confusion-2-2')).toHaveCount(0);

  // The zip, dropped on the Train tab, is read as a folder of class folders.
  await page.getByTestId('train-drop').evaluate((el, b64) => {
    const file = new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'again.zip', { type: 'application/zip' });
    const dt = new DataTransfer();
    dt.items.add(file);
    const entry = { isFile: true, isDirectory: false, name: 'again.zip', fullPath: '/again.zip', file: (ok: (f: File) => void) => ok(file) };
    const fake = { types: ['Files'], files: dt.files, items: [{ kind: 'file', webkitGetAsEntry: () => entry }] };
    for (const type of ['dragover', 'drop']) {
      const ev = new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt });
      Object.defineProperty(ev, 'dataTransfer', { value: fake });
      el.dispatchEvent(ev);
    }
  }, zipBytes.toString('base64'));
  await expect(info).toHaveText(`again: ${a + b - testCount} training and ${testCount} test images, 28×28×1, 2 classes`, { timeout: 30_000 });

  // After a reload the graph still trains on its own images, which are gone: the Probe tab offers the recorder.
  await page.reload();
  await page.getByTestId('tab-probe').click();
  await expect(page.getByTestId('probe-no-dataset')).toContainText('or record them from the camera');
  await expect(page.getByTestId('camera-toggle')).toHaveCount(0); // nothing to predict with yet
  await page.getByTestId('camera-record-open').click();
  await expect(dialog.getByTestId('rec-shape')).toContainText('Frames are 28×28 grey');
  await expect(dialog.getByTestId('rec-hold').first()).toBeEnabled({ timeout: 20_000 });
  await expect(dialog.getByTestId('rec-count')).toHaveText(['0', '0']);
  expect(errors).toEqual([]);
});

test('a refused camera and a missing one are said in words, and nothing else changes', async ({ page }) => {
  // The page's getUserMedia answers as a browser does when the user says no, then as one without a camera.
  await page.addInitScript(() => {
    let calls = 0;
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException(calls++ === 0 ? 'Permission denied' : 'Requested device not found', calls === 1 ? 'NotAllowedError' : 'NotFoundError'));
  });
  const errors = await openProbe(page);
  const toggle = page.getByTestId('camera-toggle');
  await toggle.click();
  await expect(page.getByTestId('camera-error')).toHaveText(/^The camera was not allowed\. Allow it for this page/);
  await expect(toggle).toHaveText('Start camera');
  await expect(page.getByTestId('camera-video')).toBeHidden();
  await toggle.click();
  await expect(page.getByTestId('camera-error')).toHaveText('No camera was found on this computer.');
  await expect(page.getByTestId('probe-sample')).not.toHaveClass(/unused/); // the probe still shows the test image
  expect(errors).toEqual([]);
});
