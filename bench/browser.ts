/**
 * The in-browser measurements, driven with Playwright in Debian's Chromium using the launch
 * flags of playwright.config.ts. Times are taken inside the page with performance.now(), so
 * the Playwright round trips are not counted.
 */
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { median, percentile } from './stats';
import { EDIT } from './reinfer';
import { sleep } from './server';

const FALLBACK_ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--disable-dev-shm-usage'];
/** The page size; replaced by the e2e tests' viewport (playwright.config.ts) by launch(). */
export const VIEWPORT = { width: 1400, height: 900 };

/** Launch options shared with the e2e tests (playwright.config.ts), so both see the same browser. */
async function launchOptions(): Promise<{ executablePath: string; args: string[] }> {
  let args = FALLBACK_ARGS;
  let executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  try {
    type Use = { viewport?: { width: number; height: number }; launchOptions?: { args?: string[]; executablePath?: string } };
    const config = (await import('../playwright.config')).default as { use?: Use };
    args = config.use?.launchOptions?.args ?? args;
    executablePath = config.use?.launchOptions?.executablePath ?? executablePath;
    if (config.use?.viewport) Object.assign(VIEWPORT, config.use.viewport);
  } catch {
    /* keep the fallback (the same flags) */
  }
  return { executablePath, args };
}

/** Chromium with the e2e tests' flags, plus `extraArgs` (the training bench adds --enable-unsafe-webgpu). */
export async function launch(extraArgs: readonly string[] = []): Promise<Browser> {
  const opts = await launchOptions();
  opts.args = [...opts.args, ...extraArgs];
  try {
    return await chromium.launch({ headless: true, ...opts, timeout: 30_000 });
  } catch (e) {
    throw new Error(`could not start Chromium at ${opts.executablePath} (set CHROMIUM_PATH to another binary): ${(e as Error).message.split('\n')[0]}`);
  }
}

/**
 * A fresh context (empty IndexedDB, so the app opens LeNet-5). tsx compiles with keepNames, which
 * wraps named functions in `__name(...)`; the init script makes that helper exist in the page too.
 */
export async function freshContext(browser: Browser): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { ...VIEWPORT }, deviceScaleFactor: 1 });
  await ctx.addInitScript('globalThis.__name = globalThis.__name || ((f) => f);');
  return ctx;
}

export interface GraphTarget {
  /** Number of nodes the graph has. */
  count: number;
  /** Id of the node whose footer must show a shape (the last node of the file). */
  lastId: string;
}

/** In-page: performance.now() once `count` nodes are in the DOM and `lastId` shows a shape. */
function graphShown(t: GraphTarget): number | false {
  if (document.querySelectorAll('[data-testid="node"]').length !== t.count) return false;
  const shape = document.querySelector(`[data-testid="node"][data-node-id="${t.lastId}"] [data-testid="node-shape"]`);
  const text = shape?.textContent?.trim() ?? '';
  if (!text || text === '?') return false;
  performance.mark('ll-shown'); // for the trace of an open (openGraphFile)
  return performance.now();
}

