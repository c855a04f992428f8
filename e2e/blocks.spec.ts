/**
 * Blocks in the editor (issue 13), on what `npm start` serves: make a block from a selection, use
 * it twice, edit it once and see both uses change, undo; ResNet-50 as bottleneck blocks.
 * Expected counts are worked out by hand in the comments (conv: k·k·cin·cout + cout).
 */
import { expect, test, type Page } from '@playwright/test';
import { node, openApp, setParam, shapeOf, viewSettled } from './helpers';

/** image 16×16×3 → a, b, c (3×3 convs, 8 filters, same) → flatten → dense 10. */
const chain = {
  format: 'layerlab-graph',
  version: 2,
  name: 'Three convs',
  description: '',
  nodes: [
    { id: 'image', type: 'input', params: { shape: [16, 16, 3] }, position: [0, 0] },
    { id: 'a', type: 'conv2d', params: { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }, position: [260, 0] },
    { id: 'b', type: 'conv2d', params: { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }, position: [520, 0] },
    { id: 'c', type: 'conv2d', params: { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }, position: [780, 0] },
    { id: 'f', type: 'flatten', params: {}, position: [260, 260] },
    { id: 'd', type: 'dense', params: { units: 10, activation: 'softmax' }, position: [520, 260] },
  ],
  edges: [
    { from: ['image', 'out'], to: ['a', 'in'] },
    { from: ['a', 'out'], to: ['b', 'in'] },
    { from: ['b', 'out'], to: ['c', 'in'] },
    { from: ['c', 'out'], to: ['f', 'in'] },
    { from: ['f', 'out'], to: ['d', 'in'] },
  ],
};

const nodes = (page: Page) => page.locator('[data-testid="node"]');
const total = (page: Page) => page.getByTestId('total-params');
/** Block instances: their faces (full, light or cold) are labelled "Block <name> <id>". */
const blockNodes = (page: Page) => page.locator('[data-testid="node"][aria-label^="Block "]');

/** Picks `from` in the inspector's "Input from…" list of the selected node's `port`, and connects. */
async function connectInInspector(page: Page, port: string, from: string) {
  await page.getByTestId(`inspector-source-${port}`).focus();
  await page.getByTestId(`inspector-source-${port}`).selectOption(from);
  await page.getByTestId(`inspector-connect-${port}`).click();
}

