/**
 * The kernel lab in Chromium, with the real mouse and keyboard: a preset and an edited cell change
 * the output image; hovering an output pixel highlights its window on the input and writes out the
 * weighted sum, whose result is the value shown for that pixel and the colour painted there; a
 * colour photo stays in colour; and a learned kernel of LeNet-5's first convolution opens from the
 * node's large view as a 5×5 kernel whose weights are the ones pictured there.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createRequire } from 'node:module';
import { divergingColor } from '../src/labs/convolve';
import { node, openApp } from './helpers';
import { encodeRgbPng } from './png';

// Loading MNIST's test set in the worker takes a while on a busy 2-core machine.
test.setTimeout(180_000);

/** Opens the app on WASM, the Probe tab (which loads MNIST's test set) and waits for a prediction. */
async function openProbe(page: Page) {
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-probe').click();
  await expect(page.getByTestId('probe-prediction').locator('li')).toHaveCount(10, { timeout: 120_000 });
  return errors;
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical WCAG 2.1 A/AA violations on the page (as a11y.spec.ts checks every dialog). */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const axe = (window as any).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return result.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(' ')).join(', ')})`);
  });
}

/** A canvas' pixels (RGBA) with its size. */
const pixels = (canvas: Locator) =>
  canvas.evaluate((c: HTMLCanvasElement) => ({ w: c.width, h: c.height, data: Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data) }));

/** "−0.75" → -0.75 (the app writes a real minus sign). */
const num = (s: string) => Number(s.trim().replace(/−/g, '-'));

test('the kernel lab: presets and edits change the output, and an output pixel explains itself', async ({ page }) => {
  const errors = await openProbe(page);
  await page.getByRole('button', { name: 'Open the kernel lab' }).click();
  const lab = page.getByTestId('kernel-lab');
  await expect(lab).toBeVisible();
  await expect(lab.getByRole('heading', { name: 'Kernel lab' })).toBeVisible();
  // Test image 0 of MNIST, the identity kernel: the output is the image (28×28).
  await expect(lab.getByTestId('kl-source')).toHaveValue('test');
  await expect(lab.getByTestId('kl-preset')).toHaveValue('identity');
  const out = lab.getByTestId('kl-output');
  await expect.poll(async () => (await pixels(out)).w).toBe(28);
  await expect.poll(async () => (await pixels(out)).data.some((v) => v !== 255)).toBe(true); // the digit is drawn
  const identity = await pixels(out);
  await expect(out).toHaveCSS('image-rendering', 'pixelated');

  // A preset: Sobel x. The output changes, and so does the description.
  await lab.getByTestId('kl-preset').selectOption('sobel-x');
  await expect.poll(async () => (await pixels(out)).data).not.toEqual(identity.data);
  await expect(lab.getByTestId('kl-preset-text')).toContainText('vertical edges');
  await expect(lab.getByTestId('kl-cell-1-0')).toHaveValue('-2');
  const sobel = await pixels(out);

  // Edit one cell by typing: the output changes and the preset becomes "your own".
  await lab.getByTestId('kl-cell-1-1').fill('3');
  await expect.poll(async () => (await pixels(out)).data).not.toEqual(sobel.data);
  await expect(lab.getByTestId('kl-preset')).toHaveValue('custom');
  // Arrow keys move between the cells.
  await lab.getByTestId('kl-cell-1-1').press('ArrowRight');
  await expect(lab.getByTestId('kl-cell-1-2')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(lab.getByTestId('kl-cell-2-2')).toBeFocused();

  // Hover a non-zero output pixel near the middle (found from the painted output).
  const now = await pixels(out);
  let target = { x: 14, y: 14 };
  let best = Infinity;
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const i = (y * 28 + x) * 4;
      const white = now.data[i] === 255 && now.data[i + 1] === 255 && now.data[i + 2] === 255;
      const d = Math.hypot(x - 14, y - 12);
      if (!white && d < best && x > 1 && y > 1 && x < 26 && y < 26) {
        best = d;
        target = { x, y };
      }
    }
  const box = (await lab.getByTestId('kl-output-box').boundingBox())!;
  await page.mouse.move(box.x + ((target.x + 0.5) / 28) * box.width, box.y + ((target.y + 0.5) / 28) * box.height);
  const sum = lab.getByTestId('kl-sum');
  await expect(sum).toBeVisible();
  await expect(lab.getByTestId('kl-sum-box')).toContainText(`row ${target.y + 1}, column ${target.x + 1}`);
  const text = (await sum.textContent())!;
  const shown = num((await lab.getByTestId('kl-pixel-value').textContent())!);
  // "a×b + … + bias 0 = v": nine terms, the result is the value shown for the pixel…
  const [lhs, rhs] = text.split(' = ');
  expect(num(rhs!)).toBe(shown);
  const terms = lhs!.split(' + ').filter((t) => t.includes('×'));
  expect(terms).toHaveLength(9);
  // …and the written terms add up to it (the inputs are written with 2 decimals: a small tolerance).
  const recomputed = terms.reduce((s, t) => {
    const [a, b] = t.split('×');
    return s + num(a!) * num(b!.replace(/[()]/g, ''));
  }, 0);
  expect(Math.abs(recomputed - shown)).toBeLessThan(0.05);
  expect(shown).not.toBe(0);
  // The weights in the text are the kernel's: Sobel x with a 3 in the centre.
  expect(terms.map((t) => num(t.split('×')[1]!.replace(/[()]/g, '')))).toEqual([-1, 0, 1, -2, 3, 2, -1, 0, 1]);
  // The colour painted at that pixel is the value's colour on the legend's scale.
  const bound = Number(await out.getAttribute('data-bound'));
  expect(num((await lab.getByTestId('kl-legend-max').textContent())!.replace('positive', ''))).toBeCloseTo(bound, 1);
  const i = (target.y * 28 + target.x) * 4;
  const expected = divergingColor(shown, bound);
  for (let c = 0; c < 3; c++) expect(Math.abs(now.data[i + c]! - expected[c]!)).toBeLessThanOrEqual(3);
  // The window is highlighted on the input: 3×3 pixels of 28, centred on the pixel.
  const win = (await lab.getByTestId('kl-window').boundingBox())!;
  const inBox = (await lab.getByTestId('kl-input').boundingBox())!;
  expect(win.width).toBeCloseTo((3 / 28) * inBox.width, 0);
  expect(win.x - inBox.x).toBeCloseTo(((target.x - 1) / 28) * inBox.width, 0);
  expect(win.y - inBox.y).toBeCloseTo(((target.y - 1) / 28) * inBox.height, 0);
  // The window's cells are lit in the kernel grid.
  await expect(lab.locator('.kl-cell.lit')).toHaveCount(9);

  if (process.env.LAYOUT_SHOTS) await lab.screenshot({ path: `${process.env.LAYOUT_SHOTS}/kernel-lab.png` });

  expect(await axeViolations(page)).toEqual([]);

  // The keyboard: focus the output, move right: the next pixel.
  await lab.getByTestId('kl-output-box').focus();
  await page.keyboard.press('ArrowRight');
  await expect(lab.getByTestId('kl-sum-box')).toContainText(/row \d+, column \d+/);
  const before = await lab.getByTestId('kl-sum-box').textContent();
  await page.keyboard.press('ArrowRight');
  await expect(lab.getByTestId('kl-sum-box')).not.toHaveText(before!);

  // Bias and ReLU: with a large negative bias and ReLU everything is 0 (white).
  await lab.getByTestId('kl-bias').fill('-100');
  await lab.getByTestId('kl-relu').check();
  await expect.poll(async () => (await pixels(out)).data.every((v) => v === 255)).toBe(true);
  await expect(lab.getByTestId('kl-range')).toContainText('Output from 0.00 to 0.00');

  // A size change pads with zeros: 5×5, the old weights in the middle.
  await lab.getByTestId('kl-size').selectOption('5');
  await expect(lab.locator('.kl-cell')).toHaveCount(25);
  await expect(lab.getByTestId('kl-cell-2-2')).toHaveValue('3');
  await expect(lab.getByTestId('kl-cell-0-0')).toHaveValue('0');

  await page.keyboard.press('Escape');
  await expect(lab).toHaveCount(0);
  // Opened again, the lab goes on with the learner's kernel.
  await page.getByTestId('kernel-lab-open').click();
  await expect(lab.locator('.kl-cell')).toHaveCount(25);
  await expect(lab.getByTestId('kl-cell-2-2')).toHaveValue('3');
  await expect(lab.getByTestId('kl-bias')).toHaveValue('-100');
  expect(errors).toEqual([]);
});

test('a photo stays in colour in the kernel lab', async ({ page }) => {
  const errors = await openProbe(page);
  await page.getByTestId('kernel-lab-open').click();
  const lab = page.getByTestId('kernel-lab');
  await lab.getByTestId('kl-source').selectOption('photo');
  // 40×20: left half red, right half blue.
  const rgb = new Uint8Array(40 * 20 * 3);
  for (let p = 0; p < 40 * 20; p++) rgb.set(p % 40 < 20 ? [255, 0, 0] : [0, 0, 255], p * 3);
  await lab.getByTestId('kl-photo').setInputFiles({ name: 'flag.png', mimeType: 'image/png', buffer: encodeRgbPng(40, 20, rgb) });
  const input = lab.getByTestId('kl-input');
  await expect.poll(async () => (await pixels(input)).w).toBe(40);
  const px = await pixels(input);
  expect(px.data.slice((5 * 40 + 5) * 4, (5 * 40 + 5) * 4 + 3)).toEqual([255, 0, 0]);
  expect(px.data.slice((5 * 40 + 35) * 4, (5 * 40 + 35) * 4 + 3)).toEqual([0, 0, 255]);
  // The signed view looks at one channel: red is 1 on the left, 0 on the right (identity kernel).
  await lab.getByTestId('kl-channel').selectOption('0');
  const out = lab.getByTestId('kl-output');
  await expect.poll(async () => (await pixels(out)).data.slice((5 * 40 + 5) * 4, (5 * 40 + 5) * 4 + 3)).toEqual(divergingColor(1, 1));
  expect((await pixels(out)).data.slice((5 * 40 + 35) * 4, (5 * 40 + 35) * 4 + 3)).toEqual([255, 255, 255]);
  // As a picture: the filtered photo in colour.
  await lab.getByTestId('kl-view').selectOption('picture');
  await expect.poll(async () => (await pixels(out)).data.slice((5 * 40 + 35) * 4, (5 * 40 + 35) * 4 + 3)).toEqual([0, 0, 255]);
  if (process.env.LAYOUT_SHOTS) await lab.screenshot({ path: `${process.env.LAYOUT_SHOTS}/kernel-lab-photo.png` });
  expect(errors).toEqual([]);
});

test('a learned kernel of a Conv 2D node opens in the kernel lab from the node’s large view', async ({ page }) => {
  const errors = await openProbe(page);
  await node(page, 'c1').getByTestId('node-map-open').click();
  const detail = page.getByTestId('node-detail');
  await expect(detail.getByTestId('node-kernels')).toBeVisible();
  await expect(detail.getByTestId('kl-learned-channel').locator('option')).toHaveCount(1); // MNIST: one input channel
  await expect(detail.getByTestId('kl-learned-filter').locator('option')).toHaveCount(6);
  await detail.getByTestId('kl-open-learned-button').click();
  const lab = page.getByTestId('kernel-lab');
  await expect(lab.getByRole('heading')).toHaveText('Kernel lab: c1, filter 1, input channel 1');
  await expect(lab.getByTestId('kl-size')).toHaveValue('5');
  await expect(lab.locator('.kl-cell')).toHaveCount(25);
  await expect(lab.getByTestId('kl-source')).toHaveValue('probe');
  await expect(lab.getByTestId('kl-learned')).toContainText('Filter 1 of c1');
  await expect(lab.getByTestId('kl-learned')).toContainText('switch ReLU on'); // c1 is a relu layer

  // The weights are the ones pictured in the node's view: tile 0 of the kernel picture is this
  // filter (one input channel: no averaging), coloured by value — so ordering the 25 cells by their
  // weight orders the tile's pixels from blue to red, and the signs agree.
  const weights = await lab.locator('.kl-cell').evaluateAll((els) => els.map((e) => Number((e as HTMLInputElement).value)));
  expect(new Set(weights).size).toBeGreaterThan(5); // real, varied weights
  const pic = await pixels(detail.getByTestId('kernel-canvas'));
  const redness = weights.map((_, t) => {
    const i = (Math.floor(t / 5) * pic.w + (t % 5)) * 4;
    return pic.data[i]! - pic.data[i + 2]!; // red minus blue: grows with the weight
  });
  const order = weights.map((w, t) => [w, redness[t]!] as const).sort((a, b) => a[0] - b[0]);
  for (let k = 1; k < order.length; k++) expect(order[k]![1]).toBeGreaterThanOrEqual(order[k - 1]![1] - 2);
  weights.forEach((w, t) => {
    if (Math.abs(w) > 0.02) expect(Math.sign(redness[t]!)).toBe(Math.sign(w));
  });
  if (process.env.LAYOUT_SHOTS) await page.screenshot({ path: `${process.env.LAYOUT_SHOTS}/kernel-lab-learned.png` });
  expect(await axeViolations(page)).toEqual([]);
  // The lab's input is the probe image (MNIST test image 0), and the output is computed from it.
  await expect.poll(async () => (await pixels(lab.getByTestId('kl-input'))).w).toBe(28);
  await page.keyboard.press('Escape');
  await expect(lab).toHaveCount(0);

  // Clicking a filter's tile opens that filter: tile 3 (of 6, 3 per row) is in the first row, third column.
  const canvas = detail.getByTestId('kernel-canvas');
  const cb = (await canvas.boundingBox())!;
  await page.mouse.click(cb.x + (14.5 / pic.w) * cb.width, cb.y + (2.5 / pic.h) * cb.height);
  await expect(page.getByTestId('kernel-lab').getByRole('heading')).toHaveText('Kernel lab: c1, filter 3, input channel 1');
  await page.keyboard.press('Escape');

  // A deeper convolution: c3 sees S2's feature maps; the lab offers the map it really sees.
  await page.keyboard.press('Escape');
  await expect(detail).toHaveCount(0);
  await node(page, 'c3').getByTestId('node-map-open').click();
  await detail.getByTestId('kl-learned-filter').selectOption('4');
  await detail.getByTestId('kl-learned-channel').selectOption('2');
  await detail.getByTestId('kl-open-learned-button').click();
  await expect(lab.getByRole('heading')).toHaveText('Kernel lab: c3, filter 5, input channel 3');
  await expect(lab.getByTestId('kl-source')).toHaveValue('map');
  await expect(lab.getByTestId('kl-learned')).toContainText('does not see the image');
  await expect.poll(async () => (await pixels(lab.getByTestId('kl-input'))).w).toBe(14); // S2's 14×14 map
  if (process.env.LAYOUT_SHOTS) await lab.screenshot({ path: `${process.env.LAYOUT_SHOTS}/kernel-lab-map.png` });
  await lab.getByTestId('kl-source').selectOption('probe');
  await expect.poll(async () => (await pixels(lab.getByTestId('kl-input'))).w).toBe(28);
  expect(errors).toEqual([]);
});
