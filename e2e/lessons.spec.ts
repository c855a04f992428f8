/**
 * Lessons in Chromium: a lesson link opens in a fresh browser, loads its step's graph and ticks a
 * goal off when the learner meets it with the real mouse; the progress survives a reload; a lesson
 * file opens through Open…; a hostile lesson's text stays text and runs nothing.
 */
import { expect, test, type Page } from '@playwright/test';
import LZString from 'lz-string';
import { createRequire } from 'node:module';
import { dragFromPalette, node, openApp, wire } from './helpers';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical WCAG 2.1 A/AA violations inside the Lesson tab (as a11y.spec.ts checks the app). */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const axe = (window as any).axe;
    const result = await axe.run('[data-testid="tabpanel-lesson"]', { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return result.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(' ')).join(', ')})`);
  });
}

const goal = (page: Page, i: number) => page.getByTestId('tabpanel-lesson').getByTestId(`lesson-goal-${i}`);

test('a lesson link opens in a fresh browser, a goal ticks when met, and the progress survives a reload', async ({ page }) => {
  const errors = await openApp(page, '/#lesson=course:dense-mnist');
  const panel = page.getByTestId('tabpanel-lesson');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('lesson-title')).toHaveText('2. Flatten and a dense network on MNIST');
  await expect(panel.getByTestId('lesson-progress')).toHaveText('Step 1 of 3 · 0 of 3 done');
  // The link is consumed (a reload must not reopen it over the progress) and the step's graph is open.
  expect(new URL(page.url()).hash).toBe('');
  await expect(page.locator('[data-testid="node"]')).toHaveCount(2);
  await expect(node(page, 'image')).toBeVisible();
  await expect(node(page, 'output')).toBeVisible();
  // Markdown rendered as elements: the bold "Flatten" and a numbered list.
  await expect(panel.getByTestId('lesson-step').locator('strong', { hasText: 'Flatten' }).first()).toBeVisible();
  await expect(panel.getByTestId('lesson-step').locator('ol > li')).toHaveCount(3);

  // Goal 0: a Flatten node after the input. Not met, then met by the learner's own wire.
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'unmet');
  await expect(goal(page, 0)).toContainText('✗');
  await dragFromPalette(page, 'flatten', 300, 300);
  const flattenId = await page.locator('[data-testid="node"][data-node-id^="flatten"]').first().getAttribute('data-node-id');
  expect(flattenId).toBeTruthy();
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'unmet'); // not wired yet
  await wire(page, 'image', flattenId!);
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'met');
  await expect(goal(page, 0)).toContainText('✓');
  await expect(goal(page, 0)).toContainText(`"${flattenId}" comes after "image"`);
  // The README's screenshot of a lesson with a goal just met.
  await page.screenshot({ path: 'docs/lesson-panel.png' });
  // Undo takes the wire away: the goal follows the graph live.
  await page.getByTestId('btn-undo').click();
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'unmet');
  await page.getByTestId('btn-redo').click();
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'met');

  // On to step 2 (training): its goal waits for a run.
  await panel.getByTestId('lesson-next').click();
  await expect(panel.getByTestId('lesson-progress')).toHaveText('Step 2 of 3 · 0 of 3 done');
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'unchecked');

  await page.reload();
  await expect(page.locator('[data-testid="node"]').first()).toBeVisible();
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('lesson-title')).toHaveText('2. Flatten and a dense network on MNIST');
  await expect(panel.getByTestId('lesson-progress')).toHaveText('Step 2 of 3 · 0 of 3 done');
  // The learner's graph came back from the autosave, not the lesson's starting graph.
  await expect(node(page, flattenId!)).toBeVisible();
  await panel.getByTestId('lesson-prev').click();
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'met');
  // The starting graph is one click away, and undoable: the learner's graph is not lost.
  await panel.getByTestId('lesson-load-graph').click();
  await expect(page.locator('[data-testid="node"]')).toHaveCount(2);
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'unmet');
  await page.getByTestId('btn-undo').click();
  await expect(node(page, flattenId!)).toBeVisible();
  expect(errors).toEqual([]);
});

test('Lessons lists the course; a lesson file opens through Open…, and Share lesson link carries it whole', async ({ page }) => {
  const errors = await openApp(page);
  // The toolbar's Lessons button shows the built-in course, in the lecture's order.
  await page.getByTestId('btn-lessons').click();
  const course = page.getByTestId('lesson-course');
  await expect(course.locator('li')).toHaveCount(9);
  await expect(course.locator('li button').first()).toHaveText('1. Pixels and image kernels');
  await expect(course.locator('li button').last()).toHaveText('9. Beyond classification: segmentation');
  await expect(course.getByText('could not be read')).toHaveCount(0);
  expect(await axeViolations(page)).toEqual([]);
  const lesson = {
    format: 'layerlab-lesson',
    version: 1,
    id: 'teacher-quiz',
    title: 'Quiz: pooling',
    summary: 'One step.',
    steps: [{ id: 'pool', title: 'Add pooling', text: 'Add a **Max pooling 2D** node.', goals: [{ kind: 'nodeType', type: 'maxPooling2d', min: 3 }] }],
  };
  await page.getByTestId('open-file').setInputFiles({ name: 'quiz.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(lesson, null, 2)) });
  const panel = page.getByTestId('tabpanel-lesson');
  await expect(panel.getByTestId('lesson-title')).toHaveText('Quiz: pooling');
  // LeNet-5 (the graph already open) has two max pooling nodes: 2 of the 3 asked for.
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'unmet');
  await expect(goal(page, 0)).toContainText(/2 max pooling/i);
  await expect(page.locator('[data-testid="node"][data-node-id="c1"]')).toBeVisible(); // the graph is untouched
  expect(await axeViolations(page)).toEqual([]);
  await panel.getByTestId('lesson-share').click();
  const url = await page.getByTestId('lesson-share-url').inputValue();
  const packed = url.split('#lesson=')[1]!;
  expect(JSON.parse(LZString.decompressFromEncodedURIComponent(packed)!)).toEqual(lesson);
  await page.keyboard.press('Escape');
  // Closing the lesson shows the course again.
  await page.getByTestId('tabpanel-lesson').getByTestId('lesson-close').click();
  await expect(course).toBeVisible();

  // A file that claims to be a lesson but is not a valid one: a message, and nothing changes.
  await page.getByTestId('open-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...lesson, steps: 'none' })) });
  await expect(page.getByText(/bad\.json:/)).toBeVisible();
  await expect(course).toBeVisible(); // nothing opened
  expect(errors).toEqual([]);
});

test('a hostile lesson renders its HTML and links as text and runs no script', async ({ page }) => {
  const hostile = {
    format: 'layerlab-lesson',
    version: 1,
    id: 'hostile',
    title: '<img src=x onerror="window.__pwned=1">Title',
    summary: 'Nothing to see.',
    steps: [
      {
        id: 's1',
        title: 'Step <script>window.__pwned=2</script>',
        text: [
          'Hello <script>window.__pwned=3</script> world.',
          '',
          '<img src=x onerror="window.__pwned=4"> and <a href="javascript:window.__pwned=5">raw link</a>',
          '',
          '[click me](javascript:window.__pwned=6) and [data](data:text/html,<script>window.__pwned=7</script>) and [ok](https://example.org/)',
          '',
          '[tricky](jav&#x61;script:window.__pwned=8) [spaced]( javascript:window.__pwned=9)',
        ].join('\n'),
        goals: [{ kind: 'noErrors', label: '<b onmouseover="window.__pwned=10">bold?</b>' }],
      },
    ],
  };
  const errors = await openApp(page, `/#lesson=${LZString.compressToEncodedURIComponent(JSON.stringify(hostile))}`);
  const panel = page.getByTestId('tabpanel-lesson');
  await expect(panel.getByTestId('lesson-title')).toHaveText('<img src=x onerror="window.__pwned=1">Title');
  const step = panel.getByTestId('lesson-step');
  await expect(step).toContainText('Hello <script>window.__pwned=3</script> world.');
  await expect(step).toContainText('<img src=x onerror="window.__pwned=4">');
  await expect(goal(page, 0)).toContainText('<b onmouseover="window.__pwned=10">bold?</b>');
  // No element came from the lesson's HTML; the only link is the https one, opened safely.
  await expect(panel.locator('script, img, iframe, object, embed, b')).toHaveCount(0);
  const links = step.locator('a');
  await expect(links).toHaveCount(1);
  await expect(links).toHaveAttribute('href', 'https://example.org/');
  await expect(links).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(links).toHaveAttribute('target', '_blank');
  await expect(step).toContainText('click me');
  // Hover and click every text that was meant to be a link or a handler: nothing runs.
  await step.getByText('click me').click();
  await step.getByText('raw link').click();
  await goal(page, 0).hover();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(errors).toEqual([]);
});

