/**
 * Reading zip archives defensively (pure TypeScript + fflate's streaming inflate; browser and Node).
 *
 * fflate's `unzipSync` trusts the sizes in the headers: it allocates what an entry declares and
 * then inflates the whole stream, however long, into it. A hostile zip can therefore declare a few
 * gigabytes (memory) or declare a few bytes and inflate for minutes (time). Here the central
 * directory is read first (nothing inflated), the caller checks the declared sizes against its
 * bounds, and each entry it asks for is inflated in small pieces into a buffer of exactly the
 * declared size, stopping the moment the stream gives more than it declared. The CRC-32 of every
 * extracted entry is checked, so a flipped byte in a stored (uncompressed) entry is caught too.
 */
import { Inflate } from 'fflate';

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

export interface ZipEntry {
  /** The path inside the archive, e.g. "lenet5-model/model.json". */
  name: string;
  /** Compressed size in bytes (as declared). */
  compressedSize: number;
  /** Uncompressed size in bytes (as declared; extraction refuses an entry that gives more). */
  size: number;
  /** 0 = stored, 8 = deflate; anything else is refused on extraction. */
  method: number;
  crc: number;
  encrypted: boolean;
  directory: boolean;
  /** Offset of the entry's local header. */
  localOffset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_END64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;

const u16 = (d: Uint8Array, o: number): number => d[o]! | (d[o + 1]! << 8);
const u32 = (d: Uint8Array, o: number): number => (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24)) >>> 0;
const u64 = (d: Uint8Array, o: number): number => u32(d, o) + u32(d, o + 4) * 2 ** 32;

/** True when the bytes start like a zip archive ("PK\3\4", or "PK\5\6" for an empty one). */
export function looksLikeZip(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b && ((data[2] === 3 && data[3] === 4) || (data[2] === 5 && data[3] === 6));
}

/**
 * Lists the entries of a zip archive from its central directory, without inflating anything.
 * Throws ZipError for anything that is not a well-formed zip, and when it has more than
 * `maxEntries` entries (`tooMany` says, after "LABEL holds N files; ", what such a zip should hold).
 */
export function listZip(data: Uint8Array, label: string, maxEntries = 10_000, tooMany = 'a LayerLab model zip holds a handful'): ZipEntry[] {
  const damaged = (why: string) => new ZipError(`${label} is damaged: ${why} (was the download cut short?).`);
  if (data.length < 22) throw damaged('it is too short to be a zip');
  // The end-of-central-directory record sits in the last 22 + 65,535 (comment) bytes.
  let end = -1;
  for (let o = data.length - 22, stop = Math.max(0, data.length - 22 - 65535); o >= stop; o--) {
    if (u32(data, o) === SIG_END) {
      end = o;
      break;
    }
  }
  if (end < 0) throw damaged('its table of contents (the end of the zip) is missing');
  let count = u16(data, end + 10);
  let cdSize = u32(data, end + 12);
  let cdOffset = u32(data, end + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = end - 20;
    if (loc >= 0 && u32(data, loc) === SIG_LOCATOR64) {
      const end64 = u64(data, loc + 8);
      if (end64 + 56 > data.length || u32(data, end64) !== SIG_END64) throw damaged('its zip64 table of contents is broken');
      count = u64(data, end64 + 32);
      cdSize = u64(data, end64 + 40);
      cdOffset = u64(data, end64 + 48);
    }
  }
  if (count > maxEntries) throw new ZipError(`${label} holds ${count.toLocaleString('en-US')} files; ${tooMany} (at most ${maxEntries.toLocaleString('en-US')}).`);
  if (cdOffset + cdSize > data.length) throw damaged('its table of contents points past the end of the file');
  const utf8 = new TextDecoder('utf-8');
  const entries: ZipEntry[] = [];
  let o = cdOffset;
  for (let i = 0; i < count; i++) {
    if (o + 46 > data.length || u32(data, o) !== SIG_CENTRAL) throw damaged(`entry ${i + 1} of its table of contents is broken`);
    const flags = u16(data, o + 8);
    const method = u16(data, o + 10);
    const crc = u32(data, o + 16);
    let compressedSize = u32(data, o + 20);
    let size = u32(data, o + 24);
    const nameLen = u16(data, o + 28);
    const extraLen = u16(data, o + 30);
    const commentLen = u16(data, o + 32);
    let localOffset = u32(data, o + 42);
    const next = o + 46 + nameLen + extraLen + commentLen;
    if (next > data.length) throw damaged(`entry ${i + 1} of its table of contents is broken`);
    const name = utf8.decode(data.subarray(o + 46, o + 46 + nameLen));
    // Zip64 extended information: the 64-bit values of the fields set to 0xffffffff, in this order.
    for (let e = o + 46 + nameLen, eEnd = e + extraLen; e + 4 <= eEnd; ) {
      const id = u16(data, e);
      const len = u16(data, e + 2);
      if (id === 0x0001) {
        let p = e + 4;
        const take = () => {
          if (p + 8 > e + 4 + len) throw damaged(`the zip64 sizes of ${name} are broken`);
          const v = u64(data, p);
          p += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localOffset === 0xffffffff) localOffset = take();
      }
      e += 4 + len;
    }
    entries.push({ name, compressedSize, size, method, crc, encrypted: (flags & 1) !== 0, directory: name.endsWith('/'), localOffset });
    o = next;
  }
  return entries;
}