async function waitForGraph(page: Page, t: GraphTarget, what: string, timeout = 60_000): Promise<number> {
  try {
    const handle = await page.waitForFunction(graphShown, t, { polling: 'raf', timeout });
    return (await handle.jsonValue()) as number;
  } catch (e) {
    const seen = await page.locator('[data-testid="node"]').count().catch(() => -1);
    throw new Error(`${what}: the page never showed ${t.count} nodes with a shape on "${t.lastId}" (saw ${seen} nodes): ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Cold load: ms from navigation start until LeNet-5 is on the canvas with its shapes. */
export async function coldLoad(browser: Browser, url: string, lenet: GraphTarget): Promise<number> {
  const ctx = await freshContext(browser);
  try {
    const page = await ctx.newPage();
    watchErrors(page);
    await page.goto(url, { waitUntil: 'commit' });
    return await waitForGraph(page, lenet, 'cold load');
  } finally {
    await ctx.close();
  }
}

/** In-page recorder of frames (requestAnimationFrame), long tasks and pointer/click events. */
function installRecorder() {
  const w = window as unknown as { __llRec?: Rec };
  type Rec = { frames: number[]; longTasks: { start: number; duration: number }[]; marks: Record<string, number>; stop(): void };
  w.__llRec?.stop();
  const rec: Rec = { frames: [], longTasks: [], marks: {}, stop: () => undefined };
  let running = true;
  const tick = (ts: number) => {
    if (!running) return;
    rec.frames.push(ts);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  let observer: PerformanceObserver | undefined;
  try {
    observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) rec.longTasks.push({ start: e.startTime, duration: e.duration });
    });
    observer.observe({ type: 'longtask', buffered: false });
  } catch {
    /* no long task API: the list stays empty */
  }
  const mark = (name: string) => (e: Event) => {
    if (!(name in rec.marks)) rec.marks[name] = e.timeStamp || performance.now();
  };
  const down = mark('down');
  const up = mark('up');
  const click = mark('click');
  const change = mark('change');
  window.addEventListener('pointerdown', down, true);
  window.addEventListener('pointerup', up, true);
  window.addEventListener('click', click, true);
  window.addEventListener('change', change, true);
  rec.stop = () => {
    running = false;
    observer?.disconnect();
    window.removeEventListener('pointerdown', down, true);
    window.removeEventListener('pointerup', up, true);
    window.removeEventListener('click', click, true);
    window.removeEventListener('change', change, true);
  };
  w.__llRec = rec;
}

interface RecData {
  frames: number[];
  longTasks: { start: number; duration: number }[];
  marks: Record<string, number>;
}

async function takeRecorder(page: Page): Promise<RecData> {
  return page.evaluate(() => {
    const rec = (window as unknown as { __llRec: RecData & { stop(): void } }).__llRec;
    rec.stop();
    return { frames: rec.frames, longTasks: rec.longTasks, marks: rec.marks };
  });
}

export interface LongTaskSummary {
  count: number;
  totalMs: number;
  maxMs: number;
}

function longTasksIn(data: RecData, from: number, to: number): LongTaskSummary {
  const tasks = data.longTasks.filter((t) => t.start + t.duration >= from && t.start <= to);
  return { count: tasks.length, totalMs: tasks.reduce((s, t) => s + t.duration, 0), maxMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0) };
}

/** Errors the app throws or logs; the report lists them (a broken editor should not give quiet figures). */
const pageErrors: string[] = [];
function watchErrors(page: Page) {
  page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console error: ${m.text()}`);
  });
}
export const collectedPageErrors = () => [...new Set(pageErrors)];

export interface OpenResult {
  /** ms from choosing the file (the file input's change event) until all nodes show, last with its shape. */
  openMs: number;
  /**
   * ms from choosing the file until the graph is open and interactive: every node is on the page (nodes
   * beyond the view as light faces), the view has been fitted to the new graph (data-fitted went
   * false, then true) and the next frame is drawn.
   */
  interactiveMs: number;
  /** Long tasks from choosing the file until 1 s after the graph became interactive. */
  longTasksAfter: LongTaskSummary;
  /**
   * The same spans in CPU time of the page's main thread (thread times of a Chrome trace): what
   * the open costs whatever else the machine runs (on a busy shared machine the wall-clock times
   * above mostly measure waiting for a CPU). Null when the trace could not be read.
   */
  cpu: MainThreadCpu | null;
  /** ms from the click on "Presets" until the gallery's `card` is visible. */
  galleryMs: number;
  longTasks: LongTaskSummary;
}

export interface MainThreadCpu {
  /** CPU ms of the main thread from choosing the file until every node is on the page. */
  toShownMs: number;
  /** … until the frame that shows the fitted view. */
  toInteractiveMs: number;
  /** The most CPU ms one main-thread task took, from choosing the file until 1 s after interactive. */
  longestTaskMs: number;
}

type TraceEvent = { name: string; ph?: string; ts: number; dur?: number; tdur?: number; tid: number; args?: { data?: { type?: string } } };

