/**
 * Learning-rate schedules, weight decay and keeping the best epoch, in the Train tab of what
 * `npm start` serves: a schedule's own settings appear only with it, a run draws the learning
 * rate per epoch, and the panel says which epoch's weights were kept. A tiny folder of generated
 * images keeps each epoch to a fraction of a second.
 */
import { expect, test } from '@playwright/test';
import { exportedGraph, openApp, setSetting } from './helpers';
import { writeImageFolder } from './png';

test('a step schedule halves the learning rate every epoch, the chart draws it, and the best epoch is kept', async ({ page }, testInfo) => {
  const dir = testInfo.outputPath('two-classes');
  writeImageFolder(dir, { dark: 20, light: 20 });
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-backend-info')).toContainText('Training on wasm');

  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('train-dataset').selectOption('custom');
  await (await chooser).setFiles(dir);
  await expect(page.getByTestId('train-dataset-info')).toContainText('2 classes');
  const fix = page.getByTestId('train-fit-fix');
  for (let i = 0; i < 4 && (await fix.count()) > 0; i++) await fix.first().click();
  await expect(page.getByTestId('train-fit-problem')).toHaveCount(0);

  // A schedule's own settings show only with it.
  await expect(page.getByTestId('train-lrStepEpochs')).toHaveCount(0);
  await page.getByTestId('train-lrSchedule').selectOption('step');
  await expect(page.getByTestId('train-lrStepEpochs')).toBeVisible();
  await expect(page.getByTestId('train-lrPatience')).toHaveCount(0);
  await setSetting(page, 'train-lrStepEpochs', 1);
  await setSetting(page, 'train-lrFactor', 0.5);
  await setSetting(page, 'train-weightDecay', 0.01);
  await setSetting(page, 'train-val', 0.25);
  await page.getByTestId('train-keepBestWeights').check();
  await setSetting(page, 'train-epochs', 4);
  const lr = Number(await page.getByTestId('train-lr').inputValue());

  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('test-accuracy')).toHaveText(/^\d+\.\d\d%$/, { timeout: 60_000 });
  // One learning rate per epoch: 4 points, and the panel names the epoch whose weights it kept.
  await expect(page.getByTestId('chart-lr')).toHaveAttribute('data-points', '4');
  // Epoch 4 ran at the learning rate halved three times.
  expect(Number(await page.getByTestId('chart-lr').getAttribute('data-last'))).toBeCloseTo(lr / 8, 10);
  await expect(page.getByTestId('train-status')).toContainText(/Kept epoch \d's weights \(lowest validation loss\)/);

  // The settings travel with the graph (the file Save writes).
  const saved = (await exportedGraph(page)) as { training?: Record<string, unknown> };
  expect(saved.training).toMatchObject({ lrSchedule: 'step', lrStepEpochs: 1, lrFactor: 0.5, weightDecay: 0.01, keepBestWeights: true, epochs: 4 });
  expect(errors).toEqual([]);
});
