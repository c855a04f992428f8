import { describe, expect, it } from 'vitest';
import { ALL_SHAPES, drawShape, makeShapes, shapeArea, type ShapeKind } from './shapes';

const sum = (a: Float32Array) => a.reduce((s, v) => s + v, 0);

describe('drawShape', () => {
  it.each(ALL_SHAPES)('%s covers its exact area (anti-aliased)', (kind) => {
    for (const angle of [0, 0.4, 1.3]) {
      const img = drawShape(new Float32Array(64 * 64), 64, kind, { cx: 31.7, cy: 32.2, radius: 20, angle, value: 1 }, 8);
      expect(sum(img) / shapeArea(kind, 20)).toBeCloseTo(1, 1);
    }
  });

  it('a circle fills ≈ πr² at the value, with soft edges', () => {
    const img = drawShape(new Float32Array(28 * 28), 28, 'circle', { cx: 14, cy: 14, radius: 8, angle: 0, value: 0.5 });
    expect(sum(img) / 0.5 / (Math.PI * 64)).toBeGreaterThan(0.97);
    expect(sum(img) / 0.5 / (Math.PI * 64)).toBeLessThan(1.03);
    expect(img[14 * 28 + 14]).toBe(0.5);
    expect([...img].some((v) => v > 0 && v < 0.5)).toBe(true);
    expect(img[0]).toBe(0);
  });

  it('the triangle points up and the square is axis-aligned at angle 0', () => {
    const tri = drawShape(new Float32Array(28 * 28), 28, 'triangle', { cx: 14, cy: 14, radius: 10, angle: 0, value: 1 });
    const row = (y: number) => sum(tri.subarray(y * 28, (y + 1) * 28));
    expect(row(7)).toBeLessThan(row(17)); // narrow top, wide bottom
    const sq = drawShape(new Float32Array(28 * 28), 28, 'square', { cx: 14, cy: 14, radius: 10, angle: 0, value: 1 });
    expect(sq[8 * 28 + 8]).toBe(1); // corner region (half-side ≈ 7.07)
  });
});

describe('makeShapes', () => {
  const opts = { count: 400, testCount: 80, size: 28, seed: 3 };

  it('is deterministic for a seed and differs across seeds', () => {
    const a = makeShapes(opts);
    const b = makeShapes(opts);
    expect(Buffer.from(a.train.images.buffer).equals(Buffer.from(b.train.images.buffer))).toBe(true);
    expect(a.test.labels).toEqual(b.test.labels);
    const c = makeShapes({ ...opts, seed: 4 });
    expect(Buffer.from(a.train.images.buffer).equals(Buffer.from(c.train.images.buffer))).toBe(false);
  });

  it('has balanced labels, the right shape and values in [0, 1]', () => {
    const ds = makeShapes(opts);
    expect(ds.classes).toEqual(['circle', 'square', 'triangle', 'cross']);
    expect(ds.shape).toEqual([28, 28, 1]);
    expect(ds.train.count).toBe(400);
    expect(ds.test.count).toBe(80);
    expect(ds.train.images.length).toBe(400 * 784);
    const hist = [0, 0, 0, 0];
    for (const l of ds.train.labels) hist[l]!++;
    expect(hist).toEqual([100, 100, 100, 100]);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of ds.train.images) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(new Set(ds.train.labels.subarray(0, 20)).size).toBeGreaterThan(2); // shuffled order
  });

  it('classes differ as their geometry says: mean ink ∝ area', () => {
    const ds = makeShapes({ count: 2000, size: 28, seed: 9, noise: 0 });
    const ink = [0, 0, 0, 0];
    const n = [0, 0, 0, 0];
    ds.train.labels.forEach((l, i) => {
      ink[l]! += sum(ds.train.images.subarray(i * 784, (i + 1) * 784));
      n[l]!++;
    });
    const mean = ink.map((s, k) => s / n[k]!);
    const kinds: ShapeKind[] = ['circle', 'square', 'triangle', 'cross'];
    // Same radius and brightness distributions for all classes → ratios follow the area formulas.
    for (let k = 1; k < 4; k++) {
      const expected = shapeArea('circle', 1) / shapeArea(kinds[k]!, 1);
      expect(mean[0]! / mean[k]!).toBeGreaterThan(expected * 0.9);
      expect(mean[0]! / mean[k]!).toBeLessThan(expected * 1.1);
    }
  });

  it('supports other sizes and class lists, and rejects bad ones', () => {
    const ds = makeShapes({ count: 12, testCount: 6, size: 16, seed: 'x', classes: ['ring', 'line', 'circle'] });
    expect(ds.shape).toEqual([16, 16, 1]);
    expect(ds.test.images.length).toBe(6 * 256);
    expect(() => makeShapes({ count: 4, classes: ['circle'] })).toThrow(/at least 2/);
    expect(() => makeShapes({ count: 4, size: 4 })).toThrow(/8×8/);
  });
});
