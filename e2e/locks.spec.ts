/** Locked and hidden parts (graph/locks.ts) with a real mouse and keyboard on what `npm start` serves. */
import { expect, test } from '@playwright/test';
import { dropText, exportedGraph, node, openApp, viewSettled } from './helpers';

/** A handout: the input and the classifier are locked, c1's filters locked and its kernel size hidden. */
const HANDOUT = {
  format: 'layerlab-graph',
  version: 2,
  name: 'Handout',
  description: 'Finish the network',
  nodes: [
    { id: 'image', type: 'input', params: { shape: [28, 28, 1] }, position: [0, 0], locked: true },
    { id: 'c1', type: 'conv2d', params: { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }, position: [300, 0], lockedParams: ['filters'], hiddenParams: ['kernelSize'] },
    { id: 'flat', type: 'flatten', params: {}, position: [600, 0] },
    { id: 'd1', type: 'dense', params: { units: 10, activation: 'softmax' }, position: [900, 0], locked: true },
  ],
  edges: [
    { from: ['image', 'out'], to: ['c1', 'in'], locked: true },
    { from: ['c1', 'out'], to: ['flat', 'in'] },
    { from: ['flat', 'out'], to: ['d1', 'in'] },
  ],
};

const nodeOf = (g: Record<string, unknown>, id: string) => (g.nodes as { id: string }[]).find((n) => n.id === id) as Record<string, unknown> | undefined;

test('a handout opens in learner mode: locks refuse edits with a message, hidden params are hidden, instructor mode lifts them', async ({ page }) => {
  const errors = await openApp(page);
  await dropText(page, JSON.stringify(HANDOUT), 'handout.json');
  await expect(page.locator('[data-testid="node"]')).toHaveCount(4);
  await viewSettled(page);

  const mode = page.getByTestId('mode-indicator');
  await expect(mode).toHaveAttribute('data-mode', 'learner');
  await expect(mode).toContainText('Learner mode');
  await expect(page.getByTestId('btn-mode')).toHaveAttribute('title', /not security/);

  // Shown as locked on the canvas; the hidden kernel size is not on c1's face.
  await expect(node(page, 'd1').getByTestId('node-lock')).toBeVisible();
  await expect(node(page, 'c1').getByTestId('face-lock-filters')).toBeVisible();
  await expect(node(page, 'c1').getByTestId('param-c1-filters')).toBeVisible();
  await expect(node(page, 'c1').getByTestId('param-c1-kernelSize-h')).toHaveCount(0);
  await expect(page.getByTestId('locked-wire')).toHaveCount(1);

  // The inspector: the locked param is read-only, says why, and a try is refused with the message.
  await node(page, 'c1').locator('.ll-node-header').click();
  const filters = page.getByTestId('param-inspector-c1-filters');
  await expect(filters).toHaveAttribute('readonly', '');
  await expect(filters).toHaveAttribute('title', 'The instructor locked “filters” of c1.');
  await expect(page.getByTestId('param-inspector-c1-kernelSize-h')).toHaveCount(0);
  await filters.click();
  await page.keyboard.press('9');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('notice')).toHaveText('The instructor locked “filters” of c1.');
  await expect(filters).toHaveValue('8');
  await expect(node(page, 'c1').getByTestId('node-shape')).toHaveText('28×28×8');
  // An unlocked param of the same node is the learner's to change.
  await page.getByTestId('param-inspector-c1-activation').selectOption('tanh');
  await expect(node(page, 'c1').getByTestId('param-c1-activation')).toHaveValue('tanh');

  // Deleting a locked node is refused; the node stays.
  await node(page, 'd1').locator('.ll-node-header').click();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('notice')).toHaveText('The instructor locked d1: it cannot be deleted.');
  await expect(node(page, 'd1')).toHaveCount(1);

  // Picking the locked wire up from c1's input leaves it where it is.
  const socket = node(page, 'c1').locator('[data-testid="input-in"] [data-testid="input-socket"]');
  const box = (await socket.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 60, box.y + 200, { steps: 6 });
  await page.mouse.up();
  await expect(page.getByTestId('cursor-message')).toHaveText('The instructor locked the wire image → c1: it cannot be removed.');
  await expect(page.locator('[data-testid="connection"]')).toHaveCount(3);
  await expect(page.getByTestId('quick-add')).toHaveCount(0);

  // Instructor mode: everything shows and is editable, and locks can be set.
  await page.getByTestId('btn-mode').click();
  await expect(mode).toHaveAttribute('data-mode', 'author');
  await node(page, 'c1').locator('.ll-node-header').click();
  await expect(page.getByTestId('param-inspector-c1-kernelSize-h')).toBeVisible();
  await expect(node(page, 'c1').getByTestId('param-c1-kernelSize-h')).toBeVisible();
  await page.getByTestId('param-inspector-c1-filters').fill('16');
  await page.getByTestId('param-inspector-c1-filters').press('Enter');
  await expect(node(page, 'c1').getByTestId('node-shape')).toHaveText('28×28×16');
  await expect(page.getByTestId('inspector-locks')).toHaveAttribute('open', ''); // c1 has locks: the section shows them
  await page.getByTestId('lock-param-activation').check();
  await page.getByTestId('hide-param-kernelSize').uncheck();
  // A wire's context menu locks it (the middle of a wire is the middle of its two sockets).
  const out = (await node(page, 'c1').locator('[data-testid="output-out"] [data-testid="output-socket"]').boundingBox())!;
  const into = (await node(page, 'flat').locator('[data-testid="input-in"] [data-testid="input-socket"]').boundingBox())!;
  await page.mouse.click((out.x + out.width / 2 + into.x + into.width / 2) / 2, (out.y + out.height / 2 + into.y + into.height / 2) / 2, { button: 'right' });
  await page.getByTestId('context-menu-item').filter({ hasText: 'Lock wire' }).click();
  await expect(page.getByTestId('locked-wire')).toHaveCount(2);

  const saved = await exportedGraph(page);
  expect(nodeOf(saved, 'c1')).toMatchObject({ params: { filters: 16, activation: 'tanh' }, lockedParams: ['filters', 'activation'] });
  expect(nodeOf(saved, 'c1')!.hiddenParams).toBeUndefined();
  expect(nodeOf(saved, 'd1')).toMatchObject({ locked: true });
  expect((saved.edges as Record<string, unknown>[]).slice(0, 2)).toEqual([
    { from: ['image', 'out'], to: ['c1', 'in'], locked: true },
    { from: ['c1', 'out'], to: ['flat', 'in'], locked: true },
  ]);

  await node(page, 'd1').locator('.ll-node-header').click();
  await page.keyboard.press('Delete');
  await expect(node(page, 'd1')).toHaveCount(0);

  // Back to learner mode: the new lock holds.
  await page.getByTestId('btn-mode').click();
  await expect(mode).toHaveAttribute('data-mode', 'learner');
  await node(page, 'c1').locator('.ll-node-header').click();
  const activation = page.getByTestId('param-inspector-c1-activation');
  await expect(activation).toHaveAttribute('aria-disabled', 'true');
  await expect(activation).toHaveAttribute('title', 'The instructor locked “activation” of c1.');
  await activation.focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('notice')).toHaveText('The instructor locked “activation” of c1.');
  await expect(activation).toHaveValue('tanh');
  expect(errors).toEqual([]);
});

