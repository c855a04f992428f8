/**
 * The editor in real headless Chromium, driven with the real mouse and keyboard.
 * Each test starts in a fresh browser context: no autosave, so LeNet-5 opens.
 */
import { expect, test } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { dragFromPalette, exportedGraph, newGraph, node, openApp, selectOption, setParam, shapeOf, viewSettled, wire } from './helpers';

test('build LeNet-5 from an empty canvas: shapes follow every edit and the total reaches 61,706', async ({ page }) => {
  const errors = await openApp(page);
  await newGraph(page);
  await expect(page.getByTestId('total-params')).toHaveText('0');
  // Zoom out with the keyboard so that eight nodes fit around the Input node.
  await page.keyboard.press('-');
  await page.keyboard.press('-');

  // Top row: the feature extractor; bottom row: the classifier. (x, y) relative to the canvas,
  // where each node's centre lands.
  await dragFromPalette(page, 'conv2d', 95, 100);
  await dragFromPalette(page, 'maxPooling2d', 305, 100);
  await dragFromPalette(page, 'conv2d', 515, 100);
  await dragFromPalette(page, 'maxPooling2d', 725, 100);
  await dragFromPalette(page, 'flatten', 95, 570);
  await dragFromPalette(page, 'dense', 305, 570);
  await dragFromPalette(page, 'dense', 515, 570);
  await dragFromPalette(page, 'dense', 725, 570);

  // Parameters, typed into the controls on the nodes.
  await setParam(page, 'conv2d_1', 'filters', 6);
  await setParam(page, 'conv2d_1', 'kernelSize-h', 5); // a square kernel stays square
  await setParam(page, 'conv2d_2', 'filters', 16);
  await setParam(page, 'conv2d_2', 'kernelSize-h', 5);
  await selectOption(page, 'conv2d_2', 'padding', 'valid');
  await setParam(page, 'dense_1', 'units', 120);
  await setParam(page, 'dense_2', 'units', 84);
  await setParam(page, 'dense_3', 'units', 10);
  await selectOption(page, 'dense_3', 'activation', 'softmax');

  // Wires, drawn socket to socket; each node's shape appears as soon as its input is known.
  await wire(page, 'image', 'conv2d_1');
  await expect(shapeOf(page, 'conv2d_1')).toHaveText('28×28×6');
  await wire(page, 'conv2d_1', 'maxPooling2d_1');
  await expect(shapeOf(page, 'maxPooling2d_1')).toHaveText('14×14×6');
  await wire(page, 'maxPooling2d_1', 'conv2d_2');
  await expect(shapeOf(page, 'conv2d_2')).toHaveText('10×10×16');
  await wire(page, 'conv2d_2', 'maxPooling2d_2');
  await expect(shapeOf(page, 'maxPooling2d_2')).toHaveText('5×5×16');
  await wire(page, 'maxPooling2d_2', 'flatten_1');
  await expect(shapeOf(page, 'flatten_1')).toHaveText('400');
  await wire(page, 'flatten_1', 'dense_1');
  await wire(page, 'dense_1', 'dense_2');
  await wire(page, 'dense_2', 'dense_3');
  await expect(shapeOf(page, 'dense_3')).toHaveText('10');

  await expect(page.locator('[data-testid="connection"]')).toHaveCount(8);
  await expect(page.getByTestId('total-params')).toHaveText('61,706');
  await expect(page.getByTestId('graph-status')).toHaveText('ready to train');
  await expect(node(page, 'dense_1').getByTestId('node-params')).toHaveText('48,120 params');

  // An edit anywhere re-infers everything downstream.
  await setParam(page, 'conv2d_1', 'filters', 8);
  await expect(shapeOf(page, 'maxPooling2d_1')).toHaveText('14×14×8');
  await expect(page.getByTestId('total-params')).not.toHaveText('61,706');
  expect(errors).toEqual([]);
});

test('a cycle and a mismatched add are refused with a message at the cursor', async ({ page }) => {
  await openApp(page);
  const wires = page.locator('[data-testid="connection"]');
  await expect(wires).toHaveCount(8);

  // Mismatched Add: c1 gives 28×28×6, c3 gives 10×10×16.
  await dragFromPalette(page, 'add', 300, 60);
  await wire(page, 'c1', 'add_1', 'in0');
  await expect(wires).toHaveCount(9);
  await wire(page, 'c3', 'add_1', 'in1');
  const message = page.getByTestId('cursor-message');
  await expect(message).toContainText('Add needs inputs of equal shape: c1 gives 28×28×6, c3 gives 10×10×16');
  await expect(wires).toHaveCount(9);

  // A cycle: add_1 -> conv -> add_1.
  await dragFromPalette(page, 'conv2d', 600, 60);
  await wire(page, 'add_1', 'conv2d_1');
  await expect(wires).toHaveCount(10);
  await wire(page, 'conv2d_1', 'add_1', 'in1');
  await expect(message).toContainText('That would make a cycle: add_1 already feeds conv2d_1');
  await expect(wires).toHaveCount(10);

  // A second wire into a taken input is refused too.
  await wire(page, 's4', 'c3');
  await expect(message).toContainText("c3's input already comes from s2");
  await expect(wires).toHaveCount(10);
});