let crcTable: Int32Array | undefined;

/** CRC-32 (the zip / PNG polynomial). */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  const t = crcTable;
  let c = -1;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** Input is fed to the inflater in pieces of this size: one piece gives at most ~1,032× as much. */
const INFLATE_PIECE = 64 * 1024;

/**
 * The uncompressed bytes of one entry (a view into `data` for stored entries). The caller has
 * checked `entry.size` against its bounds; this never produces more than that many bytes.
 */
export function extractZipEntry(data: Uint8Array, entry: ZipEntry, label: string): Uint8Array {
  const damaged = (why: string) => new ZipError(`${label} is damaged: ${why}.`);
  if (entry.encrypted) throw new ZipError(`${entry.name} in ${label} is encrypted; LayerLab cannot open password-protected zips. Zip the files again without a password.`);
  if (entry.method !== 0 && entry.method !== 8) {
    throw new ZipError(`${entry.name} in ${label} is compressed with method ${entry.method}, which LayerLab cannot unpack; zip the files again with ordinary (deflate) compression.`);
  }
  const lo = entry.localOffset;
  if (lo + 30 > data.length || u32(data, lo) !== SIG_LOCAL) throw damaged(`the header of ${entry.name} is missing`);
  const start = lo + 30 + u16(data, lo + 26) + u16(data, lo + 28);
  const stop = start + entry.compressedSize;
  if (stop > data.length) throw damaged(`${entry.name} is cut short`);
  const packed = data.subarray(start, stop);
  let out: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw damaged(`the sizes of ${entry.name} disagree`);
    out = packed;
  } else {
    out = new Uint8Array(entry.size);
    let written = 0;
    const inflater = new Inflate((chunk) => {
      if (written + chunk.length > entry.size) {
        throw new ZipError(
          `${label} is damaged or hostile: ${entry.name} unpacks to more than the ${entry.size.toLocaleString('en-US')} bytes its header declares (a zip bomb?); LayerLab stopped unpacking it.`,
        );
      }
      out.set(chunk, written);
      written += chunk.length;
    });
    try {
      if (packed.length === 0) inflater.push(packed, true);
      for (let p = 0; p < packed.length; p += INFLATE_PIECE) {
        inflater.push(packed.subarray(p, Math.min(packed.length, p + INFLATE_PIECE)), p + INFLATE_PIECE >= packed.length);
      }
    } catch (e) {
      if (e instanceof ZipError) throw e;
      throw damaged(`${entry.name} cannot be unpacked (${e instanceof Error ? e.message : String(e)})`);
    }
    if (written !== entry.size) throw damaged(`${entry.name} unpacks to ${written.toLocaleString('en-US')} bytes where its header declares ${entry.size.toLocaleString('en-US')}`);
  }
  if (crc32(out) !== entry.crc) throw damaged(`${entry.name} fails its checksum (CRC-32)`);
  return out;
}
