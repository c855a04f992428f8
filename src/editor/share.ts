/**
 * Share links: the whole graph travels in the URL hash as `#graph=<lz-string, URI-safe>`, so
 * sharing needs no server. Reading a link is as defensive as reading a file: a link is
 * untrusted input, so it is unpacked with an output budget (a few hundred bytes of crafted
 * lz-string can otherwise expand to gigabytes) and then read by the ordinary graph parser.
 */
import LZString from 'lz-string';
import { LIMITS, parseGraph, type GraphDoc, type ParseResult } from '../graph';

/** The hash parameter that holds the graph. */
export const SHARE_PARAM = 'graph';
/** Longest hash accepted (characters): far above any real graph, which compresses well. */
export const MAX_SHARE_HASH = 4 * 1024 * 1024;

/** `base` (any hash removed) + `#graph=` + the compact JSON of `doc`, compressed. */
export function shareUrl(doc: GraphDoc, base: string): string {
  const hashAt = base.indexOf('#');
  const clean = hashAt < 0 ? base : base.slice(0, hashAt);
  return `${clean}#${SHARE_PARAM}=${LZString.compressToEncodedURIComponent(JSON.stringify(doc))}`;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const damaged = (why: string): ParseResult => ({ ok: false, message: `The link is damaged or incomplete: ${why}` });

/**
 * Reads a location hash (with or without the leading `#`). Null when it has no `graph=`
 * parameter (an ordinary page load); otherwise the parse result, with a clear message for
 * every problem. Never throws.
 */
export function readShareHash(hash: string): ParseResult | null {
  if (hash.length > MAX_SHARE_HASH) {
    return { ok: false, message: `The link is too long (${mb(hash.length)}); shared links hold at most ${mb(MAX_SHARE_HASH)}.` };
  }
  const prefix = `${SHARE_PARAM}=`;
  // Not URLSearchParams: it would turn the '+' of lz-string's alphabet into spaces.
  const param = hash.replace(/^#/, '').split('&').find((p) => p.startsWith(prefix));
  if (param === undefined) return null;
  let packed = param.slice(prefix.length);
  if (!packed) return damaged('it holds no graph.');
  if (packed.includes('%')) {
    // Some mail and chat programs percent-encode characters such as '$'.
    try {
      packed = decodeURIComponent(packed);
    } catch {
      return damaged('it contains a broken %-escape.');
    }
  }
  const unpacked = decompressFromLink(packed, LIMITS.maxFileBytes);
  if (unpacked === 'too-large') {
    return { ok: false, message: `The shared graph is over ${mb(LIMITS.maxFileBytes)} once unpacked; LayerLab graphs are at most ${mb(LIMITS.maxFileBytes)}.` };
  }
  if (unpacked === null || unpacked === '') return damaged('its graph could not be unpacked. Was it copied completely?');
  let json: unknown;
  try {
    json = JSON.parse(unpacked);
  } catch {
    return damaged('its graph is not valid JSON. Was it copied completely?');
  }
  return parseGraph(json);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$';
const VALUE = new Map([...ALPHABET].map((ch, i) => [ch, i] as const));

/**
 * lz-string's decompressFromEncodedURIComponent with an output budget of `maxChars`.
 * Returns null for input that is not a complete lz-string stream (truncated, foreign
 * characters, impossible codes) and 'too-large' once the output would exceed the budget.
 */
export function decompressFromLink(input: string, maxChars: number): string | null | 'too-large' {
  const text = input.replace(/ /g, '+');
  let index = 0;
  let val = 0;
  let position = 0;
  /** The next n bits, least significant first (null past the end or on a foreign character). */
  const read = (n: number): number | null => {
    let bits = 0;
    for (let i = 0; i < n; i++) {
      if (position === 0) {
        const v = VALUE.get(text.charAt(index++));
        if (v === undefined) return null;
        val = v;
        position = 32;
      }
      if (val & position) bits |= 1 << i;
      position >>= 1;
    }
    return bits;
  };

  const first = read(2);
  if (first !== 0 && first !== 1) return first === 2 ? '' : null;
  const code0 = read(first ? 16 : 8);
  if (code0 === null) return null;
  const dict: string[] = [];
  let dictSize = 4;
  let numBits = 3;
  let enlargeIn = 4;
  let w = String.fromCharCode(code0);
  dict[3] = w;
  const out = [w];
  let total = 1;
  for (;;) {
    let code = read(numBits);
    if (code === null) return null;
    if (code === 2) return out.join('');
    if (code < 2) {
      const ch = read(code ? 16 : 8);
      if (ch === null) return null;
      dict[dictSize++] = String.fromCharCode(ch);
      code = dictSize - 1;
      enlargeIn--;
    }
    if (enlargeIn === 0) {
      enlargeIn = 2 ** numBits;
      numBits++;
    }
    let entry: string;
    const known = dict[code];
    if (known !== undefined) entry = known;
    else if (code === dictSize) entry = w + w.charAt(0);
    else return null;
    total += entry.length;
    if (total > maxChars) return 'too-large';
    out.push(entry);
    dict[dictSize++] = w + entry.charAt(0);
    enlargeIn--;
    w = entry;
    if (enlargeIn === 0) {
      enlargeIn = 2 ** numBits;
      numBits++;
    }
    if (numBits > 30) return null;
  }
}