/** Main-thread CPU figures of an open from a Chrome trace with the marks ll-shown and ll-fitted. */
function mainThreadCpu(trace: Buffer): MainThreadCpu | null {
  const events = (JSON.parse(trace.toString()) as { traceEvents?: TraceEvent[] }).traceEvents ?? [];
  const change = events.find((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'change');
  const mark = (name: string) => events.find((e) => e.name === name && change && e.ts >= change.ts)?.ts;
  const shown = mark('ll-shown');
  const fitted = mark('ll-fitted');
  if (!change || shown === undefined || fitted === undefined) return null;
  const tasks = events.filter((e) => e.tid === change.tid && e.name === 'RunTask' && e.ph === 'X' && e.ts + (e.dur ?? 0) >= change.ts && e.tdur !== undefined);
  if (!tasks.length) return null;
  const cpuTo = (to: number) => tasks.filter((t) => t.ts <= to).reduce((sum, t) => sum + Math.min(t.tdur!, t.dur ?? t.tdur!), 0) / 1000;
  return {
    toShownMs: cpuTo(shown),
    toInteractiveMs: cpuTo(fitted),
    longestTaskMs: Math.max(...tasks.filter((t) => t.ts <= fitted + 1e6).map((t) => t.tdur!)) / 1000,
  };
}

/** A graph file to open through the toolbar's Open (the file input), as a person would. */
export interface GraphFile {
  name: string;
  text: string;
}

/**
 * Loads the page (LeNet-5), opens the presets gallery (timed until `card` shows) and closes it,
 * then opens `file` with the toolbar's file input; the page stays open. The big graph comes from
 * a file rather than the gallery so that the figure is always the same 177-node ResNet-50
 * (fixtures/resnet50-flat.json), whatever the gallery's ResNet-50 is built from.
 */
export async function openGraphFile(page: Page, url: string, lenet: GraphTarget, card: string, file: GraphFile, target: GraphTarget): Promise<OpenResult> {
  watchErrors(page);
  await page.goto(url, { waitUntil: 'commit' });
  await waitForGraph(page, lenet, 'initial LeNet-5');
  await settle(page);

  await page.evaluate(installRecorder);
  await page.getByTestId('btn-presets').click();
  let galleryShown: number;
  try {
    const shown = await page.waitForFunction(
      (sel) => {
        const el = document.querySelector(sel);
        return el && el.getBoundingClientRect().height > 0 ? performance.now() : false;
      },
      `[data-testid="preset-${card}"]`,
      { polling: 'raf', timeout: 30_000 },
    );
    galleryShown = (await shown.jsonValue()) as number;
  } catch {
    throw new Error(`the presets gallery did not show a card data-testid="preset-${card}"`);
  }
  const gallery = await takeRecorder(page);
  const galleryMs = galleryShown - (gallery.marks.click ?? galleryShown);
  await page.keyboard.press('Escape');
  await page.getByTestId('preset-gallery').waitFor({ state: 'detached', timeout: 10_000 });
  await settle(page);

  await page.evaluate(installRecorder);
  // When the view is fitted to the new graph: data-fitted goes false when a graph loads, true once fitted.
  await page.evaluate(() => {
    const w = window as unknown as { __llFit?: { unfit?: number; fitted?: number } };
    const fit: { unfit?: number; fitted?: number } = {};
    w.__llFit = fit;
    const canvas = document.querySelector('[data-testid="canvas"]');
    if (!canvas) return;
    new MutationObserver(() => {
      const v = canvas.getAttribute('data-fitted');
      if (v === 'false' && fit.unfit === undefined) fit.unfit = performance.now();
      if (v === 'true' && fit.unfit !== undefined && fit.fitted === undefined) {
        // the frame that shows the fitted view
        requestAnimationFrame(() => {
          fit.fitted = performance.now();
          performance.mark('ll-fitted');
        });
      }
    }).observe(canvas, { attributes: true, attributeFilter: ['data-fitted'] });
  });
  // A trace for the main thread's CPU time (its thread times), stopped after the second below.
  const browser = page.context().browser();
  const tracing = await browser
    ?.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'] })
    .then(() => true)
    .catch(() => false);
  await page.getByTestId('open-file').setInputFiles({ name: file.name, mimeType: 'application/json', buffer: Buffer.from(file.text) });
  const shownAt = await waitForGraph(page, target, `opening ${file.name}`);
  const fittedAt = (await (
    await page.waitForFunction(() => (window as unknown as { __llFit?: { fitted?: number } }).__llFit?.fitted ?? false, undefined, { polling: 'raf', timeout: 60_000 })
  ).jsonValue()) as number;
  const interactiveAt = Math.max(shownAt, fittedAt);
  await sleep(1000);
  const data = await takeRecorder(page);
  let cpu: MainThreadCpu | null = null;
  if (tracing && browser) cpu = await browser.stopTracing().then(mainThreadCpu, () => null);
  const chosenAt = data.marks.change;
  if (chosenAt === undefined) throw new Error(`the page saw no change event on its file input when ${file.name} was chosen`);
  return {
    openMs: shownAt - chosenAt,
    interactiveMs: interactiveAt - chosenAt,
    galleryMs,
    longTasks: longTasksIn(data, chosenAt, shownAt),
    longTasksAfter: longTasksIn(data, chosenAt, interactiveAt + 1000),
    cpu,
  };
}

/**
 * Waits until the app has zoomed to fit after a load (data-fitted on the canvas, where the app
 * has it) and the view has then stood still for 10 frames (≤ 3 s).
 */
export async function settle(page: Page): Promise<void> {
  await page.locator('[data-testid="canvas"][data-fitted="true"]').waitFor({ state: 'attached', timeout: 5000 }).catch(() => undefined);
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const first = document.querySelector('[data-testid="node"]');
        let last = '';
        let same = 0;
        const start = performance.now();
        const step = () => {
          const r = first?.getBoundingClientRect();
          const key = r ? `${r.x.toFixed(1)},${r.y.toFixed(1)},${r.width.toFixed(1)}` : '';
          same = key === last ? same + 1 : 0;
          last = key;
          if (same >= 10 || performance.now() - start > 3000) resolve();
          else requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      }),
  );
  await sleep(300); // the autosave after a load (120 ms debounce) and its IndexedDB write
}

