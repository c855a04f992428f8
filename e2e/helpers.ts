/** Shared steps for the editor e2e tests: real mouse and keyboard on the real app. */
import { expect, type Locator, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * Opens a graph file from the repository by dropping it on the canvas, as a user would — e.g.
 * fixtures/resnet50-flat.json, the 177-node ResNet-50 without blocks.
 */
export async function dropGraphFile(page: Page, path: string, nodes: number) {
  await dropText(page, readFileSync(path, 'utf8'), path.split('/').pop()!);
  await expect(page.locator('[data-testid="node"]')).toHaveCount(nodes);
  await viewSettled(page);
}

/** Drops a JSON text as a file named `name` on the canvas. */
export async function dropText(page: Page, text: string, name: string) {
  const dataTransfer = await page.evaluateHandle(([t, n]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], n, { type: 'application/json' }));
    return dt;
  }, [text, name] as const);
  await page.getByTestId('canvas').dispatchEvent('drop', { dataTransfer });
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

/**
 * Drops the folder `dir` (class sub-folders of images) on the Train tab. Playwright cannot drop a
 * real directory, so the drop event carries a real DataTransfer whose items answer
 * webkitGetAsEntry() with a directory tree built from the real files (the shape of the File and
 * Directory Entries API): the panel's drop handler, the folder walk, decoding and the split all
 * run as for a real drop.
 */
export async function dropFolder(page: Page, dir: string, rootName: string) {
  const tree = Object.fromEntries(
    readdirSync(dir).map((cls) => [cls, readdirSync(join(dir, cls)).map((f) => ({ name: f, b64: readFileSync(join(dir, cls, f)).toString('base64') }))]),
  );
  await page.getByTestId('train-drop').evaluate(
    (el, { t, root: rootName }) => {
      type Entry = { isFile: boolean; isDirectory: boolean; name: string; fullPath: string; file?: (ok: (f: File) => void) => void; createReader?: () => { readEntries(ok: (e: Entry[]) => void): void } };
      const dirEntry = (path: string, children: Entry[]): Entry => ({
        isFile: false,
        isDirectory: true,
        name: path.split('/').pop()!,
        fullPath: path,
        createReader: () => {
          let given = false;
          return { readEntries: (ok) => ok(given ? [] : ((given = true), children)) };
        },
      });
      const dt = new DataTransfer();
      const classes = Object.entries(t).map(([cls, files]) =>
        dirEntry(
          `/${rootName}/${cls}`,
          files.map((f) => {
            const file = new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: 'image/png' });
            dt.items.add(file);
            return { isFile: true, isDirectory: false, name: f.name, fullPath: `/${rootName}/${cls}/${f.name}`, file: (ok: (f: File) => void) => ok(file) };
          }),
        ),
      );
      const root = dirEntry(`/${rootName}`, classes);
      const fake = { types: ['Files'], files: dt.files, items: [{ kind: 'file', webkitGetAsEntry: () => root }] };
      for (const type of ['dragover', 'drop']) {
        const ev = new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt });
        Object.defineProperty(ev, 'dataTransfer', { value: fake });
        el.dispatchEvent(ev);
      }
    },
    { t: tree, root: rootName },
  );
}

/** Types a number into one of the Train tab's settings and commits it with Enter. */
export async function setSetting(page: Page, testid: string, value: number | string) {
  const field = page.getByTestId(testid);
  await field.click();
  await field.press('Control+a');
  await page.keyboard.type(String(value));
  await page.keyboard.press('Enter');
  await expect(field).toHaveValue(String(value));
}
