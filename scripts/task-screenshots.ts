/**
 * The README's segmentation, detection and tracking screenshots (docs/task-*.png), from trained models:
 *   npm run layerlab -- train presets/unet-mini.json --out unet-model
 *   npm run layerlab -- train presets/detector-mini.json --out detector-model
 *   npm start   (or any server of the built app)
 *   npx tsx scripts/task-screenshots.ts http://127.0.0.1:4173 unet-model detector-model
 */
import { chromium, type Page } from '@playwright/test';
import { join } from 'node:path';

const [url = 'http://127.0.0.1:4173', unetDir = 'unet-model', detectorDir = 'detector-model'] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

async function open(p: Page, dir: string) {
  await p.goto(`${url}/?backend=wasm`);
  await p.getByTestId('canvas').waitFor();
  const chooser = p.waitForEvent('filechooser');
  await p.getByTestId('btn-open').click();
  await (await chooser).setFiles(['model.json', 'weights.bin', 'graph.json'].map((f) => join(dir, f)));
  await p.waitForTimeout(1500);
  await p.getByTestId('tab-probe').click();
  await p.getByTestId('task-probe').waitFor({ timeout: 120000 });
}

await open(page, unetDir);
await page.getByTestId('probe-index').fill('3');
await page.waitForTimeout(2500);
await page.screenshot({ path: 'docs/task-segmentation.png' });

await open(page, detectorDir);
await page.getByTestId('probe-index').fill('3');
await page.waitForTimeout(2500);
await page.screenshot({ path: 'docs/task-detection.png' });
await page.getByTestId('tracking-lab-toggle').click();
await page.getByTestId('tracking-mota').waitFor({ timeout: 120000 });
await page.getByTestId('tracking-frame').fill('24');
await page.evaluate(() => {
  const body = document.querySelector('.ll-tab-body') as HTMLElement;
  const lab = document.querySelector('[data-testid="tracking-canvas"]') as HTMLElement;
  body.scrollTop = lab.getBoundingClientRect().top - body.getBoundingClientRect().top + body.scrollTop - 120;
});
await page.waitForTimeout(1000);
await page.screenshot({ path: 'docs/task-tracking.png' });
await browser.close();