test('a learner inside a block: locked inner nodes show 🔒 and refuse; the heading says Block; Make block refuses a locked node; cold faces show 🔒', async ({ page }) => {
  const errors = await openApp(page);
  // HANDOUT with c1 and flat made a block by the instructor: c1's locks go inside.
  const { nodes, edges } = HANDOUT;
  const withBlock = {
    ...HANDOUT,
    nodes: [nodes[0], { id: 'body', type: 'block', params: { block: 'body' }, position: [300, 0] }, nodes[3]],
    edges: [
      { from: ['image', 'out'], to: ['body', 'in0'] },
      { from: ['body', 'out'], to: ['d1', 'in'] },
    ],
    blocks: [{ id: 'body', name: 'Body', inputs: ['x'], output: 'flat', nodes: [nodes[1], nodes[2]], edges: [{ from: ['x', 'out'], to: ['c1', 'in'] }, { ...edges[1], locked: true }] }],
  };
  await dropText(page, JSON.stringify(withBlock), 'block-handout.json');
  await expect(page.locator('[data-testid="node"]')).toHaveCount(3);
  await viewSettled(page);
  await expect(page.getByTestId('mode-indicator')).toHaveAttribute('data-mode', 'learner');
  // Make block of a locked node is refused with the reason.
  await node(page, 'd1').locator('.ll-node-header').click();
  await page.keyboard.press('Control+g');
  await expect(page.getByTestId('notice')).toHaveText('The instructor locked d1: it cannot be put into a block.');

  await node(page, 'body').locator('.ll-node-header').dblclick();
  await expect(page.getByTestId('block-breadcrumb')).toContainText('body');
  await expect(page.locator('[data-testid="node"]')).toHaveCount(3); // x, c1, flat
  await viewSettled(page);
  // Nothing selected inside: the inspector edits the block.
  await expect(page.getByTestId('inspector').locator('h2')).toHaveText('Block');
  await expect(page.getByTestId('inspector')).toContainText('Block name');
  await expect(node(page, 'c1').getByTestId('face-lock-filters')).toBeVisible();
  await expect(page.getByTestId('locked-wire')).toHaveCount(1);
  await node(page, 'c1').locator('.ll-node-header').click();
  const filters = page.getByTestId('param-inspector-c1-filters');
  await expect(filters).toHaveAttribute('readonly', '');
  await filters.click();
  await page.keyboard.press('9');
  await expect(page.getByTestId('notice')).toHaveText('The instructor locked “filters” of c1.');
  await node(page, 'flat').locator('.ll-node-header').click();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('notice')).toHaveText('The instructor locked the wire c1 → flat: it cannot be removed.');
  await expect(node(page, 'flat')).toHaveCount(1);
  // Esc clears the selection, then leaves the block (which selects the instance), then clears again.
  await node(page, 'flat').locator('.ll-node-header').click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('block-breadcrumb')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('inspector').locator('h2')).toHaveText('Graph');

  // A big graph (cold faces for far nodes): a far locked node's cold face shows 🔒.
  const chainNodes = Array.from({ length: 80 }, (_, i) =>
    i === 0 ? { id: 'image', type: 'input', params: { shape: [8, 8, 1] }, position: [0, 0] } : { id: `r${i}`, type: 'activation', params: {}, position: [i * 300, 0], ...(i === 79 ? { locked: true } : {}) },
  );
  const big = { ...HANDOUT, nodes: chainNodes, edges: chainNodes.slice(1).map((n, i) => ({ from: [chainNodes[i]!.id, 'out'], to: [n.id, 'in'] })) };
  await dropText(page, JSON.stringify(big), 'big.json');
  await expect(page.locator('[data-testid="node"]')).toHaveCount(80);
  await viewSettled(page);
  const far = node(page, 'r79');
  await expect(far).toHaveAttribute('data-face', 'cold');
  await expect(far.getByTestId('node-lock')).toHaveCount(1);
  expect(await far.getByTestId('node-lock').evaluate((el) => (el as HTMLElement).hidden)).toBe(false);
  await expect(node(page, 'r78').getByTestId('node-lock')).toHaveCount(0);
  expect(errors).toEqual([]);
});