test('the kernel lab reports the learner’s kernels to the lesson: blur and edge goals tick', async ({ page }) => {
  test.setTimeout(180_000); // the Probe tab loads MNIST's test set
  const errors = await openApp(page, '/?backend=wasm#lesson=course:pixels-and-kernels');
  const panel = page.getByTestId('tabpanel-lesson');
  await expect(panel.getByTestId('lesson-title')).toHaveText('1. Pixels and image kernels');
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'unchecked');
  await page.getByTestId('tab-probe').click();
  await page.getByTestId('kernel-lab-open').click({ timeout: 120_000 });
  const lab = page.getByTestId('kernel-lab');
  await expect(lab).toBeVisible();
  // Opening the lab (the identity kernel) meets step 1's goal.
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'met');
  await lab.getByTestId('kl-preset').selectOption('box-blur');
  await page.keyboard.press('Escape');
  await page.getByTestId('tab-lesson').click();
  await panel.getByTestId('lesson-next').click();
  await expect(panel.getByTestId('lesson-step')).toContainText('Blur');
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'met');
  await panel.getByTestId('lesson-next').click();
  // Only Sobel-like kernels meet the edge goals; the blur does not.
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'unmet');
  await page.getByTestId('tab-probe').click();
  await page.getByTestId('kernel-lab-open').click();
  await lab.getByTestId('kl-preset').selectOption('sobel-x');
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'met');
  await expect(goal(page, 1)).toHaveAttribute('data-state', 'unmet');
  await lab.getByTestId('kl-preset').selectOption('sobel-y');
  await expect(goal(page, 1)).toHaveAttribute('data-state', 'met');
  await page.keyboard.press('Escape');
  await page.getByTestId('tab-lesson').click();
  await expect(panel.getByTestId('lesson-progress')).toHaveText('Step 3 of 3 · 3 of 3 done');
  await expect(panel.getByTestId('lesson-step-status')).toHaveText('All goals met: you have finished this lesson.');
  expect(errors).toEqual([]);
});

