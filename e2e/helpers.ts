/** Shared steps for the editor e2e tests: real mouse and keyboard on the real app. */
import { expect, type Locator, type Page } from '@playwright/test';

export const node = (page: Page, id: string): Locator => page.locator(`[data-testid="node"][data-node-id="${id}"]`);

/** Opens the app (a fresh context has no autosave, so LeNet-5 loads) and waits for the canvas. */
export async function openApp(page: Page, path = '/') {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    errors.push(`unexpected dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(path);
  await expect(page.locator('[data-testid="node"]').first()).toBeVisible();
  await viewSettled(page);
  return errors;
}

/** Starts from an empty canvas holding only the Input node "image". */
export async function newGraph(page: Page) {
  await page.getByTestId('btn-new').click();
  await expect(page.locator('[data-testid="node"]')).toHaveCount(1);
  await expect(node(page, 'image')).toBeVisible();
  await viewSettled(page);
}

/** Waits until the view has zoomed to the graph that was just loaded. */
export async function viewSettled(page: Page) {
  await expect(page.getByTestId('canvas')).toHaveAttribute('data-fitted', 'true');
}

/** Drags a palette item onto the canvas at (x, y) relative to the canvas' top-left corner. */
export async function dragFromPalette(page: Page, type: string, x: number, y: number) {
  const before = await page.locator('[data-testid="node"]').count();
  await page.getByTestId(`palette-item-${type}`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
  await expect(page.locator('[data-testid="node"]')).toHaveCount(before + 1);
}

async function centre(locator: Locator) {
  const box = await locator.boundingBox();
  if (!box) throw new Error('element has no box (not visible?)');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Draws a wire with the mouse from `from`'s output socket to `to`'s input socket `port`. */
export async function wire(page: Page, from: string, to: string, port = 'in') {
  const a = await centre(node(page, from).locator('[data-testid="output-out"] [data-testid="output-socket"]'));
  const b = await centre(node(page, to).locator(`[data-testid="input-${port}"] [data-testid="input-socket"]`));
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 6 });
  await page.mouse.move(b.x, b.y, { steps: 6 });
  await page.mouse.up();
}

/** Types a value into a node's parameter field and commits it with Enter. */
export async function setParam(page: Page, id: string, param: string, value: string | number) {
  const field = page.getByTestId(`param-${id}-${param}`);
  await field.fill(String(value));
  await field.press('Enter');
}

export async function selectOption(page: Page, id: string, param: string, value: string) {
  await page.getByTestId(`param-${id}-${param}`).selectOption(value);
}

export const shapeOf = (page: Page, id: string) => node(page, id).getByTestId('node-shape');

/** The app's current document, read through the same serializer a saved file uses. */
export async function exportedGraph(page: Page): Promise<Record<string, unknown>> {
  const download = page.waitForEvent('download');
  await page.getByTestId('btn-save').click();
  const d = await download;
  const path = await d.path();
  const { readFileSync } = await import('node:fs');
  return JSON.parse(readFileSync(path!, 'utf8'));
}
