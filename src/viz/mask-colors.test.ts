import { describe, expect, it } from 'vitest';
import { classShares, cssColor, maskClassColor, maskOverlay, maskRgba, objectColor } from './mask-colors';

describe('mask colours', () => {
  it('gives every class a fixed colour of its own, the background none', () => {
    expect(maskClassColor(0)).toBeNull();
    expect(maskClassColor(3)).toEqual(objectColor(2));
    const seen = new Set<string>();
    for (let k = 0; k < 24; k++) {
      const c = objectColor(k);
      c.forEach((v) => expect(Number.isInteger(v) && v >= 0 && v <= 255).toBe(true));
      // Colourful (not grey), so a coloured pixel cannot be mistaken for the grey image under it.
      expect(Math.max(...c) - Math.min(...c)).toBeGreaterThan(40);
      seen.add(c.join());
    }
    expect(seen.size).toBe(24);
    expect(objectColor(1)).toEqual(objectColor(1));
    expect(cssColor(objectColor(0))).toBe('rgb(78,121,167)');
  });

  it('colours a mask into RGBA: the background transparent, each class its colour at the opacity', () => {
    const px = maskRgba([0, 1, 2, 0], 0.5);
    expect(px.length).toBe(16);
    expect(Array.from(px.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(px.subarray(4, 8))).toEqual([...maskClassColor(1)!, 128]);
    expect(Array.from(px.subarray(8, 12))).toEqual([...maskClassColor(2)!, 128]);
    expect(px[15]).toBe(0);
    expect(maskRgba([1], 1)[3]).toBe(255);
    expect(maskRgba([1], 0)[3]).toBe(0);
  });

  it('paints a mask over a grey image: the class colour blended by opacity, the dimmed image elsewhere', () => {
    const image = Float32Array.from([1, 0.5, 0, 0.2]);
    const mask = [0, 1, 2, 3];
    const full = maskOverlay(image, [2, 2, 1], mask, 1, 0.5);
    expect(Array.from(full.subarray(0, 4))).toEqual([128, 128, 128, 255]); // 1 × 255 × 0.5
    expect(Array.from(full.subarray(4, 8))).toEqual([...maskClassColor(1)!, 255]);
    expect(Array.from(full.subarray(12, 16))).toEqual([...maskClassColor(3)!, 255]);
    const none = maskOverlay(image, [2, 2, 1], mask, 0, 1);
    expect(Array.from(none).filter((_, i) => i % 4 === 0)).toEqual([255, 128, 0, 51]);
    const half = maskOverlay(image, [2, 2, 1], mask, 0.5, 1);
    const [r, g, b] = maskClassColor(1)!;
    expect(Array.from(half.subarray(4, 7))).toEqual([r * 0.5 + 63.75, g * 0.5 + 63.75, b * 0.5 + 63.75].map((v) => Math.round(v)));
    // RGB images keep their channels under the background.
    const rgb = maskOverlay(Float32Array.from([1, 0, 0.5]), [1, 1, 3], [0], 1, 1);
    expect(Array.from(rgb)).toEqual([255, 0, 128, 255]);
  });

  it('counts each class’s share of the pixels', () => {
    const mask = Uint8Array.from([0, 0, 0, 1, 1, 4, 0, 0]);
    const shares = classShares(mask, 5);
    expect(shares).toEqual([5 / 8, 2 / 8, 0, 0, 1 / 8]);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(classShares([], 3)).toEqual([0, 0, 0]);
  });
});
