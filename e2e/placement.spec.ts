/**
 * Where new nodes land, how the canvas reads when zoomed out, how the wheel zooms, and select-all
 * on a big graph — with the real mouse and keyboard in real Chromium (issue 9, "Placement and
 * legibility"). Functional checks only: how fast these are is measured by `npm run bench`.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { dragFromPalette, dropGraphFile, newGraph, node, openApp, viewSettled } from './helpers';

type Box = { x: number; y: number; width: number; height: number };

async function box(locator: Locator): Promise<Box> {
  const b = await locator.boundingBox();
  if (!b) throw new Error('element has no box (not visible?)');
  return b;
}
const centreOf = (b: Box) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
const inside = (b: Box, outer: Box) => b.x >= outer.x - 0.5 && b.y >= outer.y - 0.5 && b.x + b.width <= outer.x + outer.width + 0.5 && b.y + b.height <= outer.y + outer.height + 0.5;
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The canvas' zoom, read from the transform Rete puts on the graph. */
const zoomOf = (page: Page) =>
  page.evaluate(() => {
    const holder = document.querySelector<HTMLElement>('[data-testid="canvas"] > div')!;
    return Number(/scale\(([\d.e-]+)\)/.exec(holder.style.transform)?.[1] ?? NaN);
  });

/** A point on the empty canvas background (page px). */
async function backgroundPoint(page: Page) {
  const p = await page.evaluate(() => {
    const canvas = document.querySelector('[data-testid="canvas"]')!;
    const c = canvas.getBoundingClientRect();
    for (let y = c.top + 40; y < c.bottom - 40; y += 15)
      for (let x = c.left + 40; x < c.right - 200; x += 15) {
        const hit = document.elementFromPoint(x, y);
        if (hit === canvas) return { x, y };
      }
    return null;
  });
  if (!p) throw new Error('no empty background on the canvas');
  return p;
}