test('undo and redo restore exact states, parameter edits included', async ({ page }) => {
  await openApp(page);
  const original = await exportedGraph(page);

  await setParam(page, 'c1', 'filters', 12);
  await expect(shapeOf(page, 'c1')).toHaveText('28×28×12');
  const afterEdit = await exportedGraph(page);

  await node(page, 's4').locator('.ll-node-header').click();
  await page.keyboard.press('Delete');
  await expect(node(page, 's4')).toHaveCount(0);
  const afterDelete = await exportedGraph(page);
  expect(afterDelete).not.toEqual(afterEdit);

  await page.keyboard.press('Control+z');
  await expect(node(page, 's4')).toHaveCount(1);
  expect(await exportedGraph(page)).toEqual(afterEdit);
  await page.keyboard.press('Control+z');
  await expect(shapeOf(page, 'c1')).toHaveText('28×28×6');
  expect(await exportedGraph(page)).toEqual(original);

  await page.keyboard.press('Control+Shift+z');
  expect(await exportedGraph(page)).toEqual(afterEdit);
  await page.getByTestId('btn-redo').click();
  await expect(node(page, 's4')).toHaveCount(0);
  expect(await exportedGraph(page)).toEqual(afterDelete);
  await expect(page.locator('[data-testid="connection"]')).toHaveCount(6);
});

test('copy, paste, duplicate and the shortcut sheet', async ({ page }) => {
  await openApp(page);
  await node(page, 'f5').locator('.ll-node-header').click();
  await node(page, 'f6').locator('.ll-node-header').click({ modifiers: ['Control'] });
  await expect(page.getByTestId('inspector')).toContainText('2 nodes selected');
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await expect(node(page, 'dense_1')).toBeVisible();
  await expect(node(page, 'dense_2')).toBeVisible();
  await expect(page.locator('[data-testid="connection"]')).toHaveCount(9); // the wire between the copies came along
  await page.keyboard.press('Control+d');
  await expect(page.locator('[data-testid="node"]')).toHaveCount(13);
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcut-sheet')).toContainText('Undo');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('shortcut-sheet')).toHaveCount(0);
});

test('dropping a wire on empty space offers only the layers that fit, already connected', async ({ page }) => {
  await openApp(page);
  const socket = node(page, 'flatten').locator('[data-testid="output-out"] [data-testid="output-socket"]');
  const box = (await socket.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 60, box.y + 180, { steps: 8 });
  await page.mouse.up();
  const menu = page.getByTestId('quick-add');
  await expect(menu).toBeVisible();
  await expect(menu.getByTestId('quick-add-item-dense')).toBeVisible();
  await expect(menu.getByTestId('quick-add-item-conv2d')).toHaveCount(0);
  await menu.getByTestId('quick-add-item-dropout').click();
  await expect(shapeOf(page, 'dropout_1')).toHaveText('400');
});

test('the inspector explains the selected node and edits every parameter', async ({ page }) => {
  await openApp(page);
  await node(page, 'c3').locator('.ll-node-header').click();
  const inspector = page.getByTestId('inspector');
  await expect(page.getByTestId('inspector-title')).toHaveText('Conv 2D');
  await expect(page.getByTestId('inspector-explain')).toContainText('slides a small window');
  await expect(page.getByTestId('inspector-input-in')).toHaveText('14×14×6');
  await expect(page.getByTestId('inspector-output')).toHaveText('10×10×16');
  await inspector.getByTestId('param-inspector-c3-dilationRate-h').fill('2');
  await inspector.getByTestId('param-inspector-c3-dilationRate-h').press('Enter');
  await expect(page.getByTestId('inspector-output')).toHaveText('6×6×16');
  // An out-of-range value is kept and explained on the node, never silently dropped.
  await inspector.getByTestId('param-inspector-c3-filters').fill('100000');
  await inspector.getByTestId('param-inspector-c3-filters').press('Enter');
  await expect(node(page, 'c3').getByTestId('node-message')).toContainText('filters = 100,000 is out of range (1–4,096)');
  await expect(page.getByTestId('graph-status')).toContainText('error');
});

