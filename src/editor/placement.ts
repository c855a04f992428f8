/**
 * Where a new node goes: centred on the point it was asked for (a drop, a double-click, a wire's
 * end, the centre of the view) and always inside the free part of the canvas — never under the
 * minimap or another box that covers the canvas, never past its edges (where the palette, the
 * side panel, the toolbar and the totals bar are). Pure geometry in screen (client) pixels, no DOM.
 */

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** Room kept between a new node and the canvas' edges or a covering box (px on screen). */
export const PLACEMENT_MARGIN = 12;

export const boxAt = (x: number, y: number, size: Size): Box => ({ left: x, top: y, right: x + size.width, bottom: y + size.height });

export const overlaps = (a: Box, b: Box): boolean => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

const inflate = (b: Box, m: number): Box => ({ left: b.left - m, top: b.top - m, right: b.right + m, bottom: b.bottom + m });

/** The centre of the free canvas (a node put there is then kept clear of covering boxes by placeBox). */
export const freeCentre = (free: Box): Point => ({ x: (free.left + free.right) / 2, y: (free.top + free.bottom) / 2 });

/**
 * The top-left corner (client px) for a box of `size` centred on `centre`, moved the least
 * distance needed to lie inside `free` (shrunk by `margin`) and clear of every box in `covers`
 * (grown by `margin`). When the free area is smaller than the box, the box keeps to its top-left.
 */
export function placeBox(size: Size, centre: Point, free: Box, covers: readonly Box[], margin = PLACEMENT_MARGIN): Point {
  const inner = { left: free.left + margin, top: free.top + margin, right: free.right - margin, bottom: free.bottom - margin };
  const clampX = (x: number) => Math.max(inner.left, Math.min(x, inner.right - size.width));
  const clampY = (y: number) => Math.max(inner.top, Math.min(y, inner.bottom - size.height));
  const start = { x: clampX(centre.x - size.width / 2), y: clampY(centre.y - size.height / 2) };
  const blocked = covers.map((c) => inflate(c, margin));
  const clear = (p: Point) => !blocked.some((b) => overlaps(boxAt(p.x, p.y, size), b));
  if (clear(start)) return start;

  // Candidates: the start pushed past each side of each covering box (and of pairs of boxes, by
  // trying the candidates' own candidates once), kept inside the free area; the nearest clear one wins.
  const candidates: Point[] = [];
  const pushOff = (p: Point) => {
    for (const b of blocked) {
      if (!overlaps(boxAt(p.x, p.y, size), b)) continue;
      candidates.push(
        { x: clampX(b.left - size.width), y: p.y },
        { x: clampX(b.right), y: p.y },
        { x: p.x, y: clampY(b.top - size.height) },
        { x: p.x, y: clampY(b.bottom) },
      );
    }
  };
  pushOff(start);
  for (const c of [...candidates]) pushOff(c);
  const dist = (p: Point) => Math.hypot(p.x - start.x, p.y - start.y);
  const best = candidates.filter(clear).sort((a, b) => dist(a) - dist(b))[0];
  return best ?? start;
}

/**
 * Moves a centre by `step` (down and to the right, wrapping back inside `free`) until no box of
 * `taken` is centred (almost) exactly there, so that adding several nodes "at the centre" fans
 * them out instead of stacking them. `size` is the new box's (it must still fit in `free`).
 */
export function unstack(centre: Point, size: Size, taken: readonly Box[], free: Box, step = 32, tries = 12): Point {
  const near = (p: Point) => taken.some((t) => Math.abs((t.left + t.right) / 2 - p.x) < step / 2 && Math.abs((t.top + t.bottom) / 2 - p.y) < step / 2);
  let p = { ...centre };
  for (let i = 0; i < tries && near(p); i++) {
    p = { x: p.x + step, y: p.y + step };
    if (p.x + size.width / 2 > free.right || p.y + size.height / 2 > free.bottom) p = { x: centre.x - step * (i + 1), y: centre.y + step };
  }
  return p;
}
