import { loadPreset, presetFiles } from '../../fixtures/presets';
import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';
import { decompressFromLink, MAX_SHARE_HASH, readShareHash, shareUrl } from './share';

const presets = presetFiles();
const preset = loadPreset;

const hashOf = (url: string) => url.slice(url.indexOf('#'));
const linkFor = (text: string) => `#graph=${LZString.compressToEncodedURIComponent(text)}`;

function expectError(result: ReturnType<typeof readShareHash>, message: RegExp) {
  expect(result).not.toBeNull();
  expect(result!.ok).toBe(false);
  if (result && !result.ok) expect(result.message).toMatch(message);
}

/** A crafted stream whose every code means "the previous entry plus its first letter": k codes unpack to k²/2 letters. */
function lzBomb(k: number): string {
  const bits: number[] = [];
  const write = (value: number, n: number) => {
    for (let i = 0; i < n; i++) bits.push((value >> i) & 1);
  };
  write(0, 2);
  write(97, 8);
  let dictSize = 4;
  let numBits = 3;
  let enlargeIn = 4;
  for (let i = 0; i < k; i++) {
    write(dictSize, numBits);
    if (enlargeIn === 0) [enlargeIn, numBits] = [2 ** numBits, numBits + 1];
    dictSize++;
    if (--enlargeIn === 0) [enlargeIn, numBits] = [2 ** numBits, numBits + 1];
  }
  write(2, numBits);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$';
  let out = '';
  for (let i = 0; i < bits.length; i += 6) {
    let v = 0;
    for (let j = 0; j < 6; j++) v = (v << 1) | (bits[i + j] ?? 0);
    out += alphabet[v];
  }
  return out;
}

describe('share links', () => {
  it('has presets to check', () => expect(presets.length).toBeGreaterThanOrEqual(5));

  it.each(presets)('round-trips %s exactly', (file) => {
    const doc = preset(file);
    const url = shareUrl(doc, 'https://example.org/layerlab/?x=1#graph=old');
    expect(url.startsWith('https://example.org/layerlab/?x=1#graph=')).toBe(true);
    expect(url.indexOf('#')).toBe(url.lastIndexOf('#'));
    const read = readShareHash(hashOf(url));
    expect(read).toEqual({ ok: true, doc });
  });

  it('packs compact JSON', () => {
    const doc = preset('lenet5.json');
    const packed = shareUrl(doc, 'http://localhost/').split('#graph=')[1]!;
    expect(LZString.decompressFromEncodedURIComponent(packed)).toBe(JSON.stringify(doc));
  });

  it('reads the graph among other hash parameters, with or without #, and percent-encoded', () => {
    const doc = preset('mlp.json');
    const packed = hashOf(shareUrl(doc, '')).slice('#graph='.length);
    expect(readShareHash(`view=1&graph=${packed}&x=2`)).toEqual({ ok: true, doc });
    expect(readShareHash(`#graph=${encodeURIComponent(packed).replace(/-/g, '%2D')}`)).toEqual({ ok: true, doc });
  });

  it('gives null without a graph= parameter', () => {
    expect(readShareHash('')).toBeNull();
    expect(readShareHash('#')).toBeNull();
    expect(readShareHash('#view=editor&graphs=1')).toBeNull();
  });

  it('refuses a truncated link', () => {
    const hash = hashOf(shareUrl(preset('lenet5.json'), ''));
    for (const cut of [0.2, 0.5, 0.9, 0.99]) {
      expectError(readShareHash(hash.slice(0, Math.floor(hash.length * cut))), /^The link is damaged or incomplete: .*copied completely/);
    }
  });

  it('refuses garbage', () => {
    expectError(readShareHash('#graph=hello%20world!!'), /^The link is damaged or incomplete/);
    expectError(readShareHash('#graph=***'), /^The link is damaged or incomplete/);
    expectError(readShareHash('#graph=%E0%A4%A'), /^The link is damaged or incomplete: it contains a broken %-escape/);
    expectError(readShareHash(linkFor('not json at all')), /^The link is damaged or incomplete: its graph is not valid JSON/);
  });

  it('refuses an empty graph= value', () => {
    expectError(readShareHash('#graph='), /^The link is damaged or incomplete: it holds no graph/);
    expectError(readShareHash('#a=1&graph=&b=2'), /^The link is damaged or incomplete: it holds no graph/);
  });

  it('refuses a hostile graph with the parser’s message', () => {
    const text = '{"format":"layerlab-graph","version":1,"nodes":[{"id":"a","type":"input","params":{"__proto__":{"polluted":true}}}],"edges":[]}';
    expectError(readShareHash(linkFor(text)), /Refusing the key "__proto__" at nodes\[0\]\.params/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expectError(readShareHash(linkFor('[1,2]')), /should hold one JSON object/);
    expectError(readShareHash(linkFor(JSON.stringify({ format: 'layerlab-graph', version: 9, nodes: [], edges: [] }))), /newer LayerLab/);
  });

  it('refuses an over-long link before unpacking it', () => {
    expectError(readShareHash(`#graph=${'A'.repeat(MAX_SHARE_HASH)}`), /^The link is too long \(4\.0 MB\); shared links hold at most 4\.0 MB/);
  });

  it('stops a decompression bomb at the size limit', () => {
    const bomb = lzBomb(20_000); // ~45 KB that unpacks to 200 million characters
    expect(bomb.length).toBeLessThan(50_000);
    const started = Date.now();
    expectError(readShareHash(`#graph=${bomb}`), /^The shared graph is over 10\.0 MB once unpacked/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(decompressFromLink(lzBomb(100), 10_000)).toBe('a'.repeat(5151));
  });

  it('unpacks exactly what lz-string packs', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const samples = ['a', 'ab', 'aaaaaaaaaaaaaaaaaaaa', '×→ 😀 中文', JSON.stringify(preset('resnet50.json'))];
    for (let n = 0; n < 50; n++) {
      const len = 1 + Math.floor(random() * 400);
      samples.push(Array.from({ length: len }, () => String.fromCharCode(random() < 0.8 ? 32 + Math.floor(random() * 8) : Math.floor(random() * 0xffff))).join(''));
    }
    for (const s of samples) {
      expect(decompressFromLink(LZString.compressToEncodedURIComponent(s), 1e8)).toBe(s);
    }
  });
});
