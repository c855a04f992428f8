/**
 * A node's large view on LeNet-5 (untrained weights, WASM): hovering an output position shows its
 * receptive field on the probe image and the node's own arithmetic. The numbers on the page must
 * add up: the products to the sum, the sum plus the bias to the value before the activation, and
 * after ReLU to the value the network computed. The field is 5×5 for the first convolution and
 * 14×14 for the second (after a 2×2 pooling); max pooling marks the maximum it chose.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { node, openApp } from './helpers';

// Loading MNIST's test set in the worker takes a while on a busy 2-core machine.
test.setTimeout(180_000);

const num = async (l: Locator) => Number((await l.innerText()).trim());

/** Moves the mouse to bitmap point (bx, by) of a canvas drawn with object-fit: contain. */
async function hoverBitmap(page: Page, canvas: Locator, bx: number, by: number) {
  const p = await canvas.evaluate(
    (c: HTMLCanvasElement, [x, y]) => {
      const r = c.getBoundingClientRect();
      const scale = Math.min(r.width / c.width, r.height / c.height);
      return { x: r.left + (r.width - c.width * scale) / 2 + x! * scale, y: r.top + (r.height - c.height * scale) / 2 + y! * scale };
    },
    [bx, by],
  );
  await page.mouse.move(p.x, p.y);
}

/** Hovers position (y, x) of channel `channel` in the large view's grid (cols channels per row, tiles tile×tile, 1 px gaps). */
async function hoverMap(page: Page, detail: Locator, grid: { cols: number; tile: number }, channel: number, y: number, x: number) {
  const bx = (channel % grid.cols) * (grid.tile + 1) + x + 0.5;
  const by = Math.floor(channel / grid.cols) * (grid.tile + 1) + y + 0.5;
  await hoverBitmap(page, detail.getByTestId('nw-map').locator('canvas'), bx, by);
}

/** Pixels of the receptive-field picture drawn warm (red above blue): the highlighted ones. */
const warmPixels = (detail: Locator) =>
  detail.getByTestId('nw-rf-canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i]! > d[i + 2]!) n++;
    return n;
  });

async function openDetail(page: Page, id: string) {
  await node(page, id).getByTestId('node-map-open').click();
  const detail = page.getByTestId('node-detail');
  await expect(detail.getByTestId('nw-map').locator('canvas')).toBeVisible();
  return detail;
}

