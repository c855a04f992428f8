import { describe, expect, it } from 'vitest';
import { overlayPixels, turbo, turboGradient } from './heat-colors';

describe('heatmap colours', () => {
  it('Turbo runs from near black (0) through blue, green and orange to dark red (1), clamped outside [0, 1]', () => {
    expect(Math.max(...turbo(0))).toBeLessThan(60);
    const [rb, gb, bb] = turbo(0.1);
    expect(bb).toBeGreaterThan(2 * Math.max(rb, gb));
    const [r1, g1, b1] = turbo(1);
    expect(r1).toBeGreaterThan(100);
    expect(r1).toBeGreaterThan(4 * Math.max(g1, b1));
    const [rm, gm, bm] = turbo(0.5);
    expect(gm).toBeGreaterThan(Math.max(rm, bm) - 40);
    expect(turbo(-3)).toEqual(turbo(0));
    expect(turbo(7)).toEqual(turbo(1));
    expect(turboGradient()).toMatch(/^linear-gradient\(to right, rgb\(\d+,\d+,\d+\) 0%, .* 100%\)$/);
  });

  it('overlays the heat on the image: none at opacity 0 or without a map, the colour map at full opacity and heat 1', () => {
    const image = Float32Array.from([0, 0.5, 1, 0.25]);
    const heat = [
      [0, 1],
      [0.5, 1],
    ];
    const grey = (v: number) => [Math.round(v * 255), Math.round(v * 255), Math.round(v * 255), 255];
    const plain = Array.from(overlayPixels(image, [2, 2, 1], null, 0.6));
    expect(plain).toEqual([...grey(0), ...grey(0.5), ...grey(1), ...grey(0.25)]);
    expect(Array.from(overlayPixels(image, [2, 2, 1], heat, 0))).toEqual(plain);
    const full = overlayPixels(image, [2, 2, 1], heat, 1);
    expect(Array.from(full.slice(4, 7))).toEqual(turbo(1)); // heat 1, opacity 1: the colour alone
    // Heat 0 still tints a little (15%), so the map's extent shows.
    const [r, g, b] = turbo(0);
    expect(full[0]).toBe(Math.round(0.15 * r));
    expect(full[2]).toBe(Math.round(0.15 * b));
    expect(full[1]).toBe(Math.round(0.15 * g));
    // Colour images keep their channels.
    const rgb = overlayPixels(Float32Array.from([1, 0, 0]), [1, 1, 3], null, 1);
    expect(Array.from(rgb)).toEqual([255, 0, 0, 255]);
  });
});
