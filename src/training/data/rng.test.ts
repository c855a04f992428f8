import { describe, expect, it } from 'vitest';
import { createRand, gaussian, mulberry32, randInt, seedFrom, shuffleInPlace } from './rng';

describe('rng', () => {
  it('mulberry32 is deterministic and uniform-ish in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeCloseTo(0.5, 1);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });

  it('seeds from strings, stably', () => {
    expect(seedFrom('fashion-mnist-split')).toBe(seedFrom('fashion-mnist-split'));
    expect(seedFrom('a')).not.toBe(seedFrom('b'));
    expect(seedFrom(-1)).toBe(0xffffffff);
    expect(createRand('x')()).toBe(mulberry32(seedFrom('x'))());
  });

  it('shuffles into a permutation; ints and normals look right', () => {
    const r = mulberry32(1);
    const arr = shuffleInPlace(Array.from({ length: 100 }, (_, i) => i), r);
    expect([...arr].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(arr).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    const u = shuffleInPlace(new Uint32Array([1, 2, 3]), r);
    expect([...u].sort()).toEqual([1, 2, 3]);
    for (let i = 0; i < 100; i++) expect(randInt(r, 3)).toBeLessThan(3);
    const g = Array.from({ length: 20_000 }, () => gaussian(r));
    const m = g.reduce((s, x) => s + x, 0) / g.length;
    const v = g.reduce((s, x) => s + (x - m) ** 2, 0) / g.length;
    expect(Math.abs(m)).toBeLessThan(0.05);
    expect(v).toBeCloseTo(1, 1);
  });
});
