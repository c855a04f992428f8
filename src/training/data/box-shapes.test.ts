import { describe, expect, it } from 'vitest';
import { coverageBox, makeBoxShapes } from './box-shapes';
import { drawShape } from './shapes';

const eqBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('coverageBox', () => {
  it('hand-worked: the box of the half-covered pixels', () => {
    const cov = new Float32Array(25);
    cov[1 * 5 + 2] = 0.5;
    cov[3 * 5 + 1] = 1;
    cov[4 * 5 + 4] = 0.49; // under half: not part of the shape
    expect(coverageBox(cov, 5, 2)).toEqual({ cls: 2, x: 1, y: 1, w: 2, h: 3 });
    expect(coverageBox(new Float32Array(25), 5, 0)).toBeNull();
  });
});

describe('makeBoxShapes', () => {
  const opts = { count: 60, testCount: 10, seed: 5 };

  it('is deterministic for a seed and differs across seeds', () => {
    const a = makeBoxShapes(opts);
    const b = makeBoxShapes(opts);
    expect(eqBytes(a.train.images, b.train.images)).toBe(true);
    expect(a.train.boxes).toEqual(b.train.boxes);
    expect(a.test.boxes).toEqual(b.test.boxes);
    expect(makeBoxShapes({ ...opts, seed: 6 }).train.boxes).not.toEqual(a.train.boxes);
  });

  it('sizes, classes, 1–4 boxes per image inside the image, all classes present', () => {
    const d = makeBoxShapes(opts);
    expect(d.classes).toEqual(['circle', 'square', 'triangle', 'cross']);
    expect(d.shape).toEqual([32, 32, 1]);
    expect(d.train.images.length).toBe(60 * 1024);
    expect(d.train.boxes).toHaveLength(60);
    expect(d.test.boxes).toHaveLength(10);
    const seen = new Set<number>();
    const counts = new Set<number>();
    for (const bs of d.train.boxes) {
      counts.add(bs.length);
      expect(bs.length).toBeGreaterThanOrEqual(1);
      expect(bs.length).toBeLessThanOrEqual(4);
      for (const b of bs) {
        seen.add(b.cls);
        expect(Number.isInteger(b.x) && Number.isInteger(b.w)).toBe(true);
        expect(b.x).toBeGreaterThanOrEqual(0);
        expect(b.y).toBeGreaterThanOrEqual(0);
        expect(b.x + b.w).toBeLessThanOrEqual(32);
        expect(b.y + b.h).toBeLessThanOrEqual(32);
        expect(b.w).toBeGreaterThanOrEqual(4);
        expect(b.h).toBeGreaterThanOrEqual(4);
      }
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    expect(counts.size).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < d.train.count; i++) {
      expect(d.train.objects[i]!.map((o) => o.cls)).toEqual(d.train.boxes[i]!.map((b) => b.cls));
    }
  });

  it('each box equals the brute-force bounding box of its shape in a per-object drawing', () => {
    const d = makeBoxShapes({ count: 40, testCount: 0, seed: 9 });
    for (let i = 0; i < d.train.count; i++) {
      d.train.objects[i]!.forEach((o, j) => {
        const img = drawShape(new Float32Array(1024), 32, o.kind, { ...o.params, value: 1 }, 4);
        const xs: number[] = [];
        const ys: number[] = [];
        img.forEach((v, k) => v >= 0.5 && (xs.push(k % 32), ys.push(Math.floor(k / 32))));
        const x0 = Math.min(...xs);
        const y0 = Math.min(...ys);
        expect(d.train.boxes[i]![j]).toEqual({
          cls: o.cls,
          x: x0,
          y: y0,
          w: Math.max(...xs) - x0 + 1,
          h: Math.max(...ys) - y0 + 1,
        });
      });
    }
  });

  it('with a gap between shapes and no texture, each box is the tight box of its visible ink', () => {
    const d = makeBoxShapes({ count: 30, testCount: 0, seed: 12, overlap: -0.5, texture: false, noise: 0 });
    for (let i = 0; i < d.train.count; i++) {
      const img = d.train.images.subarray(i * 1024, (i + 1) * 1024);
      const objs = d.train.objects[i]!;
      objs.forEach((o, j) => {
        const v = o.color[0]!;
        let x0 = 99;
        let y0 = 99;
        let x1 = -1;
        let y1 = -1;
        for (let y = 0; y < 32; y++)
          for (let x = 0; x < 32; x++) {
            // the pixel belongs to the nearest circumscribed circle
            const gap = (q: (typeof objs)[number]) => Math.hypot(x - q.params.cx + 0.5, y - q.params.cy + 0.5) - q.params.radius;
            if (objs.some((q) => gap(q) < gap(o))) continue;
            if (img[y * 32 + x]! >= 0.5 * v - 1e-6) {
              x0 = Math.min(x0, x);
              y0 = Math.min(y0, y);
              x1 = Math.max(x1, x);
              y1 = Math.max(y1, y);
            }
          }
        expect(d.train.boxes[i]![j]).toEqual({ cls: o.cls, x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 });
      });
    }
  });

  it('shapes overlap at most lightly: boxes rarely cover each other much', () => {
    const d = makeBoxShapes({ count: 100, testCount: 0, seed: 3 });
    let pairs = 0;
    let heavy = 0;
    for (const bs of d.train.boxes)
      for (let a = 0; a < bs.length; a++)
        for (let b = a + 1; b < bs.length; b++) {
          const p = bs[a]!;
          const q = bs[b]!;
          const iw = Math.max(0, Math.min(p.x + p.w, q.x + q.w) - Math.max(p.x, q.x));
          const ih = Math.max(0, Math.min(p.y + p.h, q.y + q.h) - Math.max(p.y, q.y));
          const iou = (iw * ih) / (p.w * p.h + q.w * q.h - iw * ih);
          pairs++;
          if (iou > 0.5) heavy++;
        }
    expect(pairs).toBeGreaterThan(50);
    expect(heavy).toBe(0);
  });
});
