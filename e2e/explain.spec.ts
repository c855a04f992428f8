/**
 * What the network looks at, end to end on WASM: LeNet-5 trained for one epoch on Shapes with a tiny
 * learning rate (so the confusion matrix has mistakes to click), then "Why?" on a misclassified
 * image opens the Probe tab with Grad-CAM for the predicted class on that image; saliency after it;
 * and a conv channel's favourite input in the node's large view.
 */
import { expect, test, type Page } from '@playwright/test';
import { createRequire } from 'node:module';
import { node, openApp, setSetting } from './helpers';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core (WCAG 2.1 A/AA) finds no serious or critical violation on the page (as e2e/a11y.spec.ts checks the rest). */
async function expectAccessible(page: Page, where: string) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const axe = (window as any).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return r.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
  });
  expect(found, `axe: ${where}`).toEqual([]);
}

test.setTimeout(240_000);

/** The explain canvas' pixels: how many are coloured (not grey) and how many distinct colours. */
const heatStats = (page: Page) =>
  page.getByTestId('explain-canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let coloured = 0;
    let hot = 0;
    const colours = new Set<number>();
    for (let i = 0; i < d.length; i += 4) {
      const [r, g, b] = [d[i]!, d[i + 1]!, d[i + 2]!];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 24) coloured++;
      if (r > 150 && r > b + 80) hot++; // the warm end of the colour map: where the network looked most
      colours.add((r << 16) | (g << 8) | b);
    }
    return { coloured, hot, colours: colours.size, total: d.length / 4 };
  });

test('"Why?" on a misclassified image shows Grad-CAM for that image, then saliency; a conv channel has a favourite input', async ({ page }) => {
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-backend-info')).toContainText('Training on wasm', { timeout: 60_000 });
  // The preset's MNIST first (a dataset chosen while another is loading is not loaded afterwards).
  await expect(page.getByTestId('train-dataset-info')).toContainText('10 classes', { timeout: 60_000 });
  await page.getByTestId('train-dataset').selectOption('shapes');
  await expect(page.getByTestId('train-dataset-info')).toContainText('4 classes', { timeout: 60_000 });
  // LeNet-5 ends in 10 units: let the panel fit it to Shapes' 4 classes.
  const fix = page.getByTestId('train-fit-fix');
  for (let i = 0; i < 4 && (await fix.count()) > 0; i++) await fix.first().click();
  await expect(page.getByTestId('train-fit-problem')).toHaveCount(0);
  await setSetting(page, 'train-epochs', 1);
  // A learning rate this small barely moves the weights: the test set keeps plenty of mistakes.
  await setSetting(page, 'train-lr', 0.00001);
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('test-accuracy')).toHaveText(/^\d+\.\d\d%$/, { timeout: 150_000 });
  await expect(page.getByTestId('confusion-matrix')).toBeVisible();

  // A cell of mistakes (true i, predicted j), then its first image's "Why?".
  const cell = page.locator('[data-testid^="confusion-"] button').first();
  const testid = await cell.locator('xpath=..').getAttribute('data-testid');
  const [, , predicted] = testid!.split('-').map(Number);
  const classes = ['circle', 'square', 'triangle', 'cross'];
  const said = classes[predicted!]!;
  await cell.click();
  const why = page.getByTestId('misclassified').getByTestId('why-button').first();
  await expect(why).toHaveAccessibleName(new RegExp(`^Why did it say ${said} for test image \\d+\\?$`));
  const index = (await why.getAttribute('aria-label'))!.match(/test image (\d+)/)![1]!;
  await why.click();

  // The Probe tab, on that test image, with the section open and Grad-CAM for the predicted class.
  await expect(page.getByTestId('tab-probe')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('probe-index')).toHaveValue(index);
  const lab = page.getByTestId('explain-lab');
  await expect(lab).toHaveAttribute('open', '');
  const caption = page.getByTestId('explain-caption');
  await expect(caption).toContainText(`Grad-CAM on c3 for class ${said} · predicted ${said}`, { timeout: 30_000 });
  await expect(page.getByTestId('explain-class')).toHaveValue(String(predicted));
  await expect(page.getByTestId('explain-layer')).toHaveValue('c3');
  await expect(lab.getByTestId('explain-error')).toHaveCount(0);
  await expect(lab).toBeInViewport();
  // The heatmap is drawn over the image: coloured pixels, many colours, a hot spot.
  await expect.poll(async () => (await heatStats(page)).coloured).toBeGreaterThan(1000);
  const cam = await heatStats(page);
  expect(cam.colours).toBeGreaterThan(20);
  expect(cam.hot).toBeGreaterThan(0);
  await expectAccessible(page, 'the Probe tab with Grad-CAM shown');
  const camPixels = await page.getByTestId('explain-canvas').evaluate((c: HTMLCanvasElement) => c.toDataURL());

  // Saliency: another map over the same image.
  await page.getByTestId('explain-method-saliency').check();
  await expect(caption).toContainText(`Saliency for class ${said} · predicted ${said}`);
  await expect(page.getByTestId('explain-layer')).toHaveCount(0);
  await expect.poll(() => page.getByTestId('explain-canvas').evaluate((c: HTMLCanvasElement) => c.toDataURL())).not.toBe(camPixels);
  expect((await heatStats(page)).hot).toBeGreaterThan(0);

  // Another class, chosen by hand.
  const other = (predicted! + 1) % 4;
  await page.getByTestId('explain-class').selectOption(String(other));
  await expect(caption).toContainText(`Saliency for class ${classes[other]} · predicted ${said}`);

  // A conv channel's favourite input, in the node's large view.
  await node(page, 'c1').getByTestId('node-map-open').click();
  const detail = page.getByTestId('node-detail');
  const fav = detail.getByTestId('favourite-input');
  await expect(fav).toBeVisible();
  // A channel that responds near grey (an untrained ReLU channel may stay off: the view says so).
  let m: RegExpMatchArray | null = null;
  for (let ch = 0; ch < 6 && !m; ch++) {
    await fav.getByTestId('favourite-channel').fill(String(ch));
    await fav.getByTestId('favourite-find').click();
    await expect(fav.getByTestId('favourite-image')).toBeVisible({ timeout: 30_000 });
    await expect(fav.getByTestId('favourite-image')).toContainText(`channel ${ch}`);
    await expect(fav.getByTestId('favourite-find')).toBeEnabled({ timeout: 30_000 });
    const numbers = fav.getByTestId('favourite-numbers');
    await expect(numbers).toContainText(/went from -?[\d.]+ on the starting noise to -?[\d.]+|gives 0 for every image/);
    m = (await numbers.textContent())!.match(/went from (-?\d+(?:\.\d+)?) on the starting noise to (-?\d+(?:\.\d+)?)/);
  }
  expect(m, 'some channel of c1 responds').not.toBeNull();
  expect(Number(m![2])).toBeGreaterThan(Number(m![1]));
  // The image is a picture, not one flat grey.
  const spread = await fav.getByTestId('favourite-image').locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let lo = 255;
    let hi = 0;
    for (let i = 0; i < d.length; i += 4) {
      lo = Math.min(lo, d[i]!);
      hi = Math.max(hi, d[i]!);
    }
    return hi - lo;
  });
  expect(spread).toBeGreaterThan(40);
  await expectAccessible(page, 'the node view with a favourite input');
  expect(errors).toEqual([]);
});