test('merge nodes gain and lose input ports', async ({ page }) => {
  await openApp(page);
  await dragFromPalette(page, 'concatenate', 400, 700);
  const concat = node(page, 'concatenate_1');
  await expect(concat.locator('[data-testid^="input-in"]')).toHaveCount(2);
  await setParam(page, 'concatenate_1', 'inputs', 3);
  await expect(concat.locator('[data-testid^="input-in"]')).toHaveCount(3);
  await wire(page, 'c1', 'concatenate_1', 'in2');
  await expect(page.locator('[data-testid="connection"]')).toHaveCount(9);
  await setParam(page, 'concatenate_1', 'inputs', 2);
  await expect(concat.locator('[data-testid^="input-in"]')).toHaveCount(2);
  await expect(page.locator('[data-testid="connection"]')).toHaveCount(8);
});

test('a reload restores the graph, its layout and the undo history', async ({ page }) => {
  await openApp(page);
  await setParam(page, 'c1', 'filters', 12);
  await dragFromPalette(page, 'dropout', 500, 700);
  await expect(page.getByTestId('btn-undo')).toBeEnabled();
  const before = await exportedGraph(page);
  await page.waitForTimeout(600); // autosave is debounced

  await page.reload();
  await expect(node(page, 'dropout_1')).toBeVisible();
  await viewSettled(page);
  expect(await exportedGraph(page)).toEqual(before);
  await expect(shapeOf(page, 'c1')).toHaveText('28×28×12');
  await page.keyboard.press('Control+z');
  await expect(node(page, 'dropout_1')).toHaveCount(0);
  await page.keyboard.press('Control+z');
  await expect(shapeOf(page, 'c1')).toHaveText('28×28×6');
});

