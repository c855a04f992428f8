/** Graphs in pictures: the exported PNG and SVG diagrams carry the graph; dropping one back opens it. */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { decode } from 'fast-png';
import { exportedGraph, newGraph, node, openApp, setParam } from './helpers';

/** Drops a file with these bytes on the canvas, as the browser does for a file dragged from the desktop. */
async function dropFile(page: Page, name: string, type: string, bytes: Buffer) {
  const dataTransfer = await page.evaluateHandle(
    ({ b64, name, type }) => {
      const bin = atob(b64);
      const data = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([data], name, { type }));
      return dt;
    },
    { b64: bytes.toString('base64'), name, type },
  );
  await page.getByTestId('canvas').dispatchEvent('drop', { dataTransfer });
}

async function download(page: Page, button: string): Promise<{ name: string; bytes: Buffer }> {
  const pending = page.waitForEvent('download');
  await page.getByTestId(button).click();
  const d = await pending;
  return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
}

const NAME = 'Net </metadata> ]]> <script>alert(1)</script>';

test('PNG and SVG diagrams exported by LayerLab, dropped back on a fresh page, restore the graph', async ({ page, browser }) => {
  const errors = await openApp(page);
  await setParam(page, 'f5', 'units', 100);
  await page.getByTestId('graph-name').fill(NAME);
  await page.getByTestId('graph-name').blur();
  const graph = await exportedGraph(page);
  const ids = await page.locator('[data-testid="node"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id')).sort());
  expect(ids).toHaveLength(9);

  const png = await download(page, 'btn-export-png');
  expect(png.name).toMatch(/\.png$/);
  // Still a valid picture (every CRC checked by fast-png), drawn by the browser's canvas.
  const image = decode(png.bytes, { checkCrc: true });
  expect(image.width).toBeGreaterThan(200);
  const svg = await download(page, 'btn-export-svg');
  expect(svg.name).toMatch(/\.svg$/);
  // The browser's strict XML parser reads the SVG, and no script element came out of the graph's name.
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return { errors: doc.getElementsByTagName('parsererror').length, scripts: doc.getElementsByTagName('script').length, meta: doc.getElementById('layerlab-graph')?.textContent ?? '' };
  }, svg.bytes.toString('utf8'));
  expect(parsed).toMatchObject({ errors: 0, scripts: 0 });
  expect(JSON.parse(parsed.meta)).toEqual(graph);

  const fresh = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const other = await fresh.newPage();
  const otherErrors = await openApp(other);
  for (const [file, type] of [
    [png, 'image/png'],
    [svg, 'image/svg+xml'],
  ] as const) {
    await newGraph(other); // another graph: only the input node
    await dropFile(other, file.name, type, file.bytes);
    await expect(other.getByTestId('graph-title')).toHaveText(NAME);
    await expect(other.locator('[data-testid="node"]')).toHaveCount(9);
    expect(await other.locator('[data-testid="node"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id')).sort())).toEqual(ids);
    expect(await exportedGraph(other)).toEqual(graph);
    await expect(other.getByTestId('load-error')).toHaveCount(0);
  }
  // Opened like a file: one undo step back to the empty graph.
  await other.keyboard.press('Control+z');
  await expect(other.locator('[data-testid="node"]')).toHaveCount(1);
  await fresh.close();
  expect([...errors, ...otherErrors]).toEqual([]);
});

test('a picture without a graph says so and keeps the current graph', async ({ page }) => {
  const errors = await openApp(page);
  const before = await exportedGraph(page);
  // A PNG the browser made that LayerLab did not put a graph in (the README screenshot).
  await dropFile(page, 'screenshot.png', 'image/png', readFileSync('docs/editor-lenet5.png'));
  await expect(page.getByTestId('load-error')).toContainText('screenshot.png: This picture has no LayerLab graph in it.');
  await expect(node(page, 'c1')).toBeVisible();
  expect(await exportedGraph(page)).toEqual(before);

  // Through the Open dialog: an SVG without the graph, and a damaged PNG.
  await page.getByTestId('open-file').setInputFiles({ name: 'plain.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/></svg>') });
  await expect(page.getByTestId('load-error')).toContainText('plain.svg: This picture has no LayerLab graph in it.');
  await page.getByTestId('open-file').setInputFiles({ name: 'cut.png', mimeType: 'image/png', buffer: readFileSync('docs/editor-lenet5.png').subarray(0, 5000) });
  await expect(page.getByTestId('load-error')).toContainText('cut.png: The PNG picture is cut short');
  expect(await exportedGraph(page)).toEqual(before);
  expect(errors).toEqual([]);
});
