import { describe, expect, it } from 'vitest';
import { createNearSet, nearIds, type AreaBox } from './visibility';

const box = (left: number, top: number, w = 220, h = 100): AreaBox => ({ left, top, right: left + w, bottom: top + h });

describe('nearIds', () => {
  it('keeps the boxes that meet the view grown by the margin, checked against brute force', () => {
    const view = { left: 0, top: 0, right: 1000, bottom: 600 };
    const boxes: [string, AreaBox][] = [];
    for (let x = -3000; x <= 4000; x += 137) for (let y = -2000; y <= 2600; y += 91) boxes.push([`${x},${y}`, box(x, y)]);
    for (const margin of [0, 0.25, 0.5, 1]) {
      const got = new Set(nearIds(boxes, view, margin));
      // Brute force: a box is near when some point of it lies in the grown view.
      const l = -1000 * margin, r = 1000 + 1000 * margin, t = -600 * margin, b = 600 + 600 * margin;
      for (const [id, bx] of boxes) {
        let meets = false;
        for (let px = bx.left; px <= bx.right && !meets; px += 1) if (px >= l && px <= r && bx.bottom >= t && bx.top <= b) meets = true;
        expect(got.has(id), `${id} at margin ${margin}`).toBe(meets);
      }
    }
  });
});

describe('createNearSet', () => {
  it('notifies exactly the nodes whose state changed', () => {
    const set = createNearSet();
    const calls: string[] = [];
    for (const id of ['a', 'b', 'c']) set.subscribe(id, () => calls.push(id));
    expect(set.isNear('a')).toBe(true); // every node is near until told otherwise
    set.set(['a']);
    expect(calls.sort()).toEqual(['b', 'c']);
    expect([set.isNear('a'), set.isNear('b'), set.isNear('c')]).toEqual([true, false, false]);
    calls.length = 0;
    set.set(['b']);
    expect(calls.sort()).toEqual(['a', 'b']);
    calls.length = 0;
    set.set('all');
    expect(calls.sort()).toEqual(['a', 'c']);
    calls.length = 0;
    const off = set.subscribe('a', () => calls.push('a2'));
    off();
    set.set([]);
    expect(calls.sort()).toEqual(['a', 'b', 'c']);
  });
});
