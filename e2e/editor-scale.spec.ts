/**
 * A big graph (the flat ResNet-50, 177 nodes) opens with only the nodes near the view drawn in full; every
 * other node is there with a light face (title, id, output shape, selection) and is drawn in full,
 * with its sockets, controls and wires, once a pan or a zoom brings it near.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { node, openApp, viewSettled } from './helpers';

/** The flat ResNet-50 (177 nodes, no blocks), opened as a file the way a person opens one. */
const RESNET_FLAT = readFileSync(new URL('../fixtures/resnet50-flat.json', import.meta.url));

async function openResNet(page: Page) {
  const errors = await openApp(page);
  await page.getByTestId('open-file').setInputFiles({ name: 'resnet50-flat.json', mimeType: 'application/json', buffer: RESNET_FLAT });
  await expect(page.locator('[data-testid="node"]')).toHaveCount(177);
  await viewSettled(page);
  return errors;
}

/** A point on the empty canvas background (page px). */
async function backgroundPoint(page: Page) {
  const p = await page.evaluate(() => {
    const canvas = document.querySelector('[data-testid="canvas"]')!;
    const c = canvas.getBoundingClientRect();
    for (let y = c.top + c.height / 2 - 200; y < c.bottom - 60; y += 13)
      for (let x = c.left + c.width / 2 - 300; x < c.right - 220; x += 13) {
        const hit = document.elementFromPoint(x, y);
        if (hit === canvas) return { x, y };
      }
    return null;
  });
  expect(p, 'an empty spot on the canvas').not.toBeNull();
  return p!;
}

/** Pans the view with the mouse (drags on the background) until node `id` sits in the middle of the canvas. */
async function panTo(page: Page, id: string) {
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  for (let i = 0; i < 40; i++) {
    const b = (await node(page, id).boundingBox())!;
    const dx = canvas.x + canvas.width / 2 - (b.x + b.width / 2);
    const dy = canvas.y + canvas.height / 2 - (b.y + b.height / 2);
    if (Math.abs(dx) < 150 && Math.abs(dy) < 150) return;
    const bg = await backgroundPoint(page);
    const step = (d: number) => Math.max(-250, Math.min(250, d));
    await page.mouse.move(bg.x, bg.y);
    await page.mouse.down();
    await page.mouse.move(bg.x + step(dx), bg.y + step(dy), { steps: 6 });
    await page.mouse.up();
  }
  throw new Error(`could not pan ${id} into view`);
}

const fullFaces = (page: Page) => page.locator('[data-testid="node"][data-face="full"]').count();

test('ResNet-50 opens with far nodes light; panned into view they are drawn in full, wired and editable', async ({ page }) => {
  const errors = await openResNet(page);
  // The start is drawn in full: sockets and controls.
  await expect(node(page, 'conv1_conv')).toHaveAttribute('data-face', 'full');
  await expect(node(page, 'conv1_conv').getByTestId('output-socket')).toHaveCount(1);
  // The minimap, drawn once the nodes in view are, shows every node.
  await expect(page.locator('[data-testid="minimap-node"]')).toHaveCount(177);
  const atStart = await fullFaces(page);
  expect(atStart).toBeGreaterThan(5);
  expect(atStart).toBeLessThan(177);

  // The last node is far: drawn light, yet it shows its title and output shape.
  const far = node(page, 'predictions');
  await expect(far).not.toHaveAttribute('data-face', 'full');
  await expect(far.getByTestId('input-socket')).toHaveCount(0);
  await expect(far.getByTestId('title')).not.toHaveText('');
  await expect(far.getByTestId('node-shape')).toHaveText('1000');

  await panTo(page, 'predictions');
  await expect(far).toHaveAttribute('data-face', 'full');
  await expect(far.getByTestId('input-socket')).toHaveCount(1);
  await expect(far.locator('.ll-node-controls')).toHaveCount(1);
  // Its wire in is drawn and ends at its input socket.
  const socket = (await far.getByTestId('input-socket').boundingBox())!;
  const ends = await page.evaluate(() =>
    [...document.querySelectorAll<SVGPathElement>('[data-testid="canvas"] svg path')].flatMap((p) => {
      if (!p.getTotalLength || !p.getAttribute('d')) return [];
      const m = p.getScreenCTM();
      if (!m) return [];
      const end = p.getPointAtLength(p.getTotalLength());
      return [{ x: m.a * end.x + m.c * end.y + m.e, y: m.b * end.x + m.d * end.y + m.f }];
    }),
  );
  const cx = socket.x + socket.width / 2;
  const cy = socket.y + socket.height / 2;
  expect(ends.some((e) => Math.abs(e.x - cx) < 20 && Math.abs(e.y - cy) < 20), `a wire ends at predictions' input (${cx}, ${cy})`).toBe(true);

  // It is selectable and editable like any node.
  await far.locator('.ll-node-header').click();
  await expect(page.getByTestId('inspector-title')).toHaveText('Dense');
  expect(await fullFaces(page)).toBeLessThan(177);
  expect(errors).toEqual([]);
});

test('zooming out draws more of ResNet-50 in full; every node can be reached by the keyboard', async ({ page }) => {
  const errors = await openResNet(page);
  const before = await fullFaces(page);
  const bg = await backgroundPoint(page);
  await page.mouse.move(bg.x, bg.y);
  for (let i = 0; i < 6; i++) await page.mouse.wheel(0, 100);
  await expect.poll(() => fullFaces(page)).toBeGreaterThan(before);

  // A node never drawn in full still takes the keyboard: focus it, Enter selects it.
  const id = await page.evaluate(() => document.querySelector<HTMLElement>('[data-testid="node"]:not([data-face="full"])')?.dataset.nodeId ?? null);
  expect(id, 'a node still light after zooming out').not.toBeNull();
  await node(page, id!).focus();
  await page.keyboard.press('Enter');
  await expect(node(page, id!)).toHaveClass(/selected/);
  await expect(node(page, id!)).toHaveAttribute('aria-label', /, selected/);
  await expect(page.locator('[data-testid="node"].selected')).toHaveCount(1);
  expect(errors).toEqual([]);
});