/**
 * Picks the node to drag: the first of `prefer` (else any node) whose header is well inside the
 * canvas and not covered by anything.
 */
export async function pickDragTarget(page: Page, prefer: string[] = []): Promise<string> {
  const id = await page.evaluate((prefer) => {
    const canvas = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect();
    const nodes = [...document.querySelectorAll<HTMLElement>('[data-testid="node"]')];
    const rank = (n: HTMLElement) => {
      const i = prefer.indexOf(n.dataset.nodeId!);
      return i < 0 ? 1e9 : i;
    };
    nodes.sort((a, b) => rank(a) - rank(b));
    for (const n of nodes) {
      const header = n.querySelector('.ll-node-header')!;
      const h = header.getBoundingClientRect();
      const x = h.left + Math.min(40, h.width / 4);
      const y = h.top + h.height / 2;
      const margin = 300; // room for the drag (60 moves of 4 px) either way
      if (x < canvas.left + margin || x > canvas.right - margin || y < canvas.top + 100 || y > canvas.bottom - 100) continue;
      const hit = document.elementFromPoint(x, y);
      if (hit && header.contains(hit)) return n.dataset.nodeId!;
    }
    return null;
  }, prefer);
  if (!id) throw new Error('no node header is visible well inside the canvas to drag');
  return id;
}

/** Where to press on the node's header (client px), and where another node is (to tell a drag from a pan). */
async function dragPoints(page: Page, id: string) {
  return page.evaluate((id) => {
    const node = document.querySelector(`[data-testid="node"][data-node-id="${id}"]`);
    const header = node?.querySelector('.ll-node-header');
    if (!node || !header) return null;
    const h = header.getBoundingClientRect();
    const x = h.left + Math.min(40, h.width / 4);
    const y = h.top + h.height / 2;
    const hit = document.elementFromPoint(x, y);
    const other = [...document.querySelectorAll('[data-testid="node"]')].find((n) => n !== node)!.getBoundingClientRect();
    return { x, y, onHeader: !!hit && header.contains(hit), other: { x: other.left, y: other.top } };
  }, id);
}

/** Frames and long tasks from pointer down to pointer up of one paced drag (a node drag or a pan). */
export interface FrameStats {
  /** How long the moves took (ms, pointer down to up): 1000 at one move per frame. */
  durationMs: number;
  frames: number;
  medianFrameMs: number;
  p95FrameMs: number;
  maxFrameMs: number;
  /** Long tasks from pointer down to pointer up. */
  longTasks: LongTaskSummary;
}

export interface DragResult extends FrameStats {
  nodeId: string;
  /** Long tasks in the 600 ms after pointer up (the move is committed, analysed, autosaved). */
  dropLongTasks: LongTaskSummary;
  /** How far the node moved relative to the others (px on screen): a check that the drag dragged. */
  movedPx: number;
}

