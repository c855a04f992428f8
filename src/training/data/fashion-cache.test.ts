import { mkdtemp, readFile, rm, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertFashion, ensureFashionCache, fashionCacheDir, loadFashionMnist, readCacheMeta } from './fashion-cache';
import { IDX_FILES } from './mnist';
import { loadFashionMnistNode, nodeDirReader, nodeFashionReader } from './node-readers';

const histogram = (labels: Uint8Array) => labels.reduce((h, k) => (h[k]!++, h), new Array<number>(10).fill(0));

describe('Fashion-MNIST cache', () => {
  it('converts the JSON into a 60,000 / 10,000 IDX split with every class', { timeout: 180_000 }, async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'layerlab-fashion-'));
    const dir = path.join(tmp, 'fashion-mnist');
    try {
      const meta = await convertFashion(dir);
      expect(meta).toMatchObject({ train: 60_000, test: 10_000, perClass: new Array(10).fill(7000), dropped: 2 });
      expect(await readCacheMeta(dir)).toEqual(meta);
      const ds = await loadFashionMnist(nodeDirReader(dir));
      expect(ds.shape).toEqual([28, 28, 1]);
      expect(ds.classes[5]).toBe('Sandal');
      expect(histogram(ds.train.labels)).toEqual(new Array(10).fill(6000));
      expect(histogram(ds.test.labels)).toEqual(new Array(10).fill(1000));
      // Pullovers (2) carry much more ink than sandals (5): the class order matches the labels.
      const meanInk = (cls: number) => {
        let s = 0;
        let n = 0;
        ds.test.labels.forEach((l, i) => {
          if (l !== cls) return;
          n++;
          for (let p = 0; p < 784; p++) s += ds.test.images[i * 784 + p]!;
        });
        return s / n / 784;
      };
      expect(meanInk(2)).toBeGreaterThan(meanInk(5) * 1.5);

      // Deterministic: a second conversion gives the same bytes.
      const dir2 = path.join(tmp, 'again');
      await convertFashion(dir2);
      for (const f of Object.values(IDX_FILES)) expect((await readFile(path.join(dir2, f))).equals(await readFile(path.join(dir, f)))).toBe(true);

      // A damaged cache is noticed and rebuilt.
      await truncate(path.join(dir, IDX_FILES.testImages), 100);
      expect(await readCacheMeta(dir)).toBeUndefined();
      await ensureFashionCache({ dir });
      expect((await readCacheMeta(dir))?.test).toBe(10_000);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('ensureFashionCache fills node_modules/.cache and the Node reader loads from it', { timeout: 180_000 }, async () => {
    const dir = await ensureFashionCache();
    expect(dir).toBe(fashionCacheDir());
    expect(dir).toMatch(/node_modules[\\/]\.cache[\\/]layerlab[\\/]fashion-mnist$/);
    expect(await ensureFashionCache()).toBe(dir);
    const ds = await loadFashionMnist(nodeFashionReader(), { limit: { train: 500, test: 100 } });
    expect(ds.train.count).toBe(500);
    expect(ds.test.count).toBe(100);
    expect(new Set(ds.train.labels).size).toBe(10);
    const all = await loadFashionMnistNode({ limit: { test: 3 } });
    expect(all.train.count).toBe(60_000);
    expect(all.test.count).toBe(3);
  });
});
