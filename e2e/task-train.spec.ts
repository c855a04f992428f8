/**
 * The Train tab for segmentation and detection, end to end on the WASM backend: the Detector
 * mini preset trains one epoch on the built-in Shapes with boxes, its result shows mAP@0.5 and AP
 * per class (mAP checked against the table's own numbers), and a worst image opens in the Probe
 * tab; LeNet-5 (a classifier) on Shapes with masks says the tasks differ, and its Fix it sets the
 * graph's task. (The U-Net probe overlay has its own spec.)
 */
import { expect, test, type Page } from '@playwright/test';
import { openApp, setSetting } from './helpers';

/** Opens the app on WASM, goes to the Train tab and waits for LeNet-5's MNIST to be loaded. */
async function openTrainTab(page: Page) {
  const errors = await openApp(page, '/?backend=wasm');
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-backend-info')).toContainText('Training on wasm', { timeout: 60_000 });
  // MNIST first (a dataset chosen while another is loading is not loaded afterwards).
  await expect(page.getByTestId('train-dataset-info')).toContainText('10 classes', { timeout: 60_000 });
  return errors;
}

/** "42.3%" → 42.3; "—" → null. */
const percentOf = (text: string | null): number | null => {
  const m = text?.trim().match(/^(\d+(?:\.\d+)?)%$/);
  return m ? Number(m[1]) : null;
};

