import { describe, expect, it } from 'vitest';
import { encode } from 'fast-png';
import jpeg from 'jpeg-js';
import { decodeImageBytes, maskOfPixels, resizeMaskNearest, toFloatImage } from './image-decode.ts';

const png = (width: number, height: number, data: Uint8Array | Uint16Array, channels: number, extra: Record<string, unknown> = {}) =>
  encode({ width, height, data, channels, depth: data instanceof Uint16Array ? 16 : 8, ...extra } as Parameters<typeof encode>[0]);

describe('decodeImageBytes', () => {
  it('reads a grey and an RGBA PNG exactly', () => {
    const grey = decodeImageBytes(png(3, 2, Uint8Array.from([0, 10, 20, 30, 40, 255]), 1), 'g.png');
    expect([grey.width, grey.height, grey.channels]).toEqual([3, 2, 1]);
    expect([...grey.data]).toEqual([0, 10, 20, 30, 40, 255]);
    const rgba = decodeImageBytes(png(1, 2, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 4), 'c.png');
    expect(rgba.channels).toBe(4);
    expect([...rgba.data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('reads a palette PNG as indices with its palette', () => {
    const palette = [[0, 0, 0], [255, 0, 0], [0, 0, 255]];
    const p = decodeImageBytes(png(4, 1, Uint8Array.from([0, 2, 1, 2]), 1, { palette }), 'p.png');
    expect([...p.data]).toEqual([0, 2, 1, 2]);
    expect(p.palette).toEqual(palette);
    // the image expands through the palette: red then blue
    const f = toFloatImage(p, 1, 4, 3);
    expect([...f.slice(3, 9)]).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('unpacks 1-bit rows (each row starts on a byte)', () => {
    // 3×2, rows 101 and 010, each padded to one byte
    const p = decodeImageBytes(encode({ width: 3, height: 2, data: Uint8Array.from([0b10100000, 0b01000000]), channels: 1, depth: 1 }), 'b.png');
    expect([...p.data]).toEqual([255, 0, 255, 0, 255, 0]);
    expect([...maskOfPixels(p, 'b.png')]).toEqual([1, 0, 1, 0, 1, 0]);
  });

  it('scales a 16-bit image to 8 bits, and keeps small 16-bit mask values', () => {
    const p = decodeImageBytes(png(3, 1, Uint16Array.from([0, 257 * 100, 65535]), 1), 'w.png');
    expect(p.depth).toBe(16);
    expect([...p.data]).toEqual([0, 100, 255]);
    const m = decodeImageBytes(png(3, 1, Uint16Array.from([0, 1, 3]), 1), 'm.png');
    expect([...maskOfPixels(m, 'm.png')]).toEqual([0, 1, 3]);
    const big = decodeImageBytes(png(2, 1, Uint16Array.from([0, 300]), 1), 'big.png');
    expect(() => maskOfPixels(big, 'big.png')).toThrow(/big\.png: pixel \(x 1, y 0\) has value 300/);
  });

  it('reads a JPEG within its lossy error', () => {
    const w = 8;
    const h = 8;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([200, 100, 50, 255], i * 4);
    const bytes = new Uint8Array(jpeg.encode({ width: w, height: h, data: rgba }, 95).data);
    const p = decodeImageBytes(bytes, 'photo.jpg');
    expect([p.width, p.height, p.channels]).toEqual([8, 8, 3]);
    for (let i = 0; i < w * h; i++) {
      expect(Math.abs(p.data[i * 3]! - 200)).toBeLessThan(6);
      expect(Math.abs(p.data[i * 3 + 1]! - 100)).toBeLessThan(6);
      expect(Math.abs(p.data[i * 3 + 2]! - 50)).toBeLessThan(6);
    }
  });

  it('refuses damaged, empty and other formats with the file name', () => {
    const good = png(4, 4, new Uint8Array(16).fill(7), 1);
    expect(() => decodeImageBytes(good.slice(0, 30), 'images/cut.png')).toThrow(/images\/cut\.png .*PNG.*damaged/);
    expect(() => decodeImageBytes(new Uint8Array(0), 'empty.png')).toThrow(/empty\.png is empty/);
    expect(() => decodeImageBytes(new TextEncoder().encode('GIF89a.....'), 'a.gif')).toThrow(/a\.gif is a GIF file/);
    expect(() => decodeImageBytes(new TextEncoder().encode('hello there'), 'notes.png')).toThrow(/notes\.png is not a PNG or JPEG/);
    const j = new Uint8Array(jpeg.encode({ width: 8, height: 8, data: new Uint8Array(256) }, 90).data);
    expect(() => decodeImageBytes(j.slice(0, 40), 'cut.jpg')).toThrow(/cut\.jpg .*JPEG/);
  });
});

describe('toFloatImage', () => {
  it('turns RGB into luma grey and grey into RGB, dropping alpha', () => {
    const p = decodeImageBytes(png(2, 1, Uint8Array.from([255, 0, 0, 0, 0, 0, 255, 10]), 4), 'c.png');
    const g = toFloatImage(p, 1, 2, 1);
    expect(g[0]).toBeCloseTo(0.299, 5);
    expect(g[1]).toBeCloseTo(0.114, 5);
    const q = decodeImageBytes(png(1, 1, Uint8Array.from([51]), 1), 'g.png');
    expect([...toFloatImage(q, 1, 1, 3)].map((v) => +v.toFixed(5))).toEqual([0.2, 0.2, 0.2]);
  });

  it('resizes bilinearly with aligned pixel centres, and by block means when shrinking', () => {
    // 2×1 → 4×1: centres at 0.25, 0.75, 1.25, 1.75 source pixels → −0.25 clamps to 0, then 0.25, 0.75, 1 (clamped)
    const p = decodeImageBytes(png(2, 1, Uint8Array.from([0, 255]), 1), 'r.png');
    expect([...toFloatImage(p, 1, 4, 1)].map((v) => +v.toFixed(4))).toEqual([0, 0.25, 0.75, 1]);
    // 6×3 → 3×1: each output pixel is the mean of the 2×3 block it covers
    const wide = Uint8Array.from({ length: 18 }, (_, i) => (i * 37) % 251);
    const three = toFloatImage(decodeImageBytes(png(6, 3, wide, 1), 'w.png'), 1, 3, 1);
    for (let x = 0; x < 3; x++) {
      let sum = 0;
      for (let y = 0; y < 3; y++) sum += wide[y * 6 + 2 * x]! + wide[y * 6 + 2 * x + 1]!;
      expect(three[x]).toBeCloseTo(sum / 6 / 255, 5);
    }
    // 4×4 → 2×2 averages each 2×2 block
    const data = Uint8Array.from({ length: 16 }, (_, i) => i * 10);
    const big = decodeImageBytes(png(4, 4, data, 1), 'b.png');
    const small = toFloatImage(big, 2, 2, 1);
    const block = (x: number, y: number) => (data[y * 4 + x]! + data[y * 4 + x + 1]! + data[(y + 1) * 4 + x]! + data[(y + 1) * 4 + x + 1]!) / 4 / 255;
    expect(small[0]).toBeCloseTo(block(0, 0), 5);
    expect(small[3]).toBeCloseTo(block(2, 2), 5);
  });
});

describe('maskOfPixels', () => {
  it('reads grey values, palette indices and equal-channel RGB as class indices', () => {
    const grey = decodeImageBytes(png(3, 1, Uint8Array.from([0, 1, 2]), 1), 'm.png');
    expect([...maskOfPixels(grey, 'm.png')]).toEqual([0, 1, 2]);
    const pal = decodeImageBytes(png(3, 1, Uint8Array.from([2, 0, 1]), 1, { palette: [[0, 0, 0], [128, 0, 0], [0, 128, 0]] }), 'p.png');
    expect([...maskOfPixels(pal, 'p.png')]).toEqual([2, 0, 1]);
    const rgb = decodeImageBytes(png(2, 1, Uint8Array.from([3, 3, 3, 255, 1, 1, 1, 255]), 4), 'r.png');
    expect([...maskOfPixels(rgb, 'r.png')]).toEqual([3, 1]);
  });

  it('refuses a colour mask, naming the first coloured pixel', () => {
    const rgb = decodeImageBytes(png(2, 1, Uint8Array.from([1, 1, 1, 0, 200, 0]), 3), 'masks/c.png');
    expect(() => maskOfPixels(rgb, 'masks/c.png')).toThrow(/masks\/c\.png is a colour mask \(pixel x 1, y 0 is R 0 G 200 B 0\)/);
  });
});

describe('resizeMaskNearest', () => {
  it('never blends class indices', () => {
    const m = Uint8Array.from([0, 1, 2, 3]); // 2×2
    expect([...resizeMaskNearest(m, 2, 2, 4, 4)]).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3]);
    const big = Uint8Array.from({ length: 16 }, (_, i) => i % 5);
    const small = resizeMaskNearest(big, 4, 4, 2, 2);
    // samples at source pixels (1,1), (3,1), (1,3), (3,3)
    expect([...small]).toEqual([big[5], big[7], big[13], big[15]]);
    expect(resizeMaskNearest(m, 2, 2, 2, 2)).not.toBe(m);
  });
});
