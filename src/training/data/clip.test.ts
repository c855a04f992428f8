import { describe, expect, it } from 'vitest';
import { boxIoU } from '../../tasks/metrics';
import { coverageBox } from './box-shapes';
import { bounce, makeClip, MIN_VISIBLE, objectAt } from './clip';
import { drawShape } from './shapes';

const eqBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('bounce', () => {
  it('hand-worked: reflects off both walls', () => {
    // From 2 at +3 per step between 0 and 10: 2, 5, 8, 9 (11 reflected), 6, 3, 0, 3.
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((t) => bounce(2, 3, t, 0, 10))).toEqual([2, 5, 8, 9, 6, 3, 0, 3]);
    // Moving left from 4 at −3 between 1 and 7: 4, 1, 4 (−2 → reflected at 1), 7, 4.
    expect([0, 1, 2, 3, 4].map((t) => bounce(4, -3, t, 1, 7))).toEqual([4, 1, 4, 7, 4]);
    expect(bounce(5, 1, 3, 2, 2)).toBe(2);
  });
});

describe('makeClip', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = makeClip({ frames: 6, seed: 3 });
    const b = makeClip({ frames: 6, seed: 3 });
    expect(eqBytes(a.images, b.images)).toBe(true);
    expect(a.truth).toEqual(b.truth);
    expect(makeClip({ frames: 6, seed: 4 }).truth).not.toEqual(a.truth);
  });

  it('sizes, 2–4 objects with stable ids, boxes of the shapes where they have moved', () => {
    const counts = new Set<number>();
    for (let seed = 1; seed <= 12; seed++) {
      const clip = makeClip({ frames: 20, seed });
      expect(clip.shape).toEqual([32, 32, 1]);
      expect(clip.images.length).toBe(20 * 32 * 32);
      expect(clip.truth).toHaveLength(20);
      expect(clip.classes).toEqual(['circle', 'square', 'triangle', 'cross']);
      counts.add(clip.objects.length);
      expect(clip.objects.map((o) => o.id)).toEqual(clip.objects.map((_, i) => i + 1));
      // They start apart: circumcircles do not meet.
      clip.objects.forEach((o, i) => clip.objects.slice(i + 1).forEach((q) => expect(Math.hypot(o.cx - q.cx, o.cy - q.cy)).toBeGreaterThanOrEqual(o.radius + q.radius)));
      for (const o of clip.objects) {
        const speed = Math.hypot(o.vx, o.vy);
        expect(speed).toBeGreaterThanOrEqual(0.6);
        expect(speed).toBeLessThanOrEqual(1.6);
      }
      clip.truth.forEach((frame, t) => {
        for (const b of frame) {
          const o = clip.objects[b.id - 1]!;
          expect(b.cls).toBe(o.cls);
          // The box is the one of the shape drawn alone at the object's place in frame t.
          const { cx, cy } = objectAt(o, t, 32);
          expect(cx - o.radius).toBeGreaterThanOrEqual(0);
          expect(cy + o.radius).toBeLessThanOrEqual(32);
          const cov = drawShape(new Float32Array(32 * 32), 32, o.kind, { cx, cy, radius: o.radius, angle: o.angle, value: 1 }, 4);
          expect(b).toEqual({ id: o.id, ...coverageBox(cov, 32, o.cls)! });
        }
        // In drawing order, each object at most once.
        const ids = frame.map((b) => b.id);
        expect(ids).toEqual([...new Set(ids)].sort((p, q) => p - q));
      });
    }
    expect([...counts].sort()).toEqual([2, 3, 4]);
    expect(makeClip({ frames: 2, seed: 1, objects: 5 }).objects).toHaveLength(5);
  });

  it('objects move and cross each other now and then', () => {
    let crossings = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const clip = makeClip({ frames: 30, seed });
      const first = clip.truth[0]!;
      const last = clip.truth[29]!;
      // Every object has moved by the last frame.
      for (const o of clip.objects) {
        const a = objectAt(o, 0, 32);
        const b = objectAt(o, 29, 32);
        expect(Math.hypot(a.cx - b.cx, a.cy - b.cy)).toBeGreaterThan(0.5);
      }
      expect(first.length + last.length).toBeGreaterThan(0);
      // Two objects' boxes overlapping by more than a third at some frame: a crossing.
      if (clip.truth.some((f) => f.some((p, i) => f.some((q, j) => j > i && boxIoU(p, q) > 1 / 3)))) crossings++;
    }
    expect(crossings).toBeGreaterThanOrEqual(2);
  });

  it('leaves out an object hidden under later shapes, and only then', () => {
    let leftOut = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const clip = makeClip({ frames: 30, seed });
      clip.truth.forEach((frame, t) => {
        const covs = clip.objects.map((o) => {
          const { cx, cy } = objectAt(o, t, 32);
          return drawShape(new Float32Array(32 * 32), 32, o.kind, { cx, cy, radius: o.radius, angle: o.angle, value: 1 }, 4);
        });
        clip.objects.forEach((o, i) => {
          let own = 0;
          let shown = 0;
          for (let k = 0; k < 32 * 32; k++) {
            if (covs[i]![k]! < 0.5) continue;
            own++;
            if (!covs.some((c, j) => j > i && c[k]! >= 0.5)) shown++;
          }
          const listed = frame.some((b) => b.id === o.id);
          expect(listed).toBe(own > 0 && shown >= MIN_VISIBLE * own);
          if (!listed) leftOut++;
        });
      });
    }
    expect(leftOut).toBeGreaterThan(0);
  });

  it('draws the shapes over a still background: only noise changes where no shape is', () => {
    const clip = makeClip({ frames: 10, seed: 2 });
    const px = 32 * 32;
    const covs = (t: number) =>
      clip.objects.map((o) => {
        const { cx, cy } = objectAt(o, t, 32);
        return drawShape(new Float32Array(px), 32, o.kind, { cx, cy, radius: o.radius, angle: o.angle, value: 1 }, 4);
      });
    const c0 = covs(0);
    const c9 = covs(9);
    let diff = 0;
    let n = 0;
    for (let k = 0; k < px; k++) {
      if (c0.some((c) => c[k]! > 0) || c9.some((c) => c[k]! > 0)) continue;
      diff += (clip.images[k]! - clip.images[9 * px + k]!) ** 2;
      n++;
    }
    expect(n).toBeGreaterThan(100);
    // Two independent noises of σ 0.03: the difference has σ ≈ 0.042.
    expect(Math.sqrt(diff / n)).toBeGreaterThan(0.03);
    expect(Math.sqrt(diff / n)).toBeLessThan(0.06);
    // Inside the topmost shape, the pixel is its ink (± noise).
    const top = clip.objects.length - 1;
    const o = clip.objects[top]!;
    const inside = [...c0[top]!.keys()].filter((k) => c0[top]![k] === 1);
    expect(inside.length).toBeGreaterThan(5);
    const mean = inside.reduce((s, k) => s + clip.images[k]!, 0) / inside.length;
    expect(mean).toBeCloseTo(o.color[0]!, 1);
  });

  it('explains bad options', () => {
    expect(() => makeClip({ frames: 0 })).toThrow(/frames/);
    expect(() => makeClip({ frames: 3, size: 4 })).toThrow(/8×8/);
    expect(() => makeClip({ frames: 3, objects: 9 })).toThrow(/0 to 6/);
  });
});