test('Detector mini trains on Shapes with boxes: live loss, mAP and AP per class, a worst image opens in the probe', async ({ page }) => {
  test.setTimeout(300_000);
  const errors = await openTrainTab(page);
  await page.getByTestId('btn-presets').click();
  await page.getByTestId('preset-detector-mini').click();
  await expect(page.getByTestId('graph-title')).toContainText('Detector mini');
  await expect(page.getByTestId('train-task')).toHaveValue('detection');
  await expect(page.getByTestId('train-dataset')).toHaveValue('shapes-boxes');
  await expect(page.getByTestId('train-dataset-info')).toContainText('32×32×1, 4 classes (boxes per image)', { timeout: 60_000 });
  // The preset fits its data; the segmentation loss is not offered to a detector.
  await expect(page.getByTestId('train-fit-problem')).toHaveCount(0);
  await expect(page.getByTestId('train-segmentationLoss')).toHaveCount(0);

  await setSetting(page, 'train-epochs', 1);
  await page.getByTestId('train-start').click();
  const status = page.getByTestId('train-status');
  // The live line has the loss, and no accuracy (a detector has none per batch).
  await expect(status).toContainText(/epoch 1\/1, batch \d+\/\d+ · [\d,]+ images\/s · .* left · loss \d+\.\d{3}/, { timeout: 60_000 });
  expect(await status.textContent()).not.toContain('accuracy');
  await expect(page.getByTestId('result-map')).toHaveText(/^\d+\.\d%$/, { timeout: 240_000 });
  await expect(status).toHaveText('Done.');
  await expect(page.getByTestId('chart-accuracy')).toHaveCount(0);
  await expect(page.getByTestId('chart-score')).toBeVisible();
  await expect(page.getByTestId('test-accuracy')).toHaveCount(0);
  await expect(page.getByTestId('confusion-matrix')).toHaveCount(0);

  // AP per class, one row per shape; mAP is the mean of the classes' APs (each shown to 0.1%).
  const rows = page.getByTestId('result-per-class').locator('tbody tr');
  await expect(rows).toHaveCount(4);
  await expect(rows.locator('th')).toHaveText(['circle', 'square', 'triangle', 'cross']);
  const aps = (await rows.locator('td:nth-child(2)').allTextContents()).map(percentOf);
  const objects = (await rows.locator('td:nth-child(3)').allTextContents()).map(Number);
  // Every shape is in the 500 test images, so every class has an AP.
  for (const [i, n] of objects.entries()) {
    expect(n, `objects of class ${i}`).toBeGreaterThan(0);
    expect(aps[i], `AP of class ${i}`).not.toBeNull();
  }
  const mean = aps.reduce((s: number, a) => s + a!, 0) / aps.length;
  const map = percentOf(await page.getByTestId('result-map').textContent())!;
  expect(Math.abs(map - mean)).toBeLessThanOrEqual(0.1);
  // A trained detector finds some boxes after one epoch.
  expect(map).toBeGreaterThan(0);

  // The worst images, worst first; clicking one opens it in the Probe tab.
  const worst = page.getByTestId('result-worst').getByTestId('result-worst-image');
  await expect(worst.first()).toBeVisible();
  const scores = (await worst.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-score'))))) as number[];
  expect(scores.length).toBeGreaterThan(0);
  for (let i = 1; i < scores.length; i++) expect(scores[i]!).toBeGreaterThanOrEqual(scores[i - 1]!);
  const pick = worst.nth(Math.min(1, scores.length - 1));
  const index = await pick.getAttribute('data-index');
  await expect(pick.getByTestId('worst-thumb')).toBeVisible();
  await pick.click();
  await expect(page.getByTestId('tab-probe')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('probe-index')).toHaveValue(index!, { timeout: 30_000 });
  expect(errors).toEqual([]);
});

test('LeNet-5 on Shapes with masks: the tasks differ, Fix it makes it a segmentation graph; choosing a task picks a dataset for it', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = await openTrainTab(page);
  await expect(page.getByTestId('train-task')).toHaveValue('classification');
  await expect(page.getByTestId('train-segmentationLoss')).toHaveCount(0);
  await page.getByTestId('train-dataset').selectOption({ label: 'Shapes with masks (segmentation)' });
  await expect(page.getByTestId('train-dataset-info')).toContainText('32×32×1, 5 classes (a mask per image)', { timeout: 60_000 });

  const problems = page.getByTestId('train-fit-problem');
  const taskProblem = problems.filter({ hasText: "This graph's task is classification" });
  await expect(taskProblem).toContainText('a mask per image (segmentation)');
  await expect(taskProblem).toContainText("change the graph's task to segmentation");
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await taskProblem.getByTestId('train-fit-fix').click();

  // The graph is a segmentation graph now: its settings say so, and the segmentation loss is offered.
  await expect(page.getByTestId('train-task')).toHaveValue('segmentation');
  await expect(taskProblem).toHaveCount(0);
  await expect(page.getByTestId('train-segmentationLoss')).toBeVisible();
  // A classifier's 10 numbers are no mask: said, with no one-click fix for it; the Input still has its own.
  const outputProblem = problems.filter({ hasText: 'a mask of this dataset is 32×32 with 5 classes' });
  await expect(outputProblem).toHaveCount(1);
  await expect(outputProblem.getByTestId('train-fit-fix')).toHaveCount(0);
  await expect(problems.filter({ hasText: 'The Input node is 28×28×1' }).getByTestId('train-fit-fix')).toHaveCount(1);
  await expect(page.getByTestId('train-start')).toBeDisabled();

  // The dataset menu lists the segmentation sets first now, under the graph's task.
  const firstGroup = page.getByTestId('train-dataset').locator('optgroup').first();
  await expect(firstGroup).toHaveAttribute('label', "Segmentation (this graph's task)");
  await expect(firstGroup.locator('option')).toHaveText(['Shapes with masks (segmentation)', 'Cells, nuclei masks (segmentation)']);

  // Choosing the detection task picks the detection set.
  await page.getByTestId('train-task').selectOption('detection');
  await expect(page.getByTestId('train-dataset')).toHaveValue('shapes-boxes');
  await expect(page.getByTestId('train-segmentationLoss')).toHaveCount(0);
  await expect(page.getByTestId('train-dataset-info')).toContainText('(boxes per image)', { timeout: 60_000 });
  expect(errors).toEqual([]);
});
