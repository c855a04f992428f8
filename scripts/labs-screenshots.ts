/**
 * The README's labs screenshots (docs/labs-*.png), from a trained model:
 *   npm run layerlab -- train presets/lenet5.json --out lenet5-model
 *   npm start   (or any server of the built app)
 *   npx tsx scripts/labs-screenshots.ts http://127.0.0.1:4173 lenet5-model
 */
import { chromium } from '@playwright/test';
import { join } from 'node:path';

const [url = 'http://127.0.0.1:4173', modelDir = 'lenet5-model'] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
await page.goto(`${url}/?backend=wasm`);
await page.getByTestId('canvas').waitFor();
const chooser = page.waitForEvent('filechooser');
await page.getByTestId('btn-open').click();
await (await chooser).setFiles(['model.json', 'weights.bin', 'graph.json'].map((f) => join(modelDir, f)));
await page.waitForTimeout(1500);
await page.getByTestId('tab-probe').click();
await page.getByTestId('probe-prediction').locator('li').first().waitFor({ timeout: 60000 });
await page.getByTestId('probe-index').fill('18');
await page.waitForTimeout(1000);
await page.getByTestId('invariance-lab-toggle').click();
await page.getByTestId('inv-slider-rotate').fill('30');
await page.waitForTimeout(800);
await page.getByTestId('inv-pin-label').fill('LeNet-5, 3 epochs');
await page.getByTestId('inv-sweep-run').click();
await page.getByTestId('inv-chart').waitFor({ timeout: 120000 });
await page.getByTestId('explain-lab').locator('summary').click();
await page.waitForTimeout(3000);
await page.evaluate(() => {
  const body = document.querySelector('.ll-tab-body') as HTMLElement;
  const lab = document.querySelector('[data-testid="invariance-lab"]') as HTMLElement;
  body.scrollTop = lab.getBoundingClientRect().top - body.getBoundingClientRect().top + body.scrollTop - 8;
});
await page.waitForTimeout(500);
await page.screenshot({ path: 'docs/labs-invariance.png' });
await page.evaluate(() => {
  const body = document.querySelector('.ll-tab-body') as HTMLElement;
  const lab = document.querySelector('[data-testid="explain-lab"]') as HTMLElement;
  body.scrollTop = lab.getBoundingClientRect().top - body.getBoundingClientRect().top + body.scrollTop - 8;
});
await page.waitForTimeout(500);
await node(page);
async function node(p: typeof page) {
  await p.locator('[data-testid="node"][data-node-id="c1"]').getByTestId('node-map-open').click();
  const map = p.getByTestId('node-detail').getByTestId('nw-map').locator('canvas');
  await map.waitFor();
  const box = (await map.boundingBox())!;
  await p.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.15);
  await p.getByTestId('nw-equation').waitFor({ timeout: 30000 });
  await p.waitForTimeout(800);
  await p.screenshot({ path: 'docs/labs-node-window.png' });
  await p.keyboard.press('Escape');
}
await page.getByTestId('kernel-lab-open').click();
await page.getByTestId('kl-preset').selectOption({ index: 7 });
await page.waitForTimeout(500);
const out = page.getByTestId('kl-output');
const ob = (await out.boundingBox())!;
await page.mouse.move(ob.x + ob.width * 0.45, ob.y + ob.height * 0.4);
await page.waitForTimeout(500);
await page.screenshot({ path: 'docs/labs-kernel.png' });
await browser.close();
