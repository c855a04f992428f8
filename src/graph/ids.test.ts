import { describe, expect, it } from 'vitest';
import { uniqueId } from './ids';
import { LIMITS } from './limits';

describe('uniqueId', () => {
  it('numbers from 1, skipping ids in use', () => {
    expect(uniqueId('conv2d', new Set())).toBe('conv2d_1');
    expect(uniqueId('conv2d', new Set(['conv2d_1', 'conv2d_2']))).toBe('conv2d_3');
  });

  it('takes the base itself first when asked, then numbers from `start`', () => {
    expect(uniqueId('res', new Set(), { bareFirst: true, start: 2 })).toBe('res');
    expect(uniqueId('res', new Set(['res']), { bareFirst: true, start: 2 })).toBe('res_2');
  });

  it('stays within the id length limit, and a long base in use still gets a free id', () => {
    const long = 'b'.repeat(LIMITS.maxIdLength + 10);
    const first = uniqueId(long, new Set());
    expect(first.length).toBe(LIMITS.maxIdLength);
    expect(first.endsWith('_1')).toBe(true);
    const used = new Set([first, long.slice(0, LIMITS.maxIdLength)]);
    const second = uniqueId(long, used, { bareFirst: true });
    expect(second.endsWith('_1')).toBe(false);
    expect(used.has(second)).toBe(false);
    expect(second.length).toBeLessThanOrEqual(LIMITS.maxIdLength);
  });
});
