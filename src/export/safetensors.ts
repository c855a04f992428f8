/**
 * The safetensors file format (https://github.com/huggingface/safetensors), float32 only:
 *
 *   8 bytes   N, the header length, unsigned 64-bit little-endian
 *   N bytes   JSON header: { "<name>": { "dtype": "F32", "shape": [...], "data_offsets": [begin, end] }, …,
 *             "__metadata__": { "<key>": "<string value>" } (optional) }, padded with spaces
 *   rest      the tensors' bytes, little-endian, row-major; offsets count from the end of the header
 *
 * The header is padded to a multiple of 8 bytes so every tensor starts 8-byte aligned. Pure
 * TypeScript (no DOM, no Node APIs): the browser writes these files too.
 */

export interface SafetensorsTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface DecodedSafetensors {
  tensors: SafetensorsTensor[];
  metadata: Record<string, string>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The tensors as one safetensors file, in the order given. */
export function encodeSafetensors(tensors: readonly SafetensorsTensor[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`safetensors metadata values must be strings ("${k}" is not)`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (t.name === '__metadata__' || seen.has(t.name)) throw new Error(`safetensors: tensor name "${t.name}" is used twice or reserved`);
    seen.add(t.name);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0) || size !== t.data.length) {
      throw new Error(`safetensors: tensor "${t.name}" has ${t.data.length} values but shape [${t.shape.join(', ')}]`);
    }
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    const bytes = t.data.length * 4;
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, bytes), at);
    } else {
      for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i]!, true);
    }
    at += bytes;
  }
  return out;
}

/** Reads a safetensors file of F32 tensors (tensors in file order). Throws on anything malformed. */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  if (bytes.length < 8) throw new Error('safetensors: the file is shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) throw new Error(`safetensors: header length ${n} is larger than the file`);
  const headerEnd = 8 + Number(n);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, headerEnd))) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`safetensors: the header is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new Error('safetensors: the header is not a JSON object');
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const entries: { name: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (v?.dtype !== 'F32') throw new Error(`safetensors: tensor "${name}" has dtype ${JSON.stringify(v?.dtype)}; only F32 is read`);
    const shape = v.shape;
    const offsets = v.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`safetensors: tensor "${name}" has a bad shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`safetensors: tensor "${name}" has bad data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== size * 4) throw new Error(`safetensors: tensor "${name}" has ${end - begin} bytes for shape [${shape.join(', ')}]`);
    if (headerEnd + end > bytes.length) throw new Error(`safetensors: tensor "${name}" runs past the end of the file`);
    entries.push({ name, shape: shape as number[], begin, end });
  }
  // The data must be fully covered without holes or overlaps.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin);
  let expect = 0;
  for (const e of sorted) {
    if (e.begin !== expect) throw new Error(`safetensors: tensor "${e.name}" starts at ${e.begin}, expected ${expect} (holes or overlaps)`);
    expect = e.end;
  }
  if (headerEnd + expect !== bytes.length) throw new Error(`safetensors: ${bytes.length - headerEnd - expect} bytes after the last tensor`);
  const tensors = sorted.map((e) => {
    const start = headerEnd + e.begin;
    if (LITTLE_ENDIAN) return { name: e.name, shape: e.shape, data: new Float32Array(bytes.slice(start, headerEnd + e.end).buffer) };
    const data = new Float32Array((e.end - e.begin) / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(start + 4 * i, true);
    return { name: e.name, shape: e.shape, data };
  });
  return { tensors, metadata };
}
