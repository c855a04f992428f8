import { describe, expect, it } from 'vitest';
import { encodeIdx, idxHeader, parseIdx } from './idx';

function bytes(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

describe('parseIdx', () => {
  it('reads a hand-made 2×3 file (big-endian dims)', () => {
    const buf = bytes([0, 0, 8, 2], [0, 0, 0, 2], [0, 0, 0, 3], [1, 2, 3, 4, 5, 6]);
    const { dims, data } = parseIdx(buf.buffer as ArrayBuffer);
    expect(dims).toEqual([2, 3]);
    expect([...data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads large dims and views without copying', () => {
    const buf = bytes([0, 0, 8, 1], [0, 0, 1, 2], Array<number>(258).fill(7));
    const out = parseIdx(buf);
    expect(out.dims).toEqual([258]);
    expect(out.data.buffer).toBe(buf.buffer);
  });

  it('round-trips encodeIdx', () => {
    const data = Uint8Array.from({ length: 24 }, (_, i) => i * 10);
    const enc = encodeIdx([2, 3, 4], data);
    expect([...enc.subarray(0, 4)]).toEqual([0, 0, 8, 3]);
    expect(parseIdx(enc)).toEqual({ dims: [2, 3, 4], data });
    expect(idxHeader([60000, 28, 28]).length).toBe(16);
    expect(() => encodeIdx([2, 2], new Uint8Array(3))).toThrow(/need 4 bytes/);
  });

  it('gives clear errors for broken files', () => {
    expect(() => parseIdx(bytes([0, 0]))).toThrow(/too short/);
    expect(() => parseIdx(bytes([1, 0, 8, 1], [0, 0, 0, 0]))).toThrow(/magic number/);
    expect(() => parseIdx(new TextEncoder().encode('<!doctype html>'))).toThrow(/looks like HTML/);
    expect(() => parseIdx(bytes([0x1f, 0x8b, 8, 0]))).toThrow(/gzip/);
    expect(() => parseIdx(bytes([0, 0, 0x0d, 1], [0, 0, 0, 1], [0, 0, 0, 0]))).toThrow(/float32 \(0x0d\).*only unsigned bytes/);
    expect(() => parseIdx(bytes([0, 0, 0x42, 1]))).toThrow(/unknown type 0x42/);
    expect(() => parseIdx(bytes([0, 0, 8, 0]))).toThrow(/zero dimensions/);
    expect(() => parseIdx(bytes([0, 0, 8, 3], [0, 0, 0, 1]))).toThrow(/truncated header/);
    expect(() => parseIdx(bytes([0, 0, 8, 1], [0, 0, 0, 5], [1, 2, 3]))).toThrow(/truncated: dimensions 5 need 5 data bytes, the file has 3/);
    expect(() => parseIdx(bytes([0, 0, 8, 1], [0, 0, 0, 1], [1, 2]), 'labels')).toThrow(/^labels: 1 unexpected bytes/);
  });
});
