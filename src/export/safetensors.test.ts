import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from './safetensors';

const tensors = [
  { name: 'c1.weight', shape: [2, 1, 3, 3], data: Float32Array.from({ length: 18 }, (_, i) => i * 0.5 - 4) },
  { name: 'c1.bias', shape: [2], data: Float32Array.from([1.5, -Infinity]) },
  { name: 'bn.running_var', shape: [3], data: Float32Array.from([1e-30, 3.4e38, -0]) },
  { name: 'empty', shape: [0, 4], data: new Float32Array(0) },
  { name: 'odd name/with ünïcode', shape: [1], data: Float32Array.from([Math.PI]) },
];

/** Reads the file the long way: bytes, then JSON, then DataView (independent of the decoder). */
function readByHand(bytes: Uint8Array) {
  let n = 0;
  for (let i = 7; i >= 0; i--) n = n * 256 + bytes[i]!;
  const headerText = new TextDecoder().decode(bytes.slice(8, 8 + n));
  const header = JSON.parse(headerText) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> & { __metadata__?: unknown };
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const values = (name: string) => {
    const [b, e] = header[name]!.data_offsets;
    return Array.from({ length: (e - b) / 4 }, (_, i) => view.getFloat32(8 + n + b + 4 * i, true));
  };
  return { n, headerText, header, values };
}

describe('safetensors', () => {
  it('lays the file out as the format says', () => {
    const bytes = encodeSafetensors(tensors, { format: 'pt', graph: 'LeNet-5' });
    const { n, headerText, header, values } = readByHand(bytes);
    expect(n % 8).toBe(0); // data starts 8-byte aligned
    expect(headerText).toMatch(/^\{.*\} *$/s); // padded with spaces only
    expect(new TextEncoder().encode(headerText.trimEnd()).length).toBeGreaterThan(n - 8); // at most 7 bytes of padding
    expect(header.__metadata__).toEqual({ format: 'pt', graph: 'LeNet-5' });
    // Offsets are contiguous in the given order and cover the data exactly.
    let at = 0;
    for (const t of tensors) {
      const h = header[t.name]!;
      expect(h.dtype).toBe('F32');
      expect(h.shape).toEqual(t.shape);
      expect(h.data_offsets).toEqual([at, at + 4 * t.data.length]);
      at += 4 * t.data.length;
      expect(values(t.name)).toEqual(Array.from(t.data));
    }
    expect(bytes.length).toBe(8 + n + at);
  });

  it('round-trips through the decoder', () => {
    const decoded = decodeSafetensors(encodeSafetensors(tensors, { a: 'b' }));
    expect(decoded.metadata).toEqual({ a: 'b' });
    expect(decoded.tensors.map((t) => t.name)).toEqual(tensors.map((t) => t.name));
    decoded.tensors.forEach((t, i) => {
      expect(t.shape).toEqual(tensors[i]!.shape);
      expect(Array.from(t.data)).toEqual(Array.from(tensors[i]!.data));
    });
    expect(decodeSafetensors(encodeSafetensors([])).tensors).toEqual([]);
  });

  it('copies the data of a Float32Array view, not its whole buffer', () => {
    const big = Float32Array.from({ length: 10 }, (_, i) => i);
    const view = big.subarray(3, 5);
    const decoded = decodeSafetensors(encodeSafetensors([{ name: 'v', shape: [2], data: view }]));
    expect(Array.from(decoded.tensors[0]!.data)).toEqual([3, 4]);
  });

  it('refuses what it cannot write', () => {
    expect(() => encodeSafetensors([{ name: 'x', shape: [2, 2], data: new Float32Array(3) }])).toThrow(/"x" has 3 values but shape \[2, 2\]/);
    expect(() => encodeSafetensors([tensors[1]!, tensors[1]!])).toThrow(/used twice/);
    expect(() => encodeSafetensors([{ name: '__metadata__', shape: [1], data: new Float32Array(1) }])).toThrow(/reserved/);
  });

  it('refuses malformed files with a reason', () => {
    const good = encodeSafetensors([tensors[0]!]);
    expect(() => decodeSafetensors(good.slice(0, 5))).toThrow(/shorter than/);
    expect(() => decodeSafetensors(good.slice(0, good.length - 4))).toThrow(/past the end/);
    const withHeader = (header: unknown, data = new Uint8Array(0)) => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + json.length + data.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      out.set(data, 8 + json.length);
      return out;
    };
    expect(() => decodeSafetensors(withHeader({ x: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2)))).toThrow(/dtype "F16"/);
    expect(() => decodeSafetensors(withHeader({ x: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)))).toThrow(/holes/);
    expect(() => decodeSafetensors(withHeader({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)))).toThrow(/4 bytes for shape/);
    expect(() => decodeSafetensors(withHeader([1, 2]))).toThrow(/not a JSON object/);
    const notJson = withHeader({});
    notJson[8] = 0x7b + 1;
    expect(() => decodeSafetensors(notJson)).toThrow(/not JSON/);
  });
});