/**
 * Presses at `from`, moves `moves` times by `step` px (direction `dir`, a little vertical wobble),
 * one move per 60 Hz frame like a hand on a mouse (or slower, when a move takes longer than a frame
 * to be delivered), releases, waits `settleMs`, and returns the frame intervals between press and
 * release with the recorder's data.
 */
async function pacedDrag(page: Page, from: { x: number; y: number }, dir: number, moves: number, step: number, settleMs: number) {
  await page.mouse.move(from.x, from.y);
  await page.evaluate(installRecorder);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.mouse.down();
  let { x, y } = from;
  const t0 = Date.now();
  for (let i = 0; i < moves; i++) {
    x += dir * step;
    y += dir * (i % 2);
    await page.mouse.move(x, y);
    const wait = t0 + ((i + 1) * 1000) / 60 - Date.now();
    if (wait > 0) await sleep(wait);
  }
  await page.mouse.up();
  await sleep(settleMs);
  const data = await takeRecorder(page);
  const down = data.marks.down ?? data.frames[0] ?? 0;
  const up = data.marks.up ?? data.frames[data.frames.length - 1] ?? 0;
  const frames = data.frames.filter((t) => t >= down && t <= up);
  const intervals = frames.slice(1).map((t, i) => t - frames[i]!);
  const stats: FrameStats = {
    durationMs: up - down,
    frames: intervals.length,
    medianFrameMs: median(intervals),
    p95FrameMs: percentile(intervals, 95),
    maxFrameMs: Math.max(...intervals),
    longTasks: longTasksIn(data, down, up),
  };
  return { data, up, stats };
}

/**
 * One drag of `moves` pointer moves of `step` px (direction alternates with `rep`), paced at
 * one move per 60 Hz frame like a hand on a mouse (or slower, when a move takes longer than a
 * frame to be delivered).
 */
export async function dragOnce(page: Page, id: string, rep: number, moves = 60, step = 4): Promise<DragResult> {
  const dir = rep % 2 ? -1 : 1;
  const before = await dragPoints(page, id);
  if (!before) throw new Error(`drag: node "${id}" is not on the page`);
  if (!before.onHeader) throw new Error(`drag: the header of "${id}" is covered or off screen at (${before.x.toFixed(0)}, ${before.y.toFixed(0)})`);
  const { data, up, stats } = await pacedDrag(page, before, dir, moves, step, 600);
  const after = (await dragPoints(page, id))!;
  const rel = (p: typeof before) => ({ x: p.x - p.other.x, y: p.y - p.other.y });
  return {
    nodeId: id,
    ...stats,
    dropLongTasks: longTasksIn(data, up, up + 600),
    movedPx: Math.hypot(rel(after).x - rel(before).x, rel(after).y - rel(before).y),
  };
}

/**
 * Edit in the UI: type a new filter count into the node's field and press Enter; ms from the
 * Enter key until the frame in which the node's footer shows the new shape.
 */
export async function uiEditOnce(page: Page, value: number): Promise<number | null> {
  return page.evaluate(
    async ({ node, param, value }) => {
      const input = document.querySelector<HTMLInputElement>(`[data-testid="param-${node}-${param}"]`);
      const shape = document.querySelector(`[data-testid="node"][data-node-id="${node}"] [data-testid="node-shape"]`);
      if (!input || !shape) return null;
      const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      setValue.call(input, String(value));
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => setTimeout(r, 50)); // React re-renders the field with the typed text
      const t0 = performance.now();
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
      return await new Promise<number | null>((resolve) => {
        const check = () => {
          if ((shape.textContent ?? '').endsWith(`×${value}`)) resolve(performance.now() - t0);
          else if (performance.now() - t0 > 10_000) resolve(null);
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      });
    },
    { node: EDIT.node, param: EDIT.param, value },
  );
}

/** Runs the re-inference bundle (see reinfer.ts) in a blank page of a fresh context. */
export async function reinferInBrowser(browser: Browser, bundle: string, presetText: string, runs: number, warmup: number) {
  const ctx = await freshContext(browser);
  try {
    const page = await ctx.newPage();
    await page.setContent('<!doctype html><title>reinfer</title>');
    await page.addScriptTag({ content: bundle });
    return await page.evaluate(
      ({ text, runs, warmup }) =>
        (window as unknown as { __llReinfer(t: string, r: number, w: number): { samples: number[]; shape: string } }).__llReinfer(text, runs, warmup),
      { text: presetText, runs, warmup },
    );
  } finally {
    await ctx.close();
  }
}