test('make a block of three nodes, use it twice, edit it once: both uses change; undo restores', async ({ page }) => {
  const errors = await openApp(page);
  await page.getByTestId('open-file').setInputFiles({ name: 'chain.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(chain)) });
  await expect(nodes(page)).toHaveCount(6);
  await viewSettled(page);
  // 3·9·8+8 = 224, 8·9·8+8 = 584 twice, dense 16·16·8·10+10 = 20,490.
  await expect(total(page)).toHaveText('21,882');

  // Select a, b, c and make a block (Ctrl+G): one block node in their place, the same network.
  await node(page, 'a').locator('.ll-node-header').click();
  await node(page, 'b').locator('.ll-node-header').click({ modifiers: ['Control'] });
  await node(page, 'c').locator('.ll-node-header').click({ modifiers: ['Control'] });
  await page.keyboard.press('Control+g');
  await expect(nodes(page)).toHaveCount(4);
  await expect(blockNodes(page)).toHaveCount(1);
  const first = (await blockNodes(page).first().getAttribute('data-node-id'))!;
  await expect(node(page, first).getByTestId('block-inner-count')).toHaveText('3 nodes inside');
  await expect(shapeOf(page, first)).toHaveText('16×16×8');
  await expect(node(page, first).getByTestId('node-params')).toHaveText('1,392 params');
  await expect(total(page)).toHaveText('21,882');

  // A second use from the palette's Blocks section, wired between the first and flatten.
  const item = page.getByTestId('palette-blocks').locator('.ll-palette-item').first();
  await item.dblclick();
  await expect(blockNodes(page)).toHaveCount(2);
  const ids = await blockNodes(page).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.nodeId!));
  const second = ids.find((id) => id !== first)!;
  await expect(page.getByTestId('inspector-title')).toBeVisible();
  await connectInInspector(page, 'in0', first);
  await node(page, 'f').locator('.ll-node-header').click();
  await connectInInspector(page, 'in', second);
  // The second use takes 8 channels: 3 × 584 = 1,752.
  await expect(node(page, second).getByTestId('node-params')).toHaveText('1,752 params');
  await expect(total(page)).toHaveText('23,634');

  // Open the block (double-click the first use), give its last conv 16 filters, go back.
  await node(page, first).locator('.ll-node-header').dblclick();
  await expect(page.getByTestId('block-breadcrumb')).toContainText(first);
  await expect(node(page, 'c')).toBeVisible();
  await setParam(page, 'c', 'filters', 16);
  await expect(shapeOf(page, 'c')).toHaveText('16×16×16');
  await page.getByTestId('block-leave').click();
  await expect(page.getByTestId('block-breadcrumb')).toHaveCount(0);
  await expect(nodes(page)).toHaveCount(5);

  // Both uses changed: first 224 + 584 + 1,168; second (16 channels in) 1,160 + 584 + 1,168.
  await expect(shapeOf(page, first)).toHaveText('16×16×16');
  await expect(shapeOf(page, second)).toHaveText('16×16×16');
  await expect(node(page, first).getByTestId('node-params')).toHaveText('1,976 params');
  await expect(node(page, second).getByTestId('node-params')).toHaveText('2,912 params');
  await expect(total(page)).toHaveText('45,858');

  // One undo step takes the edit made inside the block back, for both uses.
  await page.keyboard.press('Control+z');
  await expect(shapeOf(page, first)).toHaveText('16×16×8');
  await expect(shapeOf(page, second)).toHaveText('16×16×8');
  await expect(total(page)).toHaveText('23,634');

  // Esc leaves an open block too.
  await node(page, second).getByTestId('block-open').click();
  await expect(page.getByTestId('block-breadcrumb')).toContainText(second);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('block-breadcrumb')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a block saved to the library is added to another graph as a copy, and detached into its own nodes', async ({ page }) => {
  const errors = await openApp(page);
  await page.getByTestId('open-file').setInputFiles({ name: 'chain.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(chain)) });
  await viewSettled(page);
  await node(page, 'a').locator('.ll-node-header').click();
  await node(page, 'b').locator('.ll-node-header').click({ modifiers: ['Control'] });
  await node(page, 'c').locator('.ll-node-header').click({ modifiers: ['Control'] });
  await page.keyboard.press('Control+g');
  await expect(blockNodes(page)).toHaveCount(1);
  await page.getByTestId('inspector-block-name').fill('Three convs');
  await page.getByTestId('inspector-block-name').press('Enter');
  await expect(blockNodes(page).first().getByTestId('title')).toHaveText('Three convs');
  await page.getByTestId('inspector-block-save').click();

  // A new graph: the block is in the library (this browser), not in the graph.
  await page.getByTestId('btn-new').click();
  await expect(nodes(page)).toHaveCount(1);
  await expect(page.getByTestId('palette-blocks').locator('[data-testid^="palette-block-"]')).toHaveCount(0);
  await page.getByTestId('palette-library-Three convs').dblclick();
  await expect(blockNodes(page)).toHaveCount(1);
  // Its definition was copied into the graph: the palette now lists it as the graph's own.
  await expect(page.getByTestId('palette-blocks').locator('[data-testid^="palette-block-"]')).toHaveCount(1);
  await expect(page.getByTestId('palette-library-Three convs')).toHaveCount(0);
  const id = (await blockNodes(page).first().getAttribute('data-node-id'))!;
  await expect(node(page, id).getByTestId('block-inner-count')).toHaveText('3 nodes inside');

  // Wired to the 28×28×1 image: 1·9·8+8 + 584 + 584 = 1,248 weights.
  await connectInInspector(page, 'in0', 'image');
  await expect(node(page, id).getByTestId('node-params')).toHaveText('1,248 params');
  await expect(total(page)).toHaveText('1,248');

  // Detach: the use becomes its own three nodes, same weights.
  await page.getByTestId('inspector-block-detach').click();
  await expect(blockNodes(page)).toHaveCount(0);
  await expect(nodes(page)).toHaveCount(4);
  await expect(total(page)).toHaveText('1,248');
  expect(errors).toEqual([]);
});

test('ResNet-50 opens as bottleneck blocks and still counts 25,636,712 parameters', async ({ page }) => {
  const errors = await openApp(page);
  await page.getByTestId('btn-presets').click();
  await page.getByTestId('preset-resnet50').click();
  await viewSettled(page);
  await expect(total(page)).toHaveText('25,636,712');
  const count = await nodes(page).count();
  expect(count).toBeGreaterThanOrEqual(18);
  expect(count).toBeLessThanOrEqual(30);
  expect(await blockNodes(page).count()).toBeGreaterThanOrEqual(16);
  // The README's screenshot of ResNet-50 made of blocks.
  await page.screenshot({ path: 'docs/editor-resnet50-blocks.png' });
  expect(errors).toEqual([]);
});
