import { describe, expect, it } from 'vitest';
import { makeCells, nucleusDistance, type Nucleus } from './cells';

const eqBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const S = 32;
const neighbours4 = (k: number) => {
  const x = k % S;
  const y = Math.floor(k / S);
  const out: number[] = [];
  if (x > 0) out.push(k - 1);
  if (x < S - 1) out.push(k + 1);
  if (y > 0) out.push(k - S);
  if (y < S - 1) out.push(k + S);
  return out;
};

describe('nucleusDistance', () => {
  it('hand-worked: an unperturbed ellipse', () => {
    const n: Nucleus = { cx: 10, cy: 10, a: 4, b: 2, angle: 0, harmonics: [], value: 1 };
    expect(nucleusDistance(n, 10, 10)).toBe(0);
    expect(nucleusDistance(n, 14, 10)).toBeCloseTo(1, 12);
    expect(nucleusDistance(n, 10, 12)).toBeCloseTo(1, 12);
    expect(nucleusDistance(n, 10, 14)).toBeCloseTo(2, 12);
    const turned = { ...n, angle: Math.PI / 2 };
    expect(nucleusDistance(turned, 10, 14)).toBeCloseTo(1, 12);
    const bumpy = { ...n, harmonics: [{ k: 2, amp: 0.1, phase: 0 }] }; // ρ(0) = 1.1
    expect(nucleusDistance(bumpy, 14.4, 10)).toBeCloseTo(1, 12);
  });
});

describe('makeCells', () => {
  const opts = { count: 40, testCount: 8, seed: 4 };

  it('is deterministic for a seed and differs across seeds', () => {
    const a = makeCells(opts);
    const b = makeCells(opts);
    expect(eqBytes(a.train.images, b.train.images)).toBe(true);
    expect(eqBytes(a.train.instances, b.train.instances)).toBe(true);
    expect(eqBytes(a.test.masks, b.test.masks)).toBe(true);
    expect(eqBytes(makeCells({ ...opts, seed: 5 }).train.masks, a.train.masks)).toBe(false);
  });

  it('sizes, classes and cell counts', () => {
    const d = makeCells(opts);
    expect(d.classes).toEqual(['background', 'nucleus', 'boundary']);
    expect(d.shape).toEqual([32, 32, 1]);
    expect(d.train.images.length).toBe(40 * 1024);
    expect(d.train.masks.length).toBe(40 * 1024);
    expect(d.test.count).toBe(8);
    for (let i = 0; i < d.train.count; i++) {
      const n = d.train.cellCounts[i]!;
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(9);
      const ids = new Set(d.train.instances.subarray(i * 1024, (i + 1) * 1024));
      ids.delete(0);
      // ids are 1…n, each nucleus visible
      expect([...ids].sort((p, q) => p - q)).toEqual(Array.from({ length: n }, (_, j) => j + 1));
    }
    const mean = d.train.cellCounts.reduce((s, v) => s + v, 0) / d.train.count;
    expect(mean).toBeGreaterThan(4);
  });

  it('semantic mask = background / nucleus / outline of its instance (brute force)', () => {
    const d = makeCells(opts);
    for (let i = 0; i < d.train.count; i++) {
      const inst = d.train.instances.subarray(i * 1024, (i + 1) * 1024);
      const mask = d.train.masks.subarray(i * 1024, (i + 1) * 1024);
      for (let k = 0; k < 1024; k++) {
        const expected = !inst[k] ? 0 : neighbours4(k).some((q) => inst[q] !== inst[k]) ? 2 : 1;
        expect(mask[k]).toBe(expected);
      }
    }
    const plain = makeCells({ ...opts, boundary: false });
    expect(plain.classes).toEqual(['background', 'nucleus']);
    expect(eqBytes(plain.train.instances, d.train.instances)).toBe(true);
    expect([...plain.train.masks].every((m, k) => m === (d.train.instances[k] ? 1 : 0))).toBe(true);
  });

  it('nuclei touch: most images have two instances side by side', () => {
    const d = makeCells(opts);
    let touching = 0;
    for (let i = 0; i < d.train.count; i++) {
      const inst = d.train.instances.subarray(i * 1024, (i + 1) * 1024);
      let t = false;
      for (let k = 0; k < 1024 && !t; k++) if (inst[k]) t = neighbours4(k).some((q) => inst[q] && inst[q] !== inst[k]);
      if (t) touching++;
    }
    expect(touching / d.train.count).toBeGreaterThan(0.6);
  });

  it('each nucleus is one blob: its largest 4-connected piece holds ≥ 95 % of its pixels', () => {
    const d = makeCells(opts);
    for (let i = 0; i < d.train.count; i++) {
      const inst = d.train.instances.subarray(i * 1024, (i + 1) * 1024);
      for (let id = 1; id <= d.train.cellCounts[i]!; id++) {
        const seen = new Uint8Array(1024);
        let total = 0;
        let largest = 0;
        for (let k = 0; k < 1024; k++) {
          if (inst[k] !== id) continue;
          total++;
          if (seen[k]) continue;
          let size = 0;
          const stack = [k];
          seen[k] = 1;
          while (stack.length) {
            const p = stack.pop()!;
            size++;
            for (const q of neighbours4(p)) if (!seen[q] && inst[q] === id) (seen[q] = 1), stack.push(q);
          }
          largest = Math.max(largest, size);
        }
        expect(largest / total).toBeGreaterThanOrEqual(0.95);
        expect(total).toBeGreaterThanOrEqual(8);
      }
    }
  });

  it('nuclei are bright on a dim background, seams darker than insides', () => {
    const d = makeCells(opts);
    const mean = (pick: (m: number) => boolean) => {
      let s = 0;
      let n = 0;
      d.train.masks.forEach((m, k) => pick(m) && ((s += d.train.images[k]!), n++));
      return s / n;
    };
    const inside = mean((m) => m === 1);
    expect(inside - mean((m) => m === 0)).toBeGreaterThan(0.4);
    expect(mean((m) => m === 2)).toBeLessThan(inside);
    expect(Math.min(...d.train.images)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...d.train.images)).toBeLessThanOrEqual(1);
  });
});
