import { test, expect } from '@playwright/test';

/** A small graph whose Add node gets 8×8×4 and 8×8×8: a legal file with a shape error. */
const MISMATCHED_ADD = {
  format: 'layerlab-graph',
  version: 1,
  name: 'Mismatched add',
  description: 'Two branches with different channel counts added together.',
  nodes: [
    { id: 'image', type: 'input', params: { shape: [8, 8, 1] } },
    { id: 'narrow', type: 'conv2d', params: { filters: 4, kernelSize: 3, padding: 'same' } },
    { id: 'wide', type: 'conv2d', params: { filters: 8, kernelSize: 3, padding: 'same' } },
    { id: 'sum', type: 'add', params: {} },
  ],
  edges: [
    { from: ['image', 'out'], to: ['narrow', 'in'] },
    { from: ['image', 'out'], to: ['wide', 'in'] },
    { from: ['narrow', 'out'], to: ['sum', 'in0'] },
    { from: ['wide', 'out'], to: ['sum', 'in1'] },
  ],
};

const PAYLOAD = '<img src=x onerror=alert(1)>';

function jsonFile(name: string, value: unknown) {
  return { name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value)) };
}

/** Dialogs opened during a test (an injected alert() would open one); each test expects none. */
let dialogs: string[] = [];

test.beforeEach(async ({ page }) => {
  dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto('/');
});

test.afterEach(() => {
  expect(dialogs).toEqual([]);
});

test('loads with LeNet-5 selected and shows its shapes and parameter counts', async ({ page }) => {
  await expect(page).toHaveTitle('LayerLab');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('LayerLab');
  await expect(page.getByTestId('preset-lenet5')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('graph-name')).toHaveText('LeNet-5');

  await expect(page.getByTestId('total-params')).toHaveText('61,706');
  await expect(page.getByTestId('trainable-params')).toHaveText('61,706');
  await expect(page.getByTestId('non-trainable-params')).toHaveText('0');
  await expect(page.getByTestId('shape-c1')).toHaveText('28×28×6');
  await expect(page.getByTestId('params-c1')).toHaveText('156');
  await expect(page.getByTestId('shape-s4')).toHaveText('5×5×16');
  await expect(page.getByTestId('params-f5')).toHaveText('48,120');

  // Rows follow the data flow, and types show the node definition's title and summary.
  const rows = page.locator('tbody tr');
  await expect(rows).toHaveCount(9);
  await expect(rows.first()).toHaveAttribute('data-testid', 'node-row-image');
  await expect(rows.last()).toHaveAttribute('data-testid', 'node-row-output');
  const c1Type = page.getByTestId('node-row-c1').getByTitle('Slides learned filters over the image to detect local patterns.');
  await expect(c1Type).toHaveText('Conv 2D');

  await expect(page.getByTestId('diagnostic')).toHaveCount(0);
  await expect(page.getByTestId('diagnostics')).toHaveText('No problems found.');
  await expect(page.getByTestId('load-error')).toHaveCount(0);
});

test('clicking the ResNet-50 preset shows its totals', async ({ page }) => {
  await page.getByTestId('preset-resnet50').click();
  await expect(page.getByTestId('preset-resnet50')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('preset-lenet5')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('graph-name')).toHaveText('ResNet-50');
  await expect(page.getByTestId('total-params')).toHaveText('25,636,712');
  await expect(page.getByTestId('trainable-params')).toHaveText('25,583,592');
  await expect(page.getByTestId('non-trainable-params')).toHaveText('53,120');
  await expect(page.getByTestId('shape-conv1_conv')).toHaveText('112×112×64');
  await expect(page.getByTestId('diagnostic')).toHaveCount(0);
});

test('an invalid file shows an error and keeps the graph shown before', async ({ page }) => {
  await page.getByTestId('preset-resnet-mini').click();
  await expect(page.getByTestId('graph-name')).toHaveText('ResNet-mini');
  const total = await page.getByTestId('total-params').textContent();
  expect(total).toMatch(/^[\d,]+$/);

  // Through the real file chooser that the button opens.
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Open graph file…' }).click();
  await (await chooser).setFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "layerlab-graph", ') });

  const alert = page.getByTestId('load-error');
  await expect(alert).toBeVisible();
  await expect(alert).toHaveAttribute('role', 'alert');
  await expect(alert).toContainText('broken.json');
  await expect(alert).toContainText('not valid JSON');
  await expect(page.getByTestId('graph-name')).toHaveText('ResNet-mini');
  await expect(page.getByTestId('total-params')).toHaveText(total!);
  await expect(page.getByTestId('preset-resnet-mini')).toHaveAttribute('aria-pressed', 'true');

  // A file that is JSON but not a graph is refused the same way.
  await page.getByTestId('open-file').setInputFiles(jsonFile('other.json', { hello: 'world' }));
  await expect(alert).toContainText('not a LayerLab graph');
  await expect(page.getByTestId('total-params')).toHaveText(total!);

  // Choosing something good clears the error.
  await page.getByTestId('preset-lenet5').click();
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  await expect(page.getByTestId('total-params')).toHaveText('61,706');
});

test('a file over the size limit is refused before it is read', async ({ page }) => {
  const big = Buffer.alloc(11 * 1024 * 1024, 0x20);
  await page.getByTestId('open-file').setInputFiles({ name: 'huge.json', mimeType: 'application/json', buffer: big });
  await expect(page.getByTestId('load-error')).toContainText('LayerLab graph files are at most');
  await expect(page.getByTestId('total-params')).toHaveText('61,706');
});

test('a half-built graph opens and shows its diagnostics', async ({ page }) => {
  await page.getByTestId('open-file').setInputFiles(jsonFile('mismatch.json', MISMATCHED_ADD));

  await expect(page.getByTestId('graph-name')).toHaveText('Mismatched add');
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  await expect(page.getByTestId('preset-lenet5')).toHaveAttribute('aria-pressed', 'false');
  const diagnostic = page.getByTestId('diagnostic').filter({ hasText: 'Add needs inputs of equal shape' });
  await expect(diagnostic).toHaveCount(1);
  await expect(diagnostic).toContainText('error');
  await expect(diagnostic).toContainText('narrow gives 8×8×4, wide gives 8×8×8');

  await expect(page.getByTestId('shape-narrow')).toHaveText('8×8×4');
  await expect(page.getByTestId('params-narrow')).toHaveText('40');
  await expect(page.getByTestId('shape-sum')).toHaveText('?');
  await expect(page.getByTestId('params-sum')).toHaveText('?');
  await expect(page.getByTestId('total-params')).toHaveText('120');
});

test('text from a file is shown as text, never as HTML', async ({ page }) => {
  const hostile = {
    ...MISMATCHED_ADD,
    name: `Name ${PAYLOAD}`,
    description: `Look: ${PAYLOAD}`,
    nodes: [...MISMATCHED_ADD.nodes, { id: 'odd', type: PAYLOAD, params: {} }],
  };
  await page.getByTestId('open-file').setInputFiles(jsonFile('hostile.json', hostile));

  await expect(page.getByTestId('graph-description')).toHaveText(`Look: ${PAYLOAD}`);
  await expect(page.getByTestId('graph-name')).toHaveText(`Name ${PAYLOAD}`);
  await expect(page.getByTestId('diagnostic').filter({ hasText: `unknown node type "${PAYLOAD}"` })).toHaveCount(1);
  await expect(page.getByTestId('node-row-odd')).toContainText(PAYLOAD);
  await expect(page.locator('img')).toHaveCount(0);
});
