/**
 * A learner's first hour, on what `npm start` serves (the 'chromium' project: the production
 * build) and again on the dev server (the 'dev-server' project), where React StrictMode runs every
 * start-up effect twice: the backend is chosen once and right, a share link opens, and nothing
 * the user made is lost across reloads, even when the stored autosave no longer reads.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { node, openApp } from './helpers';

/** idb-keyval's default database and store, where the autosave lives. */
async function idb(page: Page, op: 'get' | 'put', key: string, value?: unknown): Promise<unknown> {
  return page.evaluate(
    ([op, key, value]) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('keyval-store');
        open.onupgradeneeded = () => open.result.createObjectStore('keyval');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('keyval', op === 'get' ? 'readonly' : 'readwrite');
          const store = tx.objectStore('keyval');
          const req = op === 'get' ? store.get(key as string) : store.put(value, key as string);
          req.onsuccess = () => resolve(op === 'get' ? req.result : undefined);
          req.onerror = () => reject(req.error);
        };
      }),
    [op, key, value] as const,
  );
}

const AUTOSAVE = 'layerlab.autosave.v1';

/** Waits until the autosave holds a document with `n` nodes. */
async function autosavedNodes(page: Page, n: number) {
  await expect
    .poll(async () => {
      const v = (await idb(page, 'get', AUTOSAVE)) as { doc?: string } | undefined;
      return v?.doc ? (JSON.parse(v.doc).nodes as unknown[]).length : -1;
    })
    .toBe(n);
}

async function freshPage(browser: Browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

test('three fresh page loads in a row choose WASM on their own and train on it', async ({ browser }) => {
  test.setTimeout(150_000);
  for (let i = 0; i < 3; i++) {
    const { context, page } = await freshPage(browser);
    const errors = await openApp(page);
    await page.getByTestId('tab-train').click();
    // No ?backend=: the automatic choice on a machine without a GPU.
    await expect(page.getByTestId('train-backend-info')).toContainText('Training on wasm', { timeout: 30_000 });
    await expect(page.getByTestId('train-dataset-info')).toContainText('60,000 training', { timeout: 30_000 });
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-status')).toContainText(/batch \d+\/\d+ · [\d,]+ images\/s/, { timeout: 30_000 });
    await page.getByTestId('train-stop').click();
    await expect(page.getByTestId('train-start')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('train-backend-info')).toContainText('Training on wasm');
    expect(errors, `page errors on load ${i + 1}`).toEqual([]);
    await context.close();
  }
});

test('a share link opens its graph in a fresh browser', async ({ browser }) => {
  const a = await freshPage(browser);
  await openApp(a.page);
  await a.page.getByTestId('btn-presets').click();
  await a.page.getByTestId('preset-mlp').click();
  await expect(a.page.getByTestId('graph-title')).toContainText(/MLP/i);
  const count = await a.page.locator('[data-testid="node"]').count();
  await a.page.getByTestId('btn-share').click();
  const url = await a.page.getByTestId('share-url').inputValue();
  expect(url).toContain('#');
  await a.context.close();

  const b = await freshPage(browser);
  const errors = await openApp(b.page, url.slice(url.indexOf('/', 'http://'.length)));
  await expect(b.page.getByTestId('graph-title')).toContainText(/MLP/i);
  await expect(b.page.locator('[data-testid="node"]')).toHaveCount(count);
  // The link is applied once and then removed from the address bar; a reload keeps the graph (autosave).
  await expect.poll(() => new URL(b.page.url()).hash).toBe('');
  await autosavedNodes(b.page, count);
  await b.page.reload();
  await expect(b.page.getByTestId('graph-title')).toContainText(/MLP/i);
  await expect(b.page.locator('[data-testid="node"]')).toHaveCount(count);
  expect(errors).toEqual([]);
  await b.context.close();
});

test('a learning rate the file format refuses never costs the user their graph', async ({ page }) => {
  await openApp(page);
  const before = await page.locator('[data-testid="node"]').count();
  await page.getByTestId('palette-item-dropout').dblclick();
  await expect(page.locator('[data-testid="node"]')).toHaveCount(before + 1);
  await page.getByTestId('tab-train').click();
  for (const value of ['11', '1000000']) {
    const field = page.getByTestId('train-lr');
    await field.click();
    await field.press('Control+a');
    await page.keyboard.type(value);
    await page.keyboard.press('Tab');
  }
  await autosavedNodes(page, before + 1);
  await page.reload();
  await expect(page.locator('[data-testid="node"]')).toHaveCount(before + 1);
  await expect(page.getByTestId('autosave-problem')).toHaveCount(0);
  // Whatever the field showed, the stored graph reads back: a saved file opens again.
  const stored = (await idb(page, 'get', AUTOSAVE)) as { doc: string };
  const lr = JSON.parse(stored.doc).training?.learningRate;
  expect(lr === undefined || (lr > 0 && lr <= 10)).toBe(true);
});

test('an autosave that no longer reads is kept, reported and can be downloaded as it was', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('palette-item-dropout').dblclick();
  const n = await page.locator('[data-testid="node"]').count();
  await autosavedNodes(page, n);
  // Corrupt what is stored: a document that a newer LayerLab (or a bug) might have written.
  const stored = (await idb(page, 'get', AUTOSAVE)) as { doc: string; past: string[]; future: string[]; savedAt: number };
  const bad = JSON.stringify({ ...JSON.parse(stored.doc), name: 'My precious graph', version: 99 });
  await idb(page, 'put', AUTOSAVE, { ...stored, doc: bad });

  await page.reload();
  await expect(page.locator('[data-testid="node"]').first()).toBeVisible();
  const banner = page.getByTestId('autosave-problem');
  await expect(banner).toContainText('could not be read');
  await expect(banner).toContainText('kept');
  // The app goes on with LeNet-5, and its autosave does not destroy the kept copy.
  await expect(node(page, 'c1')).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByTestId('autosave-kept-download').click();
  const text = readFileSync((await (await download).path())!, 'utf8');
  expect(text).toBe(bad);

  // Reloading again: the kept copy is still there (in Versions), not overwritten by the new autosave.
  await page.getByTestId('palette-item-dropout').dblclick();
  await page.reload();
  await expect(page.locator('[data-testid="node"]').first()).toBeVisible();
  await page.getByTestId('btn-versions').click();
  const dialog = page.getByTestId('versions-dialog');
  await expect(dialog.getByTestId('kept-row')).toHaveCount(1);
  await expect(dialog.getByTestId('kept-row')).toContainText('version');
  await expect(dialog.getByTestId('version-row').first()).toBeVisible();
  const again = page.waitForEvent('download');
  await dialog.getByTestId('kept-download').click();
  expect(readFileSync((await (await again).path())!, 'utf8')).toBe(bad);
});

