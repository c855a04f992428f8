/**
 * Graphs that travel in pictures: the PNG and SVG diagrams carry the graph file's text, so that
 * dropping the picture back on LayerLab (or `layerlab inspect diagram.png`) opens the graph.
 * Pure: no DOM, runs in Node and in browsers.
 *
 * PNG: one iTXt chunk with keyword "layerlab-graph" just before IEND, its UTF-8 text zlib-compressed
 * (fflate) when over 1 KiB. fast-png 8 reads and writes only Latin-1 tEXt chunks, and only by
 * decoding and re-encoding the whole image, so the chunks are walked here (with a small CRC-32
 * table) and every byte of the image's own chunks is copied unchanged.
 * SVG: a `<metadata id="layerlab-graph">` element holding the text in CDATA sections, read back by
 * a small scanner (no DOMParser, no entity expansion beyond XML's five and character references).
 * Pictures come from anywhere: every size is bounded and every failure is a message, never a throw.
 */
import { Unzlib, zlibSync } from 'fflate';
import { LIMITS } from './limits';

/** The PNG text keyword and the SVG metadata id that mark LayerLab's graph. */
export const PICTURE_KEYWORD = 'layerlab-graph';
/** Largest picture file read (a big diagram at twice its size is a few MiB; this leaves room). */
export const MAX_PICTURE_BYTES = 64 * 1024 * 1024;
/** Text longer than this (UTF-8 bytes) is compressed in the PNG. */
const COMPRESS_OVER = 1024;

export const NO_GRAPH_MESSAGE = 'This picture has no LayerLab graph in it.';

export type PictureText = string | { error: string };

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const tooLargePicture = (bytes: number) => `The picture is ${mib(bytes)}; LayerLab reads pictures of at most ${mib(MAX_PICTURE_BYTES)}.`;
/** A message when a picture file of this many bytes is too large to read. */
export const checkPictureSize = (bytes: number): string | undefined => (bytes > MAX_PICTURE_BYTES ? tooLargePicture(bytes) : undefined);
/** Whether a file's name or type says PNG or SVG (the browser decides by these before reading it). */
export const isPictureFile = (name: string, type = ''): boolean => /\.(png|svg)$/i.test(name) || type === 'image/png' || type === 'image/svg+xml';
const tooLargeGraph = () => `The LayerLab graph in this picture is larger than ${mib(LIMITS.maxFileBytes)}, the limit for graph files.`;

// ---------------------------------------------------------------------------------------------
// PNG

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

let crcTable: Uint32Array | undefined;
function crc32(bytes: Uint8Array, start: number, end: number): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const u32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const chunkType = (b: Uint8Array, at: number) => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

/** Whether the bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((v, i) => bytes[i] === v);
}

interface Chunk {
  type: string;
  /** Offset of the chunk's length field; the chunk runs to `end`. */
  start: number;
  dataStart: number;
  dataEnd: number;
  end: number;
}

/** The chunks up to and including IEND, or why the file is not a whole PNG. */
function walkPng(bytes: Uint8Array): { chunks: Chunk[]; iend: boolean } | { error: string } {
  if (!isPng(bytes)) return { error: 'This is not a PNG picture (it does not start with the PNG signature).' };
  const chunks: Chunk[] = [];
  let at = 8;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) return { chunks, iend: false };
    const length = u32(bytes, at);
    if (length > 0x7fffffff) return { error: 'The PNG picture is damaged (a chunk claims an impossible length).' };
    const type = chunkType(bytes, at + 4);
    if (!/^[A-Za-z]{4}$/.test(type)) return { error: 'The PNG picture is damaged (a chunk has an invalid name).' };
    const end = at + 12 + length;
    if (end > bytes.length) return { chunks, iend: false };
    chunks.push({ type, start: at, dataStart: at + 8, dataEnd: at + 8 + length, end });
    at = end;
    if (type === 'IEND') return { chunks, iend: true };
  }
  return { chunks, iend: false };
}

const latin1 = (b: Uint8Array, from: number, to: number) => {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]!);
  return s;
};

/** The chunk's keyword (bytes before the first NUL, at most 79), and where the rest starts. */
function keywordOf(bytes: Uint8Array, c: Chunk): { keyword: string; rest: number } | undefined {
  const max = Math.min(c.dataEnd, c.dataStart + 80);
  for (let i = c.dataStart; i < max; i++) if (bytes[i] === 0) return { keyword: latin1(bytes, c.dataStart, i), rest: i + 1 };
  return undefined;
}