export async function screenshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path });
}

/** A point on the empty canvas background (nothing but the canvas under it), well away from the edges. */
async function backgroundPoint(page: Page, margin: number): Promise<{ x: number; y: number } | null> {
  return page.evaluate((margin) => {
    const canvasEl = document.querySelector('[data-testid="canvas"]')!;
    const canvas = canvasEl.getBoundingClientRect();
    const empty = (x: number, y: number) => {
      const hit = document.elementFromPoint(x, y);
      return !!hit && canvasEl.contains(hit) && !hit.closest('[data-testid="node"], [data-testid="minimap"], [data-testid="connection"], svg');
    };
    for (let y = canvas.top + 60; y < canvas.bottom - 60; y += 20) {
      for (let x = canvas.left + margin; x < canvas.right - margin; x += 20) {
        // The whole pan path (moves to either side) should start on empty background too.
        if (empty(x, y) && empty(x + 8, y) && empty(x - 8, y)) return { x, y };
      }
    }
    return null;
  }, margin);
}

export interface PanResult extends FrameStats {
  /** How far the view moved (px on screen): a check that the pan panned. */
  movedPx: number;
}

/**
 * One pan of the canvas: press on the empty background and move `moves` times by `step` px, one
 * move per 60 Hz frame (direction alternates with `rep`).
 */
export async function panOnce(page: Page, rep: number, moves = 60, step = 4): Promise<PanResult> {
  const dir = rep % 2 ? -1 : 1;
  const start = await backgroundPoint(page, moves * step + 20);
  if (!start) throw new Error('pan: no empty background on the canvas to press on');
  const firstNode = () =>
    page.evaluate(() => {
      const r = document.querySelector('[data-testid="node"]')!.getBoundingClientRect();
      return { x: r.left, y: r.top };
    });
  const before = await firstNode();
  const { stats } = await pacedDrag(page, start, dir, moves, step, 300);
  const after = await firstNode();
  return {
    ...stats,
    movedPx: Math.hypot(after.x - before.x, after.y - before.y),
  };
}

export interface SelectAllResult {
  /** ms from the Ctrl+A keydown until the frame in which every node shows as selected. */
  selectMs: number;
  /** ms from the Escape keydown until the frame in which no node shows as selected. */
  clearMs: number;
  longTasks: LongTaskSummary;
}

/** Ctrl+A (select every node) then Escape (clear the selection), timed inside the page. */
export async function selectAllOnce(page: Page, count: number): Promise<SelectAllResult> {
  await page.mouse.move(5, 5);
  const waitFor = (want: 'all' | 'none') =>
    page.evaluate(
      ({ want, count }) =>
        new Promise<number>((resolve, reject) => {
          const t0 = performance.now();
          const check = () => {
            const n = document.querySelectorAll('[data-testid="node"].selected').length;
            if (want === 'all' ? n === count : n === 0) resolve(performance.now());
            else if (performance.now() - t0 > 20_000) reject(new Error(`select all: ${n} of ${count} nodes selected after 20 s`));
            else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        }),
      { want, count },
    );
  const keyMark = () =>
    page.evaluate(() => {
      const w = window as unknown as { __llKey?: number };
      delete w.__llKey;
      window.addEventListener('keydown', (e) => (w.__llKey = e.timeStamp || performance.now()), { capture: true, once: true });
    });
  const keyAt = () => page.evaluate(() => (window as unknown as { __llKey?: number }).__llKey ?? NaN);

  await page.evaluate(installRecorder);
  await keyMark();
  const all = waitFor('all');
  await page.keyboard.press('Control+a');
  const allAt = await all;
  const selectDown = await keyAt();
  const data = await takeRecorder(page);
  await sleep(200);
  await keyMark();
  const none = waitFor('none');
  await page.keyboard.press('Escape');
  const noneAt = await none;
  const clearDown = await keyAt();
  await sleep(200);
  return { selectMs: allAt - selectDown, clearMs: noneAt - clearDown, longTasks: longTasksIn(data, selectDown, allAt) };
}
