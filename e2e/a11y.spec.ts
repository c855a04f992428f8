/**
 * Accessibility, end to end in Chromium: axe-core (WCAG 2.0/2.1 A and AA rules) finds no serious
 * or critical violation on any side-panel tab, with a node selected and without, on the canvas'
 * node faces (with live feature maps and with problems shown), and in every dialog; dialogs take
 * the focus and give it back. Then the main flows with the keyboard alone (page.keyboard, no
 * mouse): add a layer, move it, select it, wire it, set its parameters, delete one; train LeNet-5
 * on WASM until a batch completes, stop; probe a test image.
 */
import { expect, test, type Page } from '@playwright/test';
import { createRequire } from 'node:module';
import { node, openApp, viewSettled } from './helpers';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string; message: string }[];
}

/** Runs axe on the whole page and returns the serious and critical WCAG 2.1 A/AA violations. */
async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async (tags) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const axe = (window as any).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      nodes: v.nodes.map((n: any) => ({ target: n.target.join(' '), message: n.failureSummary ?? '' })),
    }));
  }, WCAG) as Promise<Violation[]>;
}

/** One line per element: rule, impact, CSS target and axe's message (readable when the test fails). */
function describe(violations: Violation[]): string {
  return violations
    .flatMap((v) => v.nodes.map((n) => `  ${v.id} (${v.impact}) ${n.target}\n    ${v.help}: ${n.message.replace(/\s*\n\s*/g, ' ')}`))
    .join('\n');
}

/** Asserts that axe finds no serious or critical violation, listing every one it finds if it does. */
async function expectAccessible(page: Page, where: string) {
  const found = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (found.length) console.log(`axe, ${where}:\n${describe(found)}`);
  expect(found.map((v) => v.id), `axe found serious/critical WCAG 2.1 A/AA violations — ${where}:\n${describe(found)}`).toEqual([]);
}

const selectByClick = (page: Page, id: string) => node(page, id).locator('.ll-node-header').click();
const focusedTestId = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? null);

/** Presses Tab (keyboard only) until the element with this test id has the focus. */
async function tabTo(page: Page, testid: string, max = 60) {
  for (let i = 0; i < max; i++) {
    if ((await focusedTestId(page)) === testid) return;
    await page.keyboard.press('Tab');
  }
  expect(await focusedTestId(page), `Tab never reached ${testid}`).toBe(testid);
}

test('every side-panel tab, with a node selected and without, and nodes with problems pass axe', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = await openApp(page, '/?backend=wasm');
  await expect(page.locator('main')).toHaveCount(1);
  await expect(page.getByRole('heading', { level: 1, name: 'LayerLab' })).toBeVisible();
  await expect(page.getByRole('tablist')).toHaveAttribute('aria-label', 'Side panel');

  // The check itself works: a low-contrast line and an unlabelled field put into the page are found.
  await page.evaluate(() => {
    const probe = document.createElement('div');
    probe.id = 'axe-self-test';
    probe.innerHTML = '<p id="axe-self-test-p" style="color:#aaa;background:#fff">faint</p><input id="axe-self-test-input" type="text">';
    document.querySelector('main')!.append(probe);
  });
  const planted = (await axeViolations(page)).filter((v) => v.nodes.some((n) => n.target.includes('axe-self-test')));
  expect(planted.map((v) => v.id).sort()).toEqual(['color-contrast', 'label']);
  await page.evaluate(() => document.getElementById('axe-self-test')!.remove());

  await expectAccessible(page, 'Inspect tab, nothing selected');
  await selectByClick(page, 'c1');
  await expect(page.getByTestId('inspector-title')).toHaveText('Conv 2D');
  await expectAccessible(page, 'Inspect tab, c1 selected');

  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-dataset-info')).toContainText('60,000 training', { timeout: 30_000 });
  await expect(page.getByTestId('tabpanel-train')).toBeVisible();
  await expectAccessible(page, 'Train tab, c1 selected');
  await page.keyboard.press('Escape');
  await expect(page.locator('[data-testid="node"].selected')).toHaveCount(0);
  await expectAccessible(page, 'Train tab, nothing selected');

  await page.getByTestId('tab-probe').click();
  await expect(page.getByTestId('probe-prediction').locator('li')).toHaveCount(10, { timeout: 30_000 });
  await expect(node(page, 'c1').getByTestId('node-map')).toBeVisible(); // live feature maps on every node
  await expectAccessible(page, 'Probe tab, nothing selected');
  await selectByClick(page, 'f5');
  await expectAccessible(page, 'Probe tab, f5 selected');

  // Nodes with an error and a warning: badges and messages on the canvas, problems in the inspector.
  await page.getByTestId('tab-inspect').click();
  await page.getByTestId('btn-new').click();
  await viewSettled(page);
  await page.getByTestId('palette-item-dense').dblclick();
  await expect(node(page, 'dense_1').getByTestId('node-badge')).toBeVisible();
  await expect(page.getByTestId('inspector-diagnostic').first()).toBeVisible();
  await expectAccessible(page, 'a node with an error, selected');
  expect(errors).toEqual([]);
});

