/**
 * WASM threads: the served app is cross-origin isolated (COOP/COEP from vite preview, what
 * `npm start` serves), so tfjs can load its threaded binary; by default LeNet-5 trains on every
 * core but one (left to the page), ?threads=N asks for N and ?workers=N for data-parallel workers.
 * The Train panel says how many threads run, and why only one where that is all there can be (the
 * page not isolated, the threaded binary not served, or ?threads=1).
 */
import { expect, test, type Page } from '@playwright/test';
import { setSetting } from './helpers';

/** Opens the app on WASM (a fresh context: LeNet-5 and MNIST), Train tab; returns the page errors seen. */
async function openTrainTab(page: Page, query = '') {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`/?backend=wasm${query}`);
  await expect(page.locator('[data-testid="node"]').first()).toBeVisible();
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-backend-info')).toContainText('Training on wasm', { timeout: 30_000 });
  await expect(page.getByTestId('train-dataset-info')).toContainText('60,000 training', { timeout: 30_000 });
  return errors;
}

/** Trains until the status line shows batch ≥ `batches` of epoch 1, then stops; returns the status line. */
async function trainSome(page: Page, batches: number) {
  await setSetting(page, 'train-epochs', 1);
  await page.getByTestId('train-start').click();
  const status = page.getByTestId('train-status');
  await expect
    .poll(async () => Number((await status.textContent())?.match(/batch (\d+)\//)?.[1] ?? 0), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(batches);
  const text = (await status.textContent()) ?? '';
  await page.getByTestId('train-stop').click();
  await expect(status).toContainText('Stopped', { timeout: 30_000 });
  return text;
}

test('the app is cross-origin isolated and trains LeNet-5 on every core but one (the page keeps one)', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  const errors = await openTrainTab(page);
  const env = await page.evaluate(() => ({ isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency, sab: typeof SharedArrayBuffer === 'function' }));
  expect(env.isolated).toBe(true);
  expect(env.sab).toBe(true);
  const n = Math.min(8, env.cores - 1);
  // tfjs' own thread count (getThreadsCount), reported by the worker.
  const expected =
    env.cores === 1
      ? ' · 1 thread (this machine has one core)'
      : env.cores - 1 > 8
        ? ' · 8 threads (tfjs runs at most 8 WASM threads)'
        : ` · ${n} thread${n === 1 ? '' : 's'} (one of the ${env.cores} cores is left to the page)`;
  await expect(page.getByTestId('train-wasm-threads')).toHaveText(expected);
  const status = await trainSome(page, 20);
  expect(status).toMatch(/[\d,]+ images\/s/);
  await expect(page.getByTestId('train-message')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('?threads=N runs tfjs\' threaded binary on every core asked for', async ({ page }) => {
  const cores = Math.min(8, Math.max(2, await page.evaluate(() => navigator.hardwareConcurrency)));
  const errors = await openTrainTab(page, `&threads=${cores}`);
  // Every logical core asked for, not tfjs' default of half.
  await expect(page.getByTestId('train-wasm-threads')).toHaveText(` · ${cores} threads`);
  await trainSome(page, 20);
  await expect(page.getByTestId('train-message')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('?threads=1 runs the single-thread binary and says so', async ({ page }) => {
  const errors = await openTrainTab(page, '&threads=1');
  await expect(page.getByTestId('train-wasm-threads')).toHaveText(' · 1 thread (set to 1 thread)');
  await trainSome(page, 10);
  expect(errors).toEqual([]);
});

test('without cross-origin isolation WASM trains on one thread and the panel says why', async ({ page }) => {
  // The same app with its COOP/COEP headers taken off the page itself.
  await page.route(/\/(\?.*)?$/, async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
  const errors = await openTrainTab(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await expect(page.getByTestId('train-wasm-threads')).toHaveText(' · 1 thread (page not cross-origin isolated)');
  await trainSome(page, 10);
  expect(errors).toEqual([]);
});

test('if the threaded binary cannot be fetched, WASM starts on one thread instead', async ({ page }) => {
  // Dedicated workers' requests go through the context's routes.
  await page.context().route(/tfjs-backend-wasm-threaded-simd.*\.wasm/, (route) => route.fulfill({ status: 404, body: 'not here' }));
  const errors = await openTrainTab(page, '&threads=2');
  const threads = page.getByTestId('train-wasm-threads');
  await expect(threads).toHaveText(' · 1 thread (the threaded WASM binary did not start)');
  // The error itself is there on hover.
  await expect(threads).toHaveAttribute('title', /Initialization of backend wasm failed/);
  await trainSome(page, 10);
  expect(errors).toEqual([]);
});

test('?workers=2 trains in two data-parallel workers, and the panel says so before and after', async ({ page }) => {
  const errors = await openTrainTab(page, '&workers=2');
  const threads = page.getByTestId('train-wasm-threads');
  await expect(threads).toHaveText(' · 2 workers × 1 thread (data-parallel)');
  const status = await trainSome(page, 30);
  // The loss fell: the shared steps trained (the first batches of LeNet-5 start at ln 10 ≈ 2.3).
  expect(Number(status.match(/loss ([\d.]+)/)?.[1])).toBeLessThan(2.0);
  // Still two workers: a follower that failed to start would have turned this into "1 thread (the other training workers did not start …)".
  await expect(threads).toHaveText(' · 2 workers × 1 thread (data-parallel)');
  await expect(page.getByTestId('train-message')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('when the data-parallel worker cannot start, training goes on in one worker and says why', async ({ page }) => {
  const errors = await openTrainTab(page, '&workers=2&faults=1');
  // (Playwright's routes do not reach a worker started by a worker: the fault hook breaks its script.)
  await page.evaluate(() => (window as unknown as { layerlabFaults: { breakFollowers(): Promise<void> } }).layerlabFaults.breakFollowers());
  await trainSome(page, 10);
  await expect(page.getByTestId('train-wasm-threads')).toContainText('1 thread (the other training workers did not start');
  expect(errors).toEqual([]);
});