const isOurText = (bytes: Uint8Array, c: Chunk) =>
  (c.type === 'iTXt' || c.type === 'zTXt' || c.type === 'tEXt') && keywordOf(bytes, c)?.keyword === PICTURE_KEYWORD;

function chunkBytes(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/**
 * The PNG with the graph's text in an iTXt chunk before IEND (replacing one embedded before).
 * Every other chunk is copied byte for byte, so the image decodes to the same pixels.
 * Throws (with a plain message) only when `png` is not a whole PNG.
 */
export function embedInPng(png: Uint8Array, graphJson: string): Uint8Array<ArrayBuffer> {
  const walked = walkPng(png);
  if ('error' in walked) throw new Error(walked.error);
  if (!walked.iend) throw new Error('The PNG picture is cut short (it has no end chunk).');
  const text = new TextEncoder().encode(graphJson);
  const compress = text.length > COMPRESS_OVER;
  const body = compress ? zlibSync(text, { level: 9 }) : text;
  // iTXt: keyword, NUL, compression flag, method (0 = zlib), empty language tag, NUL, empty translated keyword, NUL, text.
  const head = new TextEncoder().encode(PICTURE_KEYWORD);
  const data = new Uint8Array(head.length + 5 + body.length);
  data.set(head, 0);
  data.set([0, compress ? 1 : 0, 0, 0, 0], head.length);
  data.set(body, head.length + 5);
  const chunk = chunkBytes('iTXt', data);

  const kept = walked.chunks.filter((c) => c.type !== 'IEND' && !isOurText(png, c));
  const iend = walked.chunks[walked.chunks.length - 1]!;
  const tail = png.subarray(iend.start); // IEND and anything after it, unchanged
  const size = 8 + kept.reduce((n, c) => n + c.end - c.start, 0) + chunk.length + tail.length;
  const out = new Uint8Array(size);
  out.set(png.subarray(0, 8), 0);
  let at = 8;
  for (const c of kept) {
    out.set(png.subarray(c.start, c.end), at);
    at += c.end - c.start;
  }
  out.set(chunk, at);
  out.set(tail, at + chunk.length);
  return out;
}

/** Inflates zlib data, stopping with a message as soon as the output passes `limit` bytes. */
function inflateBounded(data: Uint8Array, limit: number): Uint8Array | { error: string } {
  const parts: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const inflater = new Unzlib((chunk) => {
    total += chunk.length;
    if (total > limit) over = true;
    else parts.push(chunk);
  });
  try {
    // Small pieces: one piece inflates to at most ~1000× its size before the bound is checked.
    const STEP = 4096;
    for (let at = 0; at < data.length && !over; at += STEP) inflater.push(data.subarray(at, at + STEP), at + STEP >= data.length);
    if (!data.length) inflater.push(data, true);
  } catch {
    return { error: 'The LayerLab graph in this PNG is damaged (it could not be decompressed).' };
  }
  if (over) return { error: tooLargeGraph() };
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function utf8(bytes: Uint8Array): string | { error: string } {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { error: 'The LayerLab graph in this PNG is damaged (its text is not valid UTF-8).' };
  }
}

/** The graph text embedded in a PNG, or a message saying why there is none. Never throws. */
export function graphTextFromPng(bytes: Uint8Array): PictureText {
  if (bytes.length > MAX_PICTURE_BYTES) return { error: tooLargePicture(bytes.length) };
  const walked = walkPng(bytes);
  if ('error' in walked) return walked;
  const found = walked.chunks.find((c) => isOurText(bytes, c));
  if (!found) {
    return walked.iend
      ? { error: NO_GRAPH_MESSAGE }
      : { error: 'The PNG picture is cut short (truncated), and no LayerLab graph was found in the part that is there.' };
  }
  if (crc32(bytes, found.start + 4, found.dataEnd) !== u32(bytes, found.dataEnd)) {
    return { error: 'The LayerLab graph in this PNG is damaged (its checksum does not match).' };
  }
  const limit = LIMITS.maxFileBytes * 3; // UTF-8 bytes of a text of at most maxFileBytes UTF-16 units
  let at = keywordOf(bytes, found)!.rest;
  let payload: Uint8Array | { error: string };
  let isUtf8 = true;
  const damaged = { error: 'The LayerLab graph in this PNG is damaged (its text chunk is malformed).' };
  if (found.type === 'tEXt') {
    payload = bytes.subarray(at, found.dataEnd);
    isUtf8 = false;
  } else if (found.type === 'zTXt') {
    if (at >= found.dataEnd || bytes[at] !== 0) return damaged;
    payload = inflateBounded(bytes.subarray(at + 1, found.dataEnd), limit);
    isUtf8 = false;
  } else {
    if (at + 2 > found.dataEnd) return damaged;
    const compressed = bytes[at];
    const method = bytes[at + 1];
    if (compressed !== 0 && compressed !== 1) return damaged;
    if (compressed === 1 && method !== 0) return damaged;
    at += 2;
    // Skip the language tag and the translated keyword (each ends with a NUL).
    for (let skip = 0; skip < 2; skip++) {
      while (at < found.dataEnd && bytes[at] !== 0) at++;
      if (at >= found.dataEnd) return damaged;
      at++;
    }
    const body = bytes.subarray(at, found.dataEnd);
    payload = compressed ? inflateBounded(body, limit) : body;
  }
  if ('error' in payload) return payload;
  if (payload.length > limit) return { error: tooLargeGraph() };
  return isUtf8 ? utf8(payload) : latin1(payload, 0, payload.length);
}

// ---------------------------------------------------------------------------------------------
// SVG

// Characters XML 1.0 does not allow (control characters, lone surrogates, U+FFFE/F). In JSON text
// they can only stand inside strings, where a \uXXXX escape reads back as the same character.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const jsonEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** The metadata element that holds `graphJson` in CDATA sections ("]]>" split across two sections). */
export function svgMetadata(graphJson: string): string {
  const safe = graphJson.replace(NOT_XML, jsonEscape).replaceAll(']]>', ']]]]><![CDATA[>');
  return `<metadata id="${PICTURE_KEYWORD}"><![CDATA[${safe}]]></metadata>`;
}

/** The SVG document with the graph in its metadata (replacing one embedded before). Throws if `svg` has no `</svg>`. */
export function embedInSvg(svg: string, graphJson: string): string {
  const old = findMetadata(svg);
  const clean = old && !('error' in old) ? svg.slice(0, old.start) + svg.slice(old.end) : svg;
  const close = clean.lastIndexOf('</svg>');
  if (close < 0) throw new Error('The SVG document has no closing </svg> tag.');
  return `${clean.slice(0, close)}${svgMetadata(graphJson)}\n${clean.slice(close)}`;
}

const OPEN_ID = new RegExp(`\\sid\\s*=\\s*(["'])${PICTURE_KEYWORD}\\1`);

/** Where LayerLab's metadata element is: the whole element and its content. */
function findMetadata(text: string): { start: number; end: number; content: string } | { error: string } | undefined {
  let from = 0;
  let nextGt = -1;
  for (;;) {
    const at = text.indexOf('metadata', from);
    if (at < 0) return undefined;
    from = at + 8;
    // `<metadata` or `<prefix:metadata` (as Inkscape may write it).
    let open = at - 1;
    let prefix = '';
    if (text[open] === ':') {
      let p = open - 1;
      while (p >= 0 && open - p <= 64 && /[\w.-]/.test(text[p]!)) p--;
      prefix = text.slice(p + 1, open + 1);
      open = p;
    }
    if (text[open] !== '<' || !/[\s/>]/.test(text[from] ?? '')) continue;
    // The next '>' is searched again only once passed, so that many unclosed tags cannot make this quadratic.
    if (nextGt < from) nextGt = text.indexOf('>', from);
    if (nextGt < 0) return undefined;
    const tagEnd = nextGt;
    if (tagEnd - open > 4096) continue;
    const tag = text.slice(open, tagEnd + 1);
    if (!OPEN_ID.test(tag)) continue;
    if (tag.endsWith('/>')) return { start: open, end: tagEnd + 1, content: '' };
    // The closing tag is the first one outside CDATA sections and comments (the graph's own text may hold "</metadata>").
    const closeTag = `</${prefix}metadata`;
    const notClosed = { error: 'The SVG picture is damaged (its LayerLab metadata is not closed).' };
    let close = tagEnd + 1;
    for (;;) {
      close = text.indexOf('<', close);
      if (close < 0) return notClosed;
      const skip = text.startsWith('<![CDATA[', close) ? ']]>' : text.startsWith('<!--', close) ? '-->' : undefined;
      if (skip) {
        const end = text.indexOf(skip, close + 4);
        if (end < 0) return notClosed;
        close = end + 3;
      } else if (text.startsWith(closeTag, close) && /[\s>]/.test(text[close + closeTag.length] ?? '')) break;
      else close++;
    }
    const closeEnd = text.indexOf('>', close);
    if (closeEnd < 0) return notClosed;
    return { start: open, end: closeEnd + 1, content: text.slice(tagEnd + 1, close) };
  }
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Character data of the metadata: CDATA sections, text with XML's own entities, comments skipped. */
function characterData(content: string): PictureText {
  const out: string[] = [];
  let at = 0;
  while (at < content.length) {
    if (content.startsWith('<![CDATA[', at)) {
      const end = content.indexOf(']]>', at + 9);
      if (end < 0) return { error: 'The SVG picture is damaged (a CDATA section in its LayerLab metadata is not closed).' };
      out.push(content.slice(at + 9, end));
      at = end + 3;
    } else if (content.startsWith('<!--', at)) {
      const end = content.indexOf('-->', at + 4);
      if (end < 0) return { error: 'The SVG picture is damaged (a comment in its LayerLab metadata is not closed).' };
      at = end + 3;
    } else if (content[at] === '<') {
      return { error: 'The LayerLab metadata in this SVG holds markup where the graph text should be.' };
    } else {
      let end = content.indexOf('<', at);
      if (end < 0) end = content.length;
      const raw = content.slice(at, end);
      let bad: string | undefined;
      out.push(
        raw.replace(/&([^;&\s]{0,12});?/g, (m, name: string) => {
          if (!m.endsWith(';')) bad ??= m;
          else if (Object.hasOwn(NAMED, name)) return NAMED[name]!;
          else if (/^#[0-9]{1,7}$/.test(name) || /^#x[0-9a-fA-F]{1,6}$/.test(name)) {
            const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
            const ch = code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : undefined;
            if (ch !== undefined && ch.replace(NOT_XML, '') === ch) return ch;
            bad ??= m;
          } else bad ??= m;
          return '';
        }),
      );
      if (bad !== undefined) return { error: `The LayerLab metadata in this SVG uses "${bad.slice(0, 20)}", which LayerLab does not expand (only XML's own entities).` };
      at = end;
    }
  }
  return out.join('');
}

/** Whether the text looks like an SVG document (or other XML: it starts with "<" and has an <svg element). */
export function looksLikeSvg(text: string): boolean {
  return /^\uFEFF?\s*</.test(text.slice(0, 1024)) && /<(?:[\w.-]+:)?svg[\s>]/.test(text);
}

/** The graph text embedded in an SVG, or a message saying why there is none. Never throws. */
export function graphTextFromSvg(text: string): PictureText {
  if (text.length > MAX_PICTURE_BYTES) return { error: tooLargePicture(text.length) };
  if (!looksLikeSvg(text)) return { error: 'This is not an SVG picture.' };
  const found = findMetadata(text);
  if (!found) return { error: NO_GRAPH_MESSAGE };
  if ('error' in found) return found;
  if (found.content.length > LIMITS.maxFileBytes * 6) return { error: tooLargeGraph() };
  const data = characterData(found.content);
  if (typeof data === 'string' && !data.trim()) return { error: NO_GRAPH_MESSAGE };
  return data;
}

// ---------------------------------------------------------------------------------------------

/**
 * The graph text in a PNG or SVG picture (judged by content, not by name), a message when it is a
 * picture without a usable graph, or undefined when the bytes are not a picture (they may be a graph file).
 */
export function graphTextFromPicture(bytes: Uint8Array): PictureText | undefined {
  if (isPng(bytes)) return graphTextFromPng(bytes);
  if (!/^\uFEFF?\s*</.test(new TextDecoder().decode(bytes.subarray(0, 1024)))) return undefined;
  if (bytes.length > MAX_PICTURE_BYTES) return { error: tooLargePicture(bytes.length) };
  const text = new TextDecoder().decode(bytes);
  return looksLikeSvg(text) ? graphTextFromSvg(text) : undefined;
}
