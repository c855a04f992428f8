import { describe, expect, it } from 'vitest';
import { countText } from './face';

describe('countText', () => {
  it('writes a weight count as toLocaleString("en-US") does', () => {
    for (const n of [0, 1, 12, 999, 1000, 1234, 61706, 999999, 1000000, 25636712, 123456789012, -1234]) expect(countText(n)).toBe(`${n.toLocaleString('en-US')} params`);
    expect(countText(1.5)).toBe(`${(1.5).toLocaleString('en-US')} params`);
    expect(countText(null)).toBe('');
  });
});