test('hovering a conv output shows its window, the products and sum, and its receptive field; max pooling marks its max', async ({ page }) => {
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-probe').click();
  await expect(page.getByTestId('probe-prediction').locator('li')).toHaveCount(10, { timeout: 90_000 });

  // c1: 28×28×6, 5×5 'same'. Six channels tile as 3 columns of 28×28.
  let detail = await openDetail(page, 'c1');
  await hoverMap(page, detail, { cols: 3, tile: 28 }, 4, 12, 9);
  await expect(detail.getByTestId('nw-where')).toHaveText('c1, row 12, column 9, channel 5');
  await expect(detail.getByTestId('nw-marker')).toBeVisible();
  const rf = detail.getByTestId('nw-rf');
  await expect(rf).toHaveAttribute('data-rows', '5');
  await expect(rf).toHaveAttribute('data-cols', '5');
  await expect(rf).toHaveAttribute('data-count', '25');
  await expect(detail.getByTestId('nw-rf-size')).toContainText('5×5 (25 of 784 pixels)');
  await expect.poll(() => warmPixels(detail)).toBe(25);

  // The arithmetic: one input channel, its 25 products (value × weight) shown.
  const arith = detail.getByTestId('nw-arith');
  await expect(arith).toHaveAttribute('data-op', 'conv');
  const cells = arith.getByTestId('nw-grid').locator('.nw-cell');
  await expect(cells).toHaveCount(25);
  const products = await cells.evaluateAll((els) => els.map((e) => e.textContent!.split('×').map(Number)));
  const sum = await num(detail.getByTestId('nw-sum'));
  const bias = await num(detail.getByTestId('nw-bias'));
  const pre = await num(detail.getByTestId('nw-pre'));
  const result = await num(detail.getByTestId('nw-result'));
  const value = await num(detail.getByTestId('nw-value'));
  const fromCells = products.reduce((a, [v, w]) => a + v! * w!, 0);
  expect(Math.abs(fromCells - sum)).toBeLessThan(0.03); // each factor is rounded to 3 decimals
  expect(await num(detail.getByTestId('nw-channel-sum'))).toBeCloseTo(sum, 3);
  expect(pre).toBeCloseTo(sum + bias, 2);
  expect(result).toBeCloseTo(Math.max(0, pre), 3); // c1 applies ReLU
  expect(value).toBeCloseTo(result, 3); // what the network computed
  await expect(detail.getByTestId('nw-equation')).toContainText('ReLU');
  if (process.env.LAYOUT_SHOTS) await detail.screenshot({ path: `${process.env.LAYOUT_SHOTS}/node-window-conv1.png` });

  // The keyboard moves the position too.
  await detail.getByTestId('nw-map').focus();
  await page.keyboard.press('ArrowRight');
  await expect(detail.getByTestId('nw-where')).toHaveText('c1, row 12, column 10, channel 5');
  // At the corner, 'same' padding: the field is clipped to 3×3 and the window shows padding.
  for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowUp');
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowLeft');
  await expect(detail.getByTestId('nw-where')).toHaveText('c1, row 0, column 0, channel 5');
  await expect(rf).toHaveAttribute('data-count', '9');
  await expect(arith.locator('.nw-cell.pad')).toHaveCount(16);
  if (process.env.LAYOUT_SHOTS) await detail.screenshot({ path: `${process.env.LAYOUT_SHOTS}/node-window-corner.png` });
  await page.keyboard.press('Escape');

  // c3: 10×10×16, 5×5 'valid' after 2×2 pooling: a 14×14 field, 6 input channels summed.
  detail = await openDetail(page, 'c3');
  await hoverMap(page, detail, { cols: 4, tile: 10 }, 0, 4, 5);
  await expect(detail.getByTestId('nw-where')).toHaveText('c3, row 4, column 5, channel 1');
  await expect(detail.getByTestId('nw-rf')).toHaveAttribute('data-rows', '14');
  await expect(detail.getByTestId('nw-rf')).toHaveAttribute('data-cols', '14');
  await expect.poll(() => warmPixels(detail)).toBe(196);
  const sums = await detail.getByTestId('nw-channel-sum').evaluateAll((els) => els.map((e) => Number(e.textContent)));
  expect(sums).toHaveLength(6);
  const sum3 = await num(detail.getByTestId('nw-sum'));
  expect(sums.reduce((a, b) => a + b, 0)).toBeCloseTo(sum3, 2);
  const pre3 = await num(detail.getByTestId('nw-pre'));
  expect(pre3).toBeCloseTo(sum3 + (await num(detail.getByTestId('nw-bias'))), 2);
  expect(await num(detail.getByTestId('nw-value'))).toBeCloseTo(Math.max(0, pre3), 2);
  // Expanding a channel shows its 25 products.
  await detail.locator('.nw-expand').nth(2).click();
  await expect(detail.getByTestId('nw-grid').locator('.nw-cell')).toHaveCount(25);
  if (process.env.LAYOUT_SHOTS) await detail.screenshot({ path: `${process.env.LAYOUT_SHOTS}/node-window-conv3.png` });
  await page.keyboard.press('Escape');

  // s2: max pooling 2×2 of c1: the chosen maximum is marked and is the output.
  detail = await openDetail(page, 's2');
  await hoverMap(page, detail, { cols: 3, tile: 14 }, 1, 6, 4);
  await expect(detail.getByTestId('nw-arith')).toHaveAttribute('data-op', 'max');
  await expect(detail.getByTestId('nw-max')).toHaveCount(1);
  const windowValues = await detail.getByTestId('nw-grid').locator('.nw-cell').evaluateAll((els) => els.map((e) => Number(e.textContent)));
  expect(windowValues).toHaveLength(4);
  const chosen = await num(detail.getByTestId('nw-max'));
  expect(chosen).toBe(Math.max(...windowValues));
  expect(await num(detail.getByTestId('nw-result'))).toBe(chosen);
  expect(await num(detail.getByTestId('nw-value'))).toBeCloseTo(chosen, 3);
  await expect(detail.getByTestId('nw-rf')).toHaveAttribute('data-rows', '6'); // 2×2 pool of 5×5 windows
  if (process.env.LAYOUT_SHOTS) await detail.screenshot({ path: `${process.env.LAYOUT_SHOTS}/node-window-maxpool.png` });
  await page.keyboard.press('Escape');

  // Flatten: an entry of the vector comes from (row, column, channel) of s4 (5×5×16).
  detail = await openDetail(page, 'flatten');
  // 400 entries drawn 2 bitmap pixels each.
  await hoverBitmap(page, detail.getByTestId('nw-map').locator('canvas'), 37.5 * 2, 16);
  const flat = detail.getByTestId('nw-flatten');
  await expect(flat).toBeVisible();
  const [y, x, c] = await Promise.all(['data-y', 'data-x', 'data-channel'].map(async (a) => Number(await flat.getAttribute(a))));
  expect((y! * 5 + x!) * 16 + c!).toBe(37);
  await expect(flat).toContainText('= 37.');
  await expect.poll(() => warmPixels(detail)).toBeGreaterThan(100);
  if (process.env.LAYOUT_SHOTS) await detail.screenshot({ path: `${process.env.LAYOUT_SHOTS}/node-window-flatten.png` });
  expect(errors).toEqual([]);
});
