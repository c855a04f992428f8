import { describe, expect, it } from 'vitest';
import { formatNumber } from './format';
import { mulberry32 } from '../training/data/rng';

describe('formatNumber writes what toLocaleString("en-US") writes', () => {
  const same = (x: number) => expect(formatNumber(x), String(x)).toBe(x.toLocaleString('en-US'));

  it('on edge values', () => {
    for (const x of [0, -0, 1, -1, 999, 1000, -1000, 1234567, 61706, 25636712, 0.5, 0.0005, 0.0004999, 1.0005, 2.675, 1.2345, -1.2345, 0.1 + 0.2, 1e-7, 123456.7891, 9.9995, 999999.9996, 1e20, 2 ** 53, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER, 1e21, 1.5e300])
      same(x);
  });

  it('on 20,000 random values of every size, sign and precision', () => {
    const rnd = mulberry32(7);
    for (let i = 0; i < 20_000; i++) {
      const scale = 10 ** Math.floor(rnd() * 24 - 6);
      const x = (rnd() - 0.5) * scale;
      same(x);
      same(Math.round(x));
      same(Math.round(x * 1000) / 1000 + 0.0005);
    }
  });
});