test('a share link opened in a fresh browser restores the same graph', async ({ page, browser }) => {
  await openApp(page);
  await setParam(page, 'f5', 'units', 100);
  await page.getByTestId('graph-name').fill('My <b>net</b>');
  await page.getByTestId('graph-name').blur();
  const graph = await exportedGraph(page);
  await page.getByTestId('btn-share').click();
  const url = await page.getByTestId('share-url').inputValue();
  expect(url).toMatch(/#graph=/);

  const fresh = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const other = await fresh.newPage();
  await openApp(other, url.slice(url.indexOf('/', 8)));
  await expect(other.getByTestId('graph-title')).toHaveText('My <b>net</b>');
  expect(await exportedGraph(other)).toEqual(graph);
  await expect(other.locator('b', { hasText: 'net' })).toHaveCount(0); // shown as text, never as HTML
  await fresh.close();
});

test('a broken link or file shows a clear error and keeps the graph', async ({ page }) => {
  await openApp(page, '/#graph=this-is-not-a-graph');
  await expect(page.getByTestId('load-error')).toContainText('Shared link');
  await expect(page.getByTestId('total-params')).toHaveText('61,706');

  const input = page.getByTestId('open-file');
  await input.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{ "format": "layerlab-graph", "nodes": [') });
  await expect(page.getByTestId('load-error')).toContainText('broken.json: The file is not valid JSON');
  await expect(page.locator('[data-testid="node"]')).toHaveCount(9);

  const hostile = '{"format":"layerlab-graph","version":1,"nodes":[{"id":"a","type":"input","params":{"__proto__":{"x":1}}}],"edges":[]}';
  await input.setInputFiles({ name: 'hostile.json', mimeType: 'application/json', buffer: Buffer.from(hostile) });
  await expect(page.getByTestId('load-error')).toContainText('Refusing the key "__proto__"');
  await expect(page.getByTestId('total-params')).toHaveText('61,706');

  // A good file opens, and Undo brings the previous graph back.
  const good = readFileSync('presets/mlp.json');
  await input.setInputFiles({ name: 'mlp.json', mimeType: 'application/json', buffer: good });
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  await expect(page.getByTestId('total-params')).toHaveText('109,386');
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('total-params')).toHaveText('61,706');
});

test('presets open from the gallery, and ResNet-50 (from blocks) shows its Keras parameter counts', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('btn-presets').click();
  await expect(page.getByTestId('preset-gallery').locator('img')).toHaveCount(7);
  await page.getByTestId('preset-resnet50').click();
  // Made of blocks: 25 nodes on screen, 16 of them bottleneck blocks; 177 layers and Keras' counts.
  await expect(page.locator('[data-testid="node"]')).toHaveCount(25);
  await expect(page.getByTestId('total-params')).toHaveText('25,636,712');
  await expect(page.getByTestId('trainable-params')).toHaveText('25,583,592');
  await expect(page.getByTestId('non-trainable-params')).toHaveText('53,120');
  await expect(shapeOf(page, 'conv1_conv')).toHaveText('112×112×64');
  await viewSettled(page);
  // Still interactive: select a node and change it.
  await node(page, 'conv1_conv').locator('.ll-node-header').click();
  await expect(page.getByTestId('inspector-title')).toHaveText('Conv 2D');
});

test('the diagram exports as SVG and PNG, and the README screenshot is taken', async ({ page }) => {
  await openApp(page);
  const svgDownload = page.waitForEvent('download');
  await page.getByTestId('btn-export-svg').click();
  const svg = readFileSync((await (await svgDownload).path())!, 'utf8');
  expect(svg).toMatch(/^<\?xml/);
  expect(svg).toContain('<svg');
  for (const id of ['image', 'c1', 's2', 'c3', 's4', 'flatten', 'f5', 'f6', 'output']) expect(svg).toContain(`>${id}<`);
  expect(svg).toContain('28×28×6');

  const pngDownload = page.waitForEvent('download');
  await page.getByTestId('btn-export-png').click();
  const png = readFileSync((await (await pngDownload).path())!);
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(png.length).toBeGreaterThan(5000);

  // The README's screenshot: LeNet-5 with its first convolution selected in the inspector.
  await node(page, 'c1').locator('.ll-node-header').click();
  await expect(page.getByTestId('inspector-title')).toHaveText('Conv 2D');
  await page.mouse.move(0, 0);
  mkdirSync('docs', { recursive: true });
  await page.screenshot({ path: 'docs/editor-lenet5.png' });
});

test('auto-arrange lays the graph out as one undo step', async ({ page }) => {
  await openApp(page);
  const before = await exportedGraph(page);
  await page.getByTestId('btn-arrange').click();
  await expect(page.getByTestId('btn-undo')).toHaveAttribute('title', /Undo Auto-arrange/);
  const after = await exportedGraph(page);
  const pos = (g: Record<string, unknown>) => (g.nodes as { id: string; position: number[] }[]).map((n) => `${n.id}:${n.position.join(',')}`);
  expect(pos(after)).not.toEqual(pos(before));
  // Left to right in data-flow order.
  const x = (g: Record<string, unknown>, id: string) => (g.nodes as { id: string; position: number[] }[]).find((n) => n.id === id)!.position[0]!;
  expect(x(after, 'image')).toBeLessThan(x(after, 'c1'));
  expect(x(after, 'f6')).toBeLessThan(x(after, 'output'));
  await page.keyboard.press('Control+z');
  expect(pos(await exportedGraph(page))).toEqual(pos(before));
});

test('layers can be added from the context menu and by double-clicking the canvas', async ({ page }) => {
  await openApp(page);
  const canvas = page.getByTestId('canvas');
  await canvas.click({ button: 'right', position: { x: 200, y: 120 } });
  await page.getByTestId('context-menu-search-input').fill('(');
  await expect(page.getByTestId('context-menu-item')).toHaveCount(0); // a bracket filters, it does not crash
  await page.getByTestId('context-menu-search-input').fill('batch');
  await page.getByTestId('context-menu-item').filter({ hasText: 'Batch Normalization' }).click();
  await expect(node(page, 'batchNormalization_1')).toBeVisible();

  await canvas.dblclick({ position: { x: 600, y: 120 } });
  await expect(page.getByTestId('quick-add')).toBeVisible();
  await page.getByTestId('quick-add-search').fill('upsa');
  await page.getByTestId('quick-add-search').press('Enter');
  await expect(node(page, 'upSampling2d_1')).toBeVisible();

  // Right-click a node: delete it.
  await node(page, 'upSampling2d_1').locator('.ll-node-header').click({ button: 'right' });
  await page.getByTestId('context-menu-item').filter({ hasText: 'Delete' }).click();
  await expect(node(page, 'upSampling2d_1')).toHaveCount(0);
});

test('a .json file dropped on the canvas opens; Ctrl+S saves the graph as a file', async ({ page }) => {
  await openApp(page);
  const text = readFileSync('presets/resnet-mini.json', 'utf8');
  const dataTransfer = await page.evaluateHandle((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'resnet-mini.json', { type: 'application/json' }));
    return dt;
  }, text);
  await page.getByTestId('canvas').dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId('graph-title')).toHaveText('ResNet-mini');
  await expect(page.getByTestId('total-params')).toHaveText('97,114');

  const download = page.waitForEvent('download');
  await page.keyboard.press('Control+s');
  const saved = await download;
  expect(saved.suggestedFilename()).toBe('ResNet-mini.json');
  expect(readFileSync((await saved.path())!, 'utf8')).toBe(text);
});