test('Versions opens an earlier graph as one step that Undo takes back', async ({ page }) => {
  await openApp(page);
  const lenetCount = await page.locator('[data-testid="node"]').count();
  await autosavedNodes(page, lenetCount);
  // A version from yesterday: the LeNet-5 graph under another name, with one node fewer.
  const stored = (await idb(page, 'get', AUTOSAVE)) as { doc: string };
  const doc = JSON.parse(stored.doc) as { name: string; nodes: { id: string }[]; edges: { from: [string, string]; to: [string, string] }[] };
  const old = { ...doc, name: 'Yesterday graph', nodes: doc.nodes.filter((n) => n.id !== 'output'), edges: doc.edges.filter((e) => e.to[0] !== 'output') };
  const day = 24 * 3600 * 1000;
  const list = (await idb(page, 'get', 'layerlab.autosave.versions')) as { savedAt: number; text: string }[];
  expect(list).toHaveLength(1);
  await idb(page, 'put', 'layerlab.autosave.versions', [...list, { savedAt: Date.now() - day, startedAt: Date.now() - day, text: JSON.stringify(old) }]);

  await page.getByTestId('btn-versions').click();
  const dialog = page.getByTestId('versions-dialog');
  const rows = dialog.getByTestId('version-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText(`Yesterday graph · ${lenetCount - 1} nodes`);
  await rows.nth(1).getByTestId('version-open').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('graph-title')).toHaveText('Yesterday graph');
  await expect(page.locator('[data-testid="node"]')).toHaveCount(lenetCount - 1);
  await page.getByTestId('btn-undo').click();
  await expect(page.locator('[data-testid="node"]')).toHaveCount(lenetCount);
});
