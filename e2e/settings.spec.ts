/**
 * Settings the parser would refuse can no longer be typed: the Train tab refuses a learning rate
 * above the file format's bound where it is typed (with the allowed range, the old value kept),
 * the graph's name stops at its limit, and so the autosave always opens again after a reload.
 */
import { expect, test } from '@playwright/test';
import { dragFromPalette, exportedGraph, node, openApp, viewSettled } from './helpers';

test('a learning rate of 11 or 1000000 is refused with a message, the old one stays, and a reload keeps the graph', async ({ page }) => {
  const errors = await openApp(page);
  // A visible change to the graph first: a Dropout node.
  await dragFromPalette(page, 'dropout', 500, 700);
  await expect(node(page, 'dropout_1')).toBeVisible();

  await page.getByTestId('tab-train').click();
  const lr = page.getByTestId('train-lr');
  const message = page.getByTestId('train-lr-error');
  const before = await lr.inputValue(); // the preset's learning rate
  expect(Number(before)).toBeGreaterThan(0);
  await expect(message).toHaveCount(0);
  for (const bad of ['11', '1000000']) {
    await lr.fill(bad);
    await lr.press('Enter');
    await expect(message).toBeVisible();
    await expect(message).toHaveText('Learning rate must be more than 0 and at most 10.');
    await expect(lr).toHaveValue(before);
    await expect(lr).toHaveAttribute('aria-invalid', 'true');
  }
  // The tooltip explains the setting; the bounds the browser knows are the parser's.
  await expect(page.locator('label', { has: lr })).toHaveAttribute('title', /how big a step/i);
  await expect(lr).toHaveAttribute('max', '10');

  // The largest allowed value is taken, and the message goes.
  await lr.fill('10');
  await lr.press('Enter');
  await expect(lr).toHaveValue('10');
  await expect(message).toHaveCount(0);
  // Escape leaves the field as it was.
  await lr.fill('0.5');
  await lr.press('Escape');
  await expect(lr).toHaveValue('10');
  // A batch size that is not a whole number is refused the same way.
  const batch = page.getByTestId('train-batch');
  await batch.fill('64.5');
  await batch.press('Enter');
  await expect(page.getByTestId('train-batch-error')).toHaveText('Batch size must be a whole number from 1 to 4096.');
  await expect(batch).toHaveValue('64');

  // The graph's name stops at the parser's limit (200), and says so.
  await page.getByTestId('tab-inspect').click();
  await page.keyboard.press('Escape'); // clear the selection: the inspector shows the graph
  const name = page.getByTestId('graph-name');
  await expect(name).toHaveAttribute('maxlength', '200');
  await name.fill('n'.repeat(250));
  await expect(name).toHaveValue('n'.repeat(200));
  await expect(page.getByTestId('graph-name-count')).toContainText('200 / 200 characters');
  await name.blur();
  await expect(page.getByTestId('graph-description')).toHaveAttribute('maxlength', '20000');

  const saved = await exportedGraph(page);
  expect((saved.training as { learningRate: number }).learningRate).toBe(10);
  expect(saved.name).toBe('n'.repeat(200));
  await page.waitForTimeout(600); // autosave is debounced

  await page.reload();
  await expect(node(page, 'dropout_1')).toBeVisible();
  await viewSettled(page);
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  expect(await exportedGraph(page)).toEqual(saved);
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-lr')).toHaveValue('10');
  expect(errors).toEqual([]);
});