test('a layer dropped from the palette is centred on the drop point', async ({ page }) => {
  const errors = await openApp(page);
  await newGraph(page);
  const canvas = await box(page.getByTestId('canvas'));
  await dragFromPalette(page, 'conv2d', 420, 300);
  const want = { x: canvas.x + 420, y: canvas.y + 300 };
  // The node is drawn, measured and re-centred in the same step: its centre ends on the drop point.
  await expect.poll(async () => {
    const c = centreOf(await box(node(page, 'conv2d_1')));
    return Math.max(Math.abs(c.x - want.x), Math.abs(c.y - want.y));
  }).toBeLessThanOrEqual(3);

  // One undo step removes it (placing and centring it are one step).
  await page.keyboard.press('Control+z');
  await expect(node(page, 'conv2d_1')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a layer added by double-clicking next to the minimap lands wholly in the free canvas', async ({ page }) => {
  const errors = await openApp(page);
  const canvasEl = page.getByTestId('canvas');
  const canvas = await box(canvasEl);
  const minimap = await box(page.getByTestId('minimap'));
  const side = await box(page.locator('.ll-side'));
  const palette = await box(page.getByTestId('palette'));
  // Right of the minimap, 12 px from the canvas' right and bottom edges: the node, centred there,
  // would hang over the side panel and the totals bar and sit on the minimap.
  await canvasEl.dblclick({ position: { x: canvas.width - 12, y: canvas.height - 12 } });
  await page.getByTestId('quick-add-search').fill('dense');
  await page.getByTestId('quick-add-search').press('Enter');
  const added = node(page, 'dense_1');
  await expect(added).toBeVisible();
  await expect.poll(async () => inside(await box(added), canvas)).toBe(true);
  const b = await box(added);
  expect(overlap(b, minimap)).toBe(false);
  expect(overlap(b, side)).toBe(false);
  expect(overlap(b, palette)).toBe(false);

  // Double-clicking the canvas adds, it does not zoom as well.
  const k = await zoomOf(page);
  const bg = await backgroundPoint(page);
  await page.mouse.dblclick(bg.x, bg.y);
  await expect(page.getByTestId('quick-add')).toBeVisible();
  await page.keyboard.press('Escape');
  expect(await zoomOf(page)).toBeCloseTo(k, 6);
  expect(errors).toEqual([]);
});

test('layers added at the centre fan out instead of stacking, inside the free canvas', async ({ page }) => {
  const errors = await openApp(page);
  await newGraph(page);
  const canvas = await box(page.getByTestId('canvas'));
  const minimap = await box(page.getByTestId('minimap'));
  await page.getByTestId('palette-item-dense').dblclick();
  await page.getByTestId('palette-item-dense').dblclick();
  const a = node(page, 'dense_1');
  const b = node(page, 'dense_2');
  await expect(b).toBeVisible();
  await expect.poll(async () => {
    const [ba, bb] = [await box(a), await box(b)];
    return Math.hypot(ba.x - bb.x, ba.y - bb.y);
  }).toBeGreaterThan(20);
  for (const n of [a, b]) {
    const nb = await box(n);
    expect(inside(nb, canvas)).toBe(true);
    expect(overlap(nb, minimap)).toBe(false);
  }
  // Around the centre of the canvas (where the Input node already is: moved off it, and off each other).
  const centres = await Promise.all([node(page, 'image'), a, b].map(async (n) => centreOf(await box(n))));
  for (const c of centres.slice(1)) expect(Math.hypot(c.x - (canvas.x + canvas.width / 2), c.y - (canvas.y + canvas.height / 2))).toBeLessThan(150);
  for (let i = 0; i < centres.length; i++)
    for (let j = i + 1; j < centres.length; j++) expect(Math.hypot(centres[i]!.x - centres[j]!.x, centres[i]!.y - centres[j]!.y)).toBeGreaterThan(20);
  expect(errors).toEqual([]);
});

test('a layer added from a dropped wire is centred on the wire end', async ({ page }) => {
  await openApp(page);
  const socket = node(page, 'flatten').locator('[data-testid="output-out"] [data-testid="output-socket"]');
  const s = centreOf(await box(socket));
  const end = { x: s.x + 60, y: s.y + 180 };
  await page.mouse.move(s.x, s.y);
  await page.mouse.down();
  await page.mouse.move(end.x, end.y, { steps: 8 });
  await page.mouse.up();
  await page.getByTestId('quick-add').getByTestId('quick-add-item-dropout').click();
  await expect.poll(async () => {
    const c = centreOf(await box(node(page, 'dropout_1')));
    return Math.max(Math.abs(c.x - end.x), Math.abs(c.y - end.y));
  }).toBeLessThanOrEqual(3);
  await expect(page.locator('[data-testid="connection"]')).toHaveCount(9);
});

test('ResNet-mini without blocks (38 nodes) opens with readable titles', async ({ page }) => {
  await openApp(page);
  await dropGraphFile(page, 'fixtures/resnet-mini-flat.json', 38);
  await page.waitForTimeout(200);
  // Every title on screen, as drawn (the compact face's when zoomed out), in CSS px on the screen.
  const sizes = await page.evaluate(() => {
    const canvas = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect();
    const out: { id: string; px: number; text: string }[] = [];
    for (const n of document.querySelectorAll<HTMLElement>('[data-testid="node"]')) {
      const r = n.getBoundingClientRect();
      if (r.right < canvas.left || r.left > canvas.right || r.bottom < canvas.top || r.top > canvas.bottom) continue;
      const lod = n.querySelector<HTMLElement>('[data-testid="node-lod"]')!;
      const title = getComputedStyle(lod).display !== 'none' ? lod.querySelector<HTMLElement>('.ll-node-lod-title')! : n.querySelector<HTMLElement>('[data-testid="title"]')!;
      const scale = n.getBoundingClientRect().width / n.offsetWidth;
      out.push({ id: n.dataset.nodeId!, px: parseFloat(getComputedStyle(title).fontSize) * scale, text: title.textContent ?? '' });
    }
    return out;
  });
  expect(sizes.length).toBeGreaterThanOrEqual(5);
  for (const s of sizes) {
    expect(s.text.length, s.id).toBeGreaterThan(0);
    expect(s.px, `title of ${s.id} on screen`).toBeGreaterThanOrEqual(11);
  }
  // Fit (F) keeps them readable too.
  await page.keyboard.press('f');
  await expect.poll(() => zoomOf(page)).toBeGreaterThanOrEqual(0.44);
});

test('one wheel notch zooms a noticeable step, a small trackpad scroll a little', async ({ page }) => {
  await openApp(page);
  const bg = await backgroundPoint(page);
  await page.mouse.move(bg.x, bg.y);
  const k0 = await zoomOf(page);
  await page.mouse.wheel(0, -100); // one notch, towards the screen: zoom in
  await expect.poll(() => zoomOf(page)).toBeGreaterThanOrEqual(k0 * 1.08);
  const k1 = await zoomOf(page);
  expect(k1 / k0).toBeLessThan(1.3);
  await page.mouse.wheel(0, 100); // one notch back: the same step out
  await expect.poll(async () => Math.abs((await zoomOf(page)) / k0 - 1)).toBeLessThan(0.01);
  const k2 = await zoomOf(page);
  await page.mouse.wheel(0, 8); // a trackpad's few pixels: a proportionally small step
  await expect.poll(() => zoomOf(page)).toBeLessThan(k2);
  const k3 = await zoomOf(page);
  expect(k2 / k3).toBeLessThan(1.03);
});

test('Ctrl+A selects all 177 nodes of ResNet-50 (flat, without blocks), Escape clears them', async ({ page }) => {
  await openApp(page);
  await dropGraphFile(page, 'fixtures/resnet50-flat.json', 177);
  await page.mouse.move(5, 5);
  await page.keyboard.press('Control+a');
  await expect(page.locator('[data-testid="node"].selected')).toHaveCount(177);
  await page.keyboard.press('Escape');
  await expect(page.locator('[data-testid="node"].selected')).toHaveCount(0);
  // A click still selects one node, and Ctrl+click adds another.
  await node(page, 'conv1_conv').locator('.ll-node-header').click();
  await expect(page.locator('[data-testid="node"].selected')).toHaveCount(1);
  await node(page, 'conv1_bn').locator('.ll-node-header').click({ modifiers: ['Control'] });
  await expect(page.locator('[data-testid="node"].selected')).toHaveCount(2);
});