test('a finished training run ticks a test-accuracy goal', async ({ page }) => {
  test.setTimeout(240_000); // MNIST loads and trains one epoch of a small dense network
  const mlp = {
    format: 'layerlab-graph',
    version: 1,
    name: 'Tiny MLP',
    nodes: [
      { id: 'image', type: 'input', params: { shape: [28, 28, 1] }, position: [0, 0] },
      { id: 'flatten', type: 'flatten', params: {}, position: [260, 0] },
      { id: 'output', type: 'dense', params: { units: 10, activation: 'softmax' }, position: [520, 0] },
    ],
    edges: [
      { from: ['image', 'out'], to: ['flatten', 'in'] },
      { from: ['flatten', 'out'], to: ['output', 'in'] },
    ],
    training: { dataset: 'mnist', optimizer: 'adam', learningRate: 0.005, batchSize: 128, epochs: 1, validationSplit: 0.05, seed: 42 },
  };
  const lesson = {
    format: 'layerlab-lesson',
    version: 1,
    id: 'train-once',
    title: 'Train once',
    summary: 'One run.',
    steps: [{ id: 'train', title: 'Train', text: 'Press **Start** in the Train tab.', graph: mlp, goals: [{ kind: 'testAccuracy', dataset: 'mnist', min: 0.8, maxEpochs: 1 }] }],
  };
  const errors = await openApp(page, `/?backend=wasm#lesson=${LZString.compressToEncodedURIComponent(JSON.stringify(lesson))}`);
  await expect(node(page, 'flatten')).toBeVisible();
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'unchecked');
  await page.getByTestId('tab-train').click();
  await page.getByTestId('train-start').click({ timeout: 120_000 });
  await expect(goal(page, 0)).toHaveAttribute('data-state', 'met', { timeout: 180_000 });
  await page.getByTestId('tab-lesson').click();
  await expect(goal(page, 0)).toContainText(/test accuracy after 1 epoch/);
  await expect(page.getByTestId('tabpanel-lesson').getByTestId('lesson-progress')).toHaveText('Step 1 of 1 · 1 of 1 done');
  expect(errors).toEqual([]);
});