/** Opens a dialog, checks its semantics, focus and trap, runs axe, closes it with Escape and checks the focus came back. */
async function checkDialog(page: Page, testid: string, open: () => Promise<void>, opener?: string) {
  await open();
  const dialog = page.getByTestId(testid);
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('role', 'dialog');
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  const named = await dialog.evaluate((d) => {
    const by = d.getAttribute('aria-labelledby');
    return (by ? document.getElementById(by)?.textContent : d.getAttribute('aria-label')) ?? '';
  });
  expect(named.trim().length, `${testid} has a name`).toBeGreaterThan(0);
  // The focus is inside, and Tab / Shift Tab keep it there.
  await expect.poll(() => dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement)), `${testid}: the focus left the dialog`).toBe(true);
  }
  await expectAccessible(page, `dialog ${testid}`);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  if (opener) await expect.poll(() => focusedTestId(page), { message: `the focus goes back to ${opener}` }).toBe(opener);
}

test('every dialog is a named modal dialog that takes the focus, keeps it and gives it back, and passes axe', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = await openApp(page, '/?backend=wasm');
  await checkDialog(page, 'preset-gallery', () => page.getByTestId('btn-presets').click(), 'btn-presets');
  await checkDialog(page, 'share-dialog', () => page.getByTestId('btn-share').click(), 'btn-share');
  await checkDialog(page, 'export-dialog', () => page.getByTestId('btn-export-model').click(), 'btn-export-model');
  await checkDialog(page, 'shortcut-sheet', () => page.getByTestId('btn-help').click(), 'btn-help');
  if ((await page.getByTestId('btn-versions').count()) > 0) await checkDialog(page, 'versions-dialog', () => page.getByTestId('btn-versions').click(), 'btn-versions');

  // Quick add (double-click on empty canvas): a search box over a list of layers.
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await checkDialog(page, 'quick-add', () => page.mouse.dblclick(canvas.x + 30, canvas.y + canvas.height - 30));

  // A node's channels, large (needs the feature maps the Probe tab computes).
  await page.getByTestId('tab-probe').click();
  await expect(page.getByTestId('probe-prediction').locator('li')).toHaveCount(10, { timeout: 30_000 });
  await checkDialog(page, 'node-detail', () => node(page, 'c1').getByTestId('node-map-open').click(), 'node-map-open');
  expect(errors).toEqual([]);
});

