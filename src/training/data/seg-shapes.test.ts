import { describe, expect, it } from 'vitest';
import { makeSegShapes } from './seg-shapes';
import { insideShape } from './shapes';

const eqBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('makeSegShapes', () => {
  const opts = { count: 60, testCount: 12, seed: 7 };

  it('is deterministic for a seed and differs across seeds', () => {
    const a = makeSegShapes(opts);
    const b = makeSegShapes(opts);
    expect(eqBytes(a.train.images, b.train.images)).toBe(true);
    expect(eqBytes(a.train.masks, b.train.masks)).toBe(true);
    expect(eqBytes(a.test.masks, b.test.masks)).toBe(true);
    const c = makeSegShapes({ ...opts, seed: 8 });
    expect(eqBytes(a.train.masks, c.train.masks)).toBe(false);
  });

  it('has the documented sizes, classes and value range', () => {
    const d = makeSegShapes(opts);
    expect(d.classes).toEqual(['background', 'circle', 'square', 'triangle', 'cross']);
    expect(d.shape).toEqual([32, 32, 1]);
    expect(d.train.count).toBe(60);
    expect(d.test.count).toBe(12);
    expect(d.train.images.length).toBe(60 * 32 * 32);
    expect(d.train.masks.length).toBe(60 * 32 * 32);
    expect(d.train.objects).toHaveLength(60);
    for (const objs of d.train.objects) {
      expect(objs.length).toBeGreaterThanOrEqual(2);
      expect(objs.length).toBeLessThanOrEqual(4);
    }
    expect(Math.min(...d.train.images)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...d.train.images)).toBeLessThanOrEqual(1);
    expect(Math.max(...d.train.masks)).toBe(4);
    const rgb = makeSegShapes({ ...opts, count: 4, testCount: 1, channels: 3 });
    expect(rgb.shape).toEqual([32, 32, 3]);
    expect(rgb.train.images.length).toBe(4 * 32 * 32 * 3);
    expect(rgb.train.masks.length).toBe(4 * 32 * 32);
  });

  it('class frequencies are reasonable: background dominant but every class well present', () => {
    const d = makeSegShapes({ count: 200, testCount: 0, seed: 1 });
    const hist = [0, 0, 0, 0, 0];
    for (const m of d.train.masks) hist[m]!++;
    const total = d.train.masks.length;
    expect(hist[0]! / total).toBeGreaterThan(0.4);
    expect(hist[0]! / total).toBeLessThan(0.85);
    for (let k = 1; k <= 4; k++) expect(hist[k]! / total).toBeGreaterThan(0.03);
  });

  it('masks do not depend on the texture; without texture the image is black off the shapes', () => {
    const a = makeSegShapes(opts);
    const b = makeSegShapes({ ...opts, texture: false, noise: 0 });
    expect(eqBytes(a.train.masks, b.train.masks)).toBe(true);
    expect(a.train.objects).toEqual(b.train.objects);
    // Every shape pixel of the mask shows ink; far from any shape the plain image is exactly 0.
    for (let i = 0; i < b.train.masks.length; i++) {
      if (b.train.masks[i]) expect(b.train.images[i]).toBeGreaterThan(0.25);
    }
    const img0 = b.train.images.subarray(0, 1024);
    const objs = b.train.objects[0]!;
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) {
        const far = objs.every((o) => Math.hypot(x + 0.5 - o.params.cx, y + 0.5 - o.params.cy) > o.params.radius + 1.5);
        if (far) expect(img0[y * 32 + x]).toBe(0);
      }
  });

  it('mask agrees with an independent centre-point rasterisation of the listed shapes (topmost wins)', () => {
    const d = makeSegShapes({ count: 40, testCount: 0, seed: 11 });
    let agree = 0;
    let total = 0;
    for (let i = 0; i < d.train.count; i++) {
      const objs = d.train.objects[i]!;
      const ref = new Uint8Array(32 * 32);
      for (const o of objs) {
        const { cx, cy, radius, angle } = o.params;
        const cos = Math.cos(angle);
        const sin = Math.sin(angle);
        for (let y = 0; y < 32; y++)
          for (let x = 0; x < 32; x++) {
            const dx = x + 0.5 - cx;
            const dy = y + 0.5 - cy;
            if (insideShape(o.kind, (cos * dx + sin * dy) / radius, (-sin * dx + cos * dy) / radius)) ref[y * 32 + x] = o.cls;
          }
      }
      const mask = d.train.masks.subarray(i * 1024, (i + 1) * 1024);
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) {
          const k = y * 32 + x;
          total++;
          if (mask[k] === ref[k]) {
            agree++;
            continue;
          }
          // A disagreement may only sit on an edge of the reference: some 8-neighbour has the mask's class.
          let near = false;
          for (let v = -1; v <= 1; v++)
            for (let u = -1; u <= 1; u++) {
              const xx = x + u;
              const yy = y + v;
              if (xx >= 0 && yy >= 0 && xx < 32 && yy < 32 && ref[yy * 32 + xx] === mask[k]) near = true;
            }
          expect(near).toBe(true);
        }
    }
    expect(agree / total).toBeGreaterThan(0.97);
  });

  it('with texture, shape pixels are clearly brighter than background pixels', () => {
    const d = makeSegShapes({ count: 30, testCount: 0, seed: 2 });
    let fg = 0;
    let nf = 0;
    let bg = 0;
    let nb = 0;
    d.train.masks.forEach((m, i) => (m ? ((fg += d.train.images[i]!), nf++) : ((bg += d.train.images[i]!), nb++)));
    expect(fg / nf - bg / nb).toBeGreaterThan(0.35);
  });

  it('an overlap limit keeps shapes apart as it says (and without one the set is unchanged)', () => {
    const limited = makeSegShapes({ count: 200, testCount: 0, seed: 9, overlap: 0.35 });
    let pairs = 0;
    for (const objs of limited.train.objects)
      for (let a = 0; a < objs.length; a++)
        for (let b = a + 1; b < objs.length; b++) {
          const p = objs[a]!.params;
          const q = objs[b]!.params;
          pairs++;
          expect(Math.hypot(p.cx - q.cx, p.cy - q.cy)).toBeGreaterThanOrEqual(p.radius + q.radius - 0.35 * Math.min(p.radius, q.radius) - 1e-9);
        }
    expect(pairs).toBeGreaterThan(200);
    // Without a limit, some shapes cut deep into others (the original set, byte for byte the same stream).
    const free = makeSegShapes({ count: 200, testCount: 0, seed: 9 });
    const deep = free.train.objects.some((objs) =>
      objs.some((o, a) => objs.some((r, b) => b > a && Math.hypot(o.params.cx - r.params.cx, o.params.cy - r.params.cy) < 0.5 * Math.min(o.params.radius, r.params.radius))),
    );
    expect(deep).toBe(true);
    expect(Array.from(makeSegShapes({ count: 5, testCount: 0, seed: 9 }).train.masks)).toEqual(Array.from(free.train.masks.subarray(0, 5 * 32 * 32)));
  });

  it('rejects bad options', () => {
    expect(() => makeSegShapes({ count: 1, size: 4 })).toThrow(/8×8/);
    expect(() => makeSegShapes({ count: 1, classes: ['circle', 'circle'] })).toThrow(/distinct/);
    expect(() => makeSegShapes({ count: 1, minShapes: 3, maxShapes: 2 })).toThrow(/range/);
  });
});
