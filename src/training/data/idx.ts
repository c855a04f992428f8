/**
 * The IDX file format of MNIST (http://yann.lecun.com/exdb/mnist/): 2 zero bytes, a type byte,
 * a dimension count, one big-endian uint32 per dimension, then the data. Only unsigned bytes
 * (type 0x08) are supported, which is what MNIST and our Fashion-MNIST cache use.
 */

export interface IdxArray {
  dims: number[];
  /** The data bytes (a view into the given buffer, not a copy). */
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** Parse an IDX file of unsigned bytes; throws a readable error for anything else. */
export function parseIdx(buffer: ArrayBuffer | Uint8Array, name = 'IDX file'): IdxArray {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (bytes.length < 4) throw new Error(`${name}: only ${bytes.length} bytes, too short for an IDX header.`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hint = bytes[0] === 0x3c ? ' (it looks like HTML, not a data file)' : bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (it is gzip-compressed; unpack it first)' : '';
    throw new Error(`${name}: not an IDX file: the magic number must start with two zero bytes${hint}.`);
  }
  const type = bytes[2]!;
  if (type !== 0x08) {
    const what = TYPE_NAMES[type] ? `${TYPE_NAMES[type]} (0x${hex(type)})` : `unknown type 0x${hex(type)}`;
    throw new Error(`${name}: holds ${what}; only unsigned bytes (0x08) are supported.`);
  }
  const ndims = bytes[3]!;
  if (ndims === 0) throw new Error(`${name}: declares zero dimensions.`);
  const header = 4 + 4 * ndims;
  if (bytes.length < header) throw new Error(`${name}: truncated header: ${ndims} dimensions need ${header} bytes, the file has ${bytes.length}.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let total = 1;
  for (let d = 0; d < ndims; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    total *= n;
  }
  const have = bytes.length - header;
  if (have < total) throw new Error(`${name}: truncated: dimensions ${dims.join('×')} need ${total} data bytes, the file has ${have}.`);
  if (have > total) throw new Error(`${name}: ${have - total} unexpected bytes after the ${dims.join('×')} data.`);
  return { dims, data: bytes.subarray(header) };
}

/** Encode unsigned bytes as an IDX file (the inverse of `parseIdx`). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const total = dims.reduce((a, b) => a * b, 1);
  if (dims.length === 0 || dims.length > 255) throw new Error(`IDX needs 1 to 255 dimensions, got ${dims.length}.`);
  if (total !== data.length) throw new Error(`IDX dimensions ${dims.join('×')} need ${total} bytes, got ${data.length}.`);
  const out = new Uint8Array(idxHeaderSize(dims.length) + total);
  out.set(idxHeader(dims));
  out.set(data, idxHeaderSize(dims.length));
  return out;
}

/** The header bytes alone (for writing large files in pieces). */
export function idxHeader(dims: number[]): Uint8Array {
  const out = new Uint8Array(idxHeaderSize(dims.length));
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((n, d) => view.setUint32(4 + 4 * d, n, false));
  return out;
}

export function idxHeaderSize(ndims: number): number {
  return 4 + 4 * ndims;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
