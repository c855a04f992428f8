import { describe, expect, it } from 'vitest';
import { boxAt, overlaps, placeBox, PLACEMENT_MARGIN, unstack, type Box } from './placement';

const canvas: Box = { left: 220, top: 50, right: 1060, bottom: 850 };
const minimap: Box = { left: 876, top: 666, right: 1036, bottom: 826 };
const size = { width: 220, height: 120 };
const inside = (b: Box, outer: Box) => b.left >= outer.left && b.top >= outer.top && b.right <= outer.right && b.bottom <= outer.bottom;

describe('placeBox', () => {
  it('centres the box on the point when there is room', () => {
    expect(placeBox(size, { x: 600, y: 400 }, canvas, [minimap])).toEqual({ x: 490, y: 340 });
  });

  it('keeps the box inside the canvas near an edge', () => {
    const p = placeBox(size, { x: 1050, y: 60 }, canvas, [minimap]);
    const b = boxAt(p.x, p.y, size);
    expect(inside(b, canvas)).toBe(true);
    expect(b.right).toBe(canvas.right - PLACEMENT_MARGIN);
    expect(b.top).toBe(canvas.top + PLACEMENT_MARGIN);
  });

  it('moves the box off the minimap by the shortest way', () => {
    const p = placeBox(size, { x: 950, y: 740 }, canvas, [minimap]);
    const b = boxAt(p.x, p.y, size);
    expect(inside(b, canvas)).toBe(true);
    expect(overlaps(b, minimap)).toBe(false);
  });

  it('a box in the bottom-right corner ends clear of the minimap and inside the canvas', () => {
    for (const [x, y] of [
      [1059, 849],
      [1000, 700],
      [880, 830],
      [1050, 600],
    ] as const) {
      const p = placeBox(size, { x, y }, canvas, [minimap]);
      const b = boxAt(p.x, p.y, size);
      expect(inside(b, canvas)).toBe(true);
      expect(overlaps(b, minimap)).toBe(false);
    }
  });

  it('a canvas smaller than the box keeps the box at its top-left', () => {
    const small: Box = { left: 0, top: 0, right: 100, bottom: 100 };
    expect(placeBox(size, { x: 50, y: 50 }, small, [])).toEqual({ x: PLACEMENT_MARGIN, y: PLACEMENT_MARGIN });
  });
});

describe('unstack', () => {
  it('leaves a free centre alone', () => {
    expect(unstack({ x: 600, y: 400 }, size, [], canvas)).toEqual({ x: 600, y: 400 });
  });

  it('moves off a node centred there (whatever its size), and off the next one too', () => {
    const taken = [boxAt(540, 370, { width: 120, height: 60 }), boxAt(522, 372, size)];
    const p = unstack({ x: 600, y: 400 }, size, taken, canvas);
    expect(p).toEqual({ x: 664, y: 464 });
  });
});