test('keyboard only: add a layer, move, select, wire, set its parameters, delete one', async ({ page }) => {
  const errors = await openApp(page);
  await page.keyboard.press('Alt+n'); // new graph: the Input node alone
  await expect(page.locator('[data-testid="node"]')).toHaveCount(1);
  await viewSettled(page);

  // "/" goes to the layer search; Enter adds the first match and puts the focus on it.
  await page.keyboard.press('/');
  expect(await focusedTestId(page)).toBe('palette-search');
  await page.keyboard.type('conv');
  await page.keyboard.press('Enter');
  const conv = node(page, 'conv2d_1');
  await expect(conv).toBeFocused();
  await expect(conv).toHaveAttribute('tabindex', '0');
  await expect(conv).toHaveAttribute('aria-label', /Conv 2D conv2d_1/);

  // Arrows move it (10 graph units, Shift 50), one undo step each.
  const before = (await conv.boundingBox())!;
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await conv.boundingBox())!.x).toBeGreaterThan(before.x + 3);
  await page.keyboard.press('Shift+ArrowDown');
  await expect.poll(async () => (await conv.boundingBox())!.y).toBeGreaterThan(before.y + 20);
  await expect(page.getByTestId('btn-undo')).toHaveAttribute('title', /Undo Move conv2d_1/);

  // Space on the node selects it (Enter does too); I goes to the inspector's fields.
  await page.keyboard.press('Escape');
  await expect(conv).not.toHaveClass(/selected/);
  await conv.focus(); // (the focus stays on the node through Escape; this only makes sure)
  await page.keyboard.press('Space');
  await expect(conv).toHaveClass(/selected/);
  await expect(page.getByTestId('inspector-title')).toHaveText('Conv 2D');
  await page.keyboard.press('i');
  expect(await focusedTestId(page)).toBe('inspector-id');

  // Wire it: "Input from" lists the outputs that fit; Connect draws the wire.
  await page.keyboard.press('Tab');
  expect(await focusedTestId(page)).toBe('inspector-source-in');
  await expect(page.getByTestId('inspector-source-in').locator('option')).toHaveText(['not connected', 'image (28×28×1)']);
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('inspector-source-in')).toHaveValue('image');
  await page.keyboard.press('Tab');
  expect(await focusedTestId(page)).toBe('inspector-connect-in');
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-testid="connection"]')).toHaveCount(1);
  await expect(conv.getByTestId('node-shape')).toHaveText(/^\d+×\d+×\d+$/);
  await expect(page.getByTestId('notice')).toHaveText('Connected image → conv2d_1');
  await expectAccessible(page, 'a notice, a node selected, the focus in the inspector');

  // Its parameters are the next Tab stops.
  await tabTo(page, 'param-inspector-conv2d_1-filters');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('6');
  await page.keyboard.press('Enter');
  await expect(conv.getByTestId('node-shape')).toHaveText(/^\d+×\d+×6$/);
  const [h, w] = (await conv.getByTestId('node-shape').innerText()).split('×').map(Number);

  // A second layer, wired after the first from its own inspector.
  await page.keyboard.press('/');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('flatten');
  await page.keyboard.press('Enter');
  const flat = node(page, 'flatten_1');
  await expect(flat).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(flat).toHaveClass(/selected/);
  await page.keyboard.press('i');
  await page.keyboard.press('Tab');
  expect(await focusedTestId(page)).toBe('inspector-source-in');
  await expect(page.getByTestId('inspector-source-in').locator('option')).toHaveText(['not connected', 'image (28×28×1)', `conv2d_1 (${h}×${w}×6)`]);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('inspector-source-in')).toHaveValue('conv2d_1');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-testid="connection"]')).toHaveCount(2);
  await expect(flat.getByTestId('node-shape')).toHaveText(String(h! * w! * 6));

  // Delete on a focused node deletes it; Ctrl Z brings it back.
  await page.keyboard.press('/');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('dense');
  await page.keyboard.press('Enter');
  await expect(node(page, 'dense_1')).toBeFocused();
  await expect(page.locator('[data-testid="node"]')).toHaveCount(4);
  await page.keyboard.press('Delete');
  await expect(page.locator('[data-testid="node"]')).toHaveCount(3);
  await page.keyboard.press('Control+z');
  await expect(page.locator('[data-testid="node"]')).toHaveCount(4);

  // The shortcut sheet documents the keyboard-only flow.
  await page.keyboard.press('?');
  const sheet = page.getByTestId('shortcut-sheet');
  await expect(sheet.getByTestId('shortcut-keyboard-flow')).toContainText('Input from…, Connect');
  await expect(sheet).toContainText('Search the layers');
  await page.keyboard.press('Escape');
  await expect(sheet).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('keyboard only: train LeNet-5 until a batch completes, stop, then probe a test image', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = await openApp(page, '/?backend=wasm');
  // T opens the Train tab and puts the focus in it; Tab reaches Train.
  await page.keyboard.press('t');
  await expect(page.getByTestId('tab-train')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('train-dataset-info')).toContainText('60,000 training', { timeout: 30_000 });
  await expect(page.getByTestId('train-backend-info')).toContainText('Training on wasm');
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await tabTo(page, 'train-start');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('train-stop')).toBeVisible();
  await expect.poll(async () => Number((await page.getByTestId('train-status').textContent())?.match(/batch (\d+)\//)?.[1] ?? 0), { timeout: 30_000 }).toBeGreaterThan(0);

  await expectAccessible(page, 'Train tab while training');
  await page.keyboard.press('t');
  await tabTo(page, 'train-stop');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('train-start')).toBeVisible({ timeout: 30_000 });

  // P opens the Probe tab; the next test image, chosen with Tab and Enter, gets its prediction.
  await page.keyboard.press('p');
  await expect(page.getByTestId('tab-probe')).toHaveAttribute('aria-selected', 'true');
  const prediction = page.getByTestId('probe-prediction').locator('li');
  await expect(prediction).toHaveCount(10, { timeout: 30_000 });
  const shown = () => page.getByTestId('probe-prediction').innerText();
  await expect.poll(shown).toMatch(/%/);
  const first = await shown();
  await tabTo(page, 'probe-next');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('probe-index')).toHaveValue('1');
  await expect.poll(shown).not.toBe(first);

  // The side panel's tabs are one Tab stop (the open tab), and ←/→/Home/End move between them.
  await page.keyboard.press('p');
  expect(await focusedTestId(page)).toBe('probe-prev');
  await page.keyboard.press('Shift+Tab');
  expect(await focusedTestId(page)).toBe('tab-probe');
  await page.keyboard.press('ArrowLeft');
  expect(await focusedTestId(page)).toBe('tab-train');
  await expect(page.getByTestId('tabpanel-train')).toBeVisible();
  await expect(page.getByTestId('tabpanel-probe')).toBeHidden();
  await page.keyboard.press('Home');
  expect(await focusedTestId(page)).toBe('tab-inspect');
  await expect(page.getByTestId('inspector')).toBeVisible();
  // ← from the first tab wraps to the last (Lesson).
  await page.keyboard.press('ArrowLeft');
  expect(await focusedTestId(page)).toBe('tab-lesson');
  await page.keyboard.press('Shift+Tab');
  expect(await focusedTestId(page)).not.toMatch(/^tab-/);
  expect(errors).toEqual([]);
});
