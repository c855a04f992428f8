import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { decode, encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { presetFiles, presetText } from '../../fixtures/presets';
import { analyzeGraph } from './analyze';
import { parseGraphText } from './parse';
import {
  embedInPng,
  embedInSvg,
  graphTextFromPicture,
  graphTextFromPng,
  graphTextFromSvg,
  MAX_PICTURE_BYTES,
  NO_GRAPH_MESSAGE,
  PICTURE_KEYWORD,
} from './picture';
import { serializeGraph } from './serialize';
import type { GraphDoc } from './types';
import { diagramSvg } from '../editor/diagram-svg';

const presets = presetFiles();
const docOf = (text: string): GraphDoc => {
  const r = parseGraphText(text);
  if (!r.ok) throw new Error(r.message);
  return r.doc;
};

/** Byte-equal (Vitest's deep equality is far too slow for images). */
const same = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** A real RGBA image (a gradient with a diagonal), encoded by fast-png. */
function testImage() {
  const width = 37;
  const height = 23;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data.set([x * 7, y * 11, x === y ? 255 : (x * y) % 256, 200 + (x % 50)], i);
    }
  return { width, height, data, png: encode({ width, height, data, channels: 4, depth: 8 }) };
}

/** A PNG chunk built with Node's zlib CRC-32 (independent of the module's own table). */
function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** The PNG with `extra` chunks inserted before IEND (the last 12 bytes of fast-png's output). */
function withChunks(png: Uint8Array, ...extra: Buffer[]): Uint8Array {
  return new Uint8Array(Buffer.concat([png.subarray(0, png.length - 12), ...extra, png.subarray(png.length - 12)]));
}

/** The chunk types in order, walked with Node Buffers. */
function chunkTypes(png: Uint8Array): string[] {
  const b = Buffer.from(png);
  const types: string[] = [];
  for (let at = 8; at + 12 <= b.length; at += 12 + b.readUInt32BE(at)) types.push(b.toString('latin1', at + 4, at + 8));
  return types;
}

const PYTHON = '/usr/bin/python3';
const pythonCan = (module: string) => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
const runPython = (code: string, input: string) => {
  const r = spawnSync(PYTHON, ['-c', code], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
};

const hostile: GraphDoc = {
  ...docOf(presetText('mlp')),
  name: 'a </metadata> ]]> <script>alert(1)</script> & "quotes" \'apos\' ]]]]> é 😀',
  description: 'control \u0001\u0008 chars, BOM \uFEFF, non-characters \uFFFE\uFFFF, lone \uD800 surrogate, ]]><![CDATA[ and &amp; &xxe;',
};

describe('graphs in PNG pictures', () => {
  it.each(presets)('%s round-trips through a PNG, and the pixels stay the same', (file) => {
    const doc = docOf(presetText(file));
    const { png, data } = testImage();
    const embedded = embedInPng(png, serializeGraph(doc));
    const text = graphTextFromPng(embedded);
    expect(typeof text).toBe('string');
    expect(parseGraphText(text as string)).toEqual({ ok: true, doc });
    // fast-png (checking every CRC) decodes the same pixels; the image's chunks are byte-identical.
    const decoded = decode(embedded, { checkCrc: true });
    expect(same(decoded.data, data)).toBe(true);
    expect(same(embedded.subarray(0, png.length - 12), png.subarray(0, png.length - 12))).toBe(true);
    expect(chunkTypes(embedded)).toEqual([...chunkTypes(png).slice(0, -1), 'iTXt', 'IEND']);
  });

  it('keeps a browser-made PNG (with its extra chunks) byte for byte around the new chunk', () => {
    const png = new Uint8Array(readFileSync('docs/editor-lenet5.png'));
    const json = serializeGraph(docOf(presetText('lenet5')));
    const embedded = embedInPng(png, json);
    expect(embedded.length).toBeGreaterThan(png.length);
    expect(same(embedded.subarray(0, png.length - 12), png.subarray(0, png.length - 12))).toBe(true);
    expect(same(embedded.subarray(-12), png.subarray(-12))).toBe(true);
    expect(graphTextFromPng(embedded)).toBe(json);
    expect(same(decode(embedded, { checkCrc: true }).data, decode(png).data)).toBe(true);
  });

  it('compresses large graphs (zlib, read back by Node) and stores small ones as plain UTF-8', () => {
    const big = serializeGraph(docOf(presetText('resnet50')));
    const embedded = Buffer.from(embedInPng(testImage().png, big));
    const at = embedded.indexOf(Buffer.from(`iTXt${PICTURE_KEYWORD}\0`, 'latin1'));
    const length = embedded.readUInt32BE(at - 4);
    const flags = embedded.subarray(at + 4 + PICTURE_KEYWORD.length + 1);
    expect([flags[0], flags[1], flags[2], flags[3]]).toEqual([1, 0, 0, 0]);
    const body = embedded.subarray(at + 4 + PICTURE_KEYWORD.length + 5, at + 4 + length);
    expect(inflateSync(body).toString('utf8')).toBe(big);
    expect(length).toBeLessThan(big.length / 4);

    const small = '{"tiny": "é"}';
    const plain = Buffer.from(embedInPng(testImage().png, small));
    expect(plain.includes(Buffer.from(`${PICTURE_KEYWORD}\0\0\0\0\0${small}`, 'utf8'))).toBe(true);
  });

  it('replaces the graph when a picture is embedded twice', () => {
    const png = testImage().png;
    const twice = embedInPng(embedInPng(png, '{"first": 1}'), '{"second": 2}');
    expect(graphTextFromPng(twice)).toBe('{"second": 2}');
    expect(chunkTypes(twice).filter((t) => t === 'iTXt')).toHaveLength(1);
  });

  it.runIf(pythonCan('PIL'))('Pillow reads the same text from the chunk, plain and compressed', () => {
    const png = testImage().png;
    const small = serializeGraph(docOf(presetText('mlp'))).slice(0, 900);
    for (const json of [small, serializeGraph(hostile), serializeGraph(docOf(presetText('resnet50')))]) {
      const embedded = Buffer.from(embedInPng(png, json));
      const code = `import sys, io, base64\nfrom PIL import Image\nim = Image.open(io.BytesIO(base64.b64decode(sys.stdin.read())))\nim.load()\nsys.stdout.buffer.write(im.text['${PICTURE_KEYWORD}'].encode('utf-8', 'surrogatepass'))`;
      expect(runPython(code, embedded.toString('base64'))).toBe(json);
    }
  });

  it('reads tEXt and zTXt chunks with the keyword too (as other tools may write them)', () => {
    const png = testImage().png;
    const key = Buffer.from(`${PICTURE_KEYWORD}\0`, 'latin1');
    expect(graphTextFromPng(withChunks(png, chunk('tEXt', Buffer.concat([key, Buffer.from('{"a": 1}', 'latin1')]))))).toBe('{"a": 1}');
    const z = Buffer.concat([key, Buffer.from([0]), deflateSync(Buffer.from('{"b": 2}', 'latin1'))]);
    expect(graphTextFromPng(withChunks(png, chunk('zTXt', z)))).toBe('{"b": 2}');
    // Another keyword is not ours.
    expect(graphTextFromPng(withChunks(png, chunk('tEXt', Buffer.from('workflow\0{"c": 3}', 'latin1'))))).toEqual({ error: NO_GRAPH_MESSAGE });
  });

  it('says so when a PNG has no graph, is not a PNG, or is not a picture at all', () => {
    expect(graphTextFromPng(testImage().png)).toEqual({ error: NO_GRAPH_MESSAGE });
    expect(graphTextFromPng(new TextEncoder().encode('{"format": "layerlab-graph"}'))).toEqual({ error: expect.stringMatching(/not a PNG/) });
    expect(graphTextFromPng(new Uint8Array())).toEqual({ error: expect.stringMatching(/not a PNG/) });
    expect(graphTextFromPicture(new TextEncoder().encode(presetText('lenet5')))).toBeUndefined();
    expect(() => embedInPng(new Uint8Array([1, 2, 3]), '{}')).toThrow(/not a PNG/);
  });

  it('gives a message, never a throw, for every truncation of a PNG with a graph', () => {
    const json = serializeGraph(docOf(presetText('lenet5')));
    const embedded = embedInPng(testImage().png, json);
    const iend = embedded.length - 12;
    for (let cut = 0; cut < embedded.length; cut++) {
      const r = graphTextFromPng(embedded.subarray(0, cut));
      // Only IEND (after the graph's chunk) may be cut away with the graph still whole.
      if (cut >= iend) expect(r).toBe(json);
      else expect(r).toEqual({ error: expect.stringMatching(/cut short|not a PNG/) });
    }
  });

  it('detects a damaged graph chunk by its CRC, and never throws on random damage', () => {
    const json = serializeGraph(docOf(presetText('resnet-mini')));
    const embedded = embedInPng(testImage().png, json);
    const start = Buffer.from(embedded).indexOf(Buffer.from(`iTXt${PICTURE_KEYWORD}`, 'latin1'));
    for (const offset of [PICTURE_KEYWORD.length + 10, 60, embedded.length - 20 - start]) {
      const bad = embedded.slice();
      bad[start + offset] = bad[start + offset]! ^ 0x40;
      expect(graphTextFromPng(bad)).toEqual({ error: expect.stringMatching(/damaged|no LayerLab graph/) });
    }
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let trial = 0; trial < 400; trial++) {
      const bad = embedded.slice();
      for (let k = 0; k <= rand(4); k++) bad[rand(bad.length)] = rand(256);
      const r = graphTextFromPng(bad);
      expect(typeof r === 'string' ? r : r.error).toBeTypeOf('string');
      if (typeof r === 'string') expect(r).toBe(json); // damage outside the chunk leaves the graph intact
    }
  });

  it('gives a message for malformed chunks with correct CRCs (bad flags, bad zlib, bad UTF-8)', () => {
    const png = testImage().png;
    const key = Buffer.from(`${PICTURE_KEYWORD}\0`, 'latin1');
    const cases: [Buffer, RegExp][] = [
      [Buffer.concat([key, Buffer.from([7, 0, 0, 0])]), /malformed/],
      [Buffer.concat([key, Buffer.from([1, 0])]), /malformed/],
      [Buffer.concat([key, Buffer.from([1, 0, 0, 0]), Buffer.from('not zlib at all')]), /decompressed/],
      [Buffer.concat([key, Buffer.from([0, 0, 0, 0, 0xff, 0xfe, 0x7b])]), /UTF-8/],
      [Buffer.from(PICTURE_KEYWORD, 'latin1'), /no LayerLab graph/], // no NUL after the keyword
    ];
    for (const [data, message] of cases) expect(graphTextFromPng(withChunks(png, chunk('iTXt', data)))).toEqual({ error: expect.stringMatching(message) });
    // A chunk claiming 3 GB.
    const huge = Buffer.from(png);
    huge.writeUInt32BE(0xc0000000, 8);
    expect(graphTextFromPng(huge)).toEqual({ error: expect.stringMatching(/damaged/) });
  });

  it('stops inflating a compressed bomb at the graph size limit', () => {
    const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024, 32), { level: 9 }); // 64 MiB of spaces in ~64 KiB
    expect(bomb.length).toBeLessThan(200_000);
    const key = Buffer.from(`${PICTURE_KEYWORD}\0`, 'latin1');
    const png = withChunks(testImage().png, chunk('iTXt', Buffer.concat([key, Buffer.from([1, 0, 0, 0]), bomb])));
    expect(graphTextFromPng(png)).toEqual({ error: expect.stringMatching(/larger than 10\.0 MiB/) });
    expect(graphTextFromPng(new Uint8Array(MAX_PICTURE_BYTES + 1))).toEqual({ error: expect.stringMatching(/at most 64\.0 MiB/) });
  });
});

describe('graphs in SVG pictures', () => {
  const svgOf = (doc: GraphDoc) => diagramSvg(doc, analyzeGraph(doc));

  it.each(presets)('%s round-trips through the SVG diagram', (file) => {
    const doc = docOf(presetText(file));
    const svg = svgOf(doc);
    const embedded = embedInSvg(svg, serializeGraph(doc));
    expect(embedded.replace(/<metadata id="layerlab-graph">[^]*<\/metadata>\n/, '')).toBe(svg);
    const text = graphTextFromSvg(embedded);
    expect(parseGraphText(text as string)).toEqual({ ok: true, doc });
    expect(graphTextFromPicture(new TextEncoder().encode(embedded))).toBe(text);
  });

  it('round-trips hostile names and descriptions, with no markup escaping the CDATA', () => {
    const json = serializeGraph(hostile);
    const embedded = embedInSvg(svgOf(hostile), json);
    const text = graphTextFromSvg(embedded);
    expect(parseGraphText(text as string)).toEqual({ ok: true, doc: hostile });
    const outsideCdata = embedded.replace(/<!\[CDATA\[[^]*?\]\]>/g, '');
    expect(outsideCdata).not.toMatch(/<script/i);
    expect(outsideCdata.match(/<\/metadata>/g)).toHaveLength(1);
    expect(embedInSvg(embedded, '{"again": true}').match(/<metadata/g)).toHaveLength(1);
  });

  it.runIf(pythonCan('xml.etree.ElementTree'))('stays well-formed XML: a strict parser (Python expat) reads back the same graph', () => {
    for (const doc of [hostile, docOf(presetText('resnet50'))]) {
      const json = serializeGraph(doc);
      const embedded = embedInSvg(svgOf(doc), json);
      const code = `import sys, json, xml.etree.ElementTree as ET\nroot = ET.fromstring(sys.stdin.buffer.read())\nm = root.find('{http://www.w3.org/2000/svg}metadata')\nassert m.get('id') == '${PICTURE_KEYWORD}'\nsys.stdout.write(json.dumps(json.loads(m.text), ensure_ascii=True))`;
      const fromPython = runPython(code, embedded);
      expect(JSON.parse(fromPython)).toEqual(JSON.parse(json));
    }
  });

  it('reads metadata written as escaped text (as an editor may re-save it), with a namespace prefix', () => {
    const json = '{"name": "a<b & \'c\' ]]> é"}';
    const escaped = json.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/é/g, '&#xe9;');
    const svg = `<?xml version="1.0"?>\n<svg:svg xmlns:svg="http://www.w3.org/2000/svg"><svg:metadata\n  id='layerlab-graph'><!-- a comment -->${escaped}</svg:metadata></svg:svg>`;
    expect(graphTextFromSvg(svg)).toBe(json);
  });

  it('expands no entities other than XML\'s own, so a DOCTYPE cannot inject or blow up text', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>`;
    const svg = `${laughs}<svg xmlns="http://www.w3.org/2000/svg"><metadata id="layerlab-graph">{"name": "&lol2;"}</metadata></svg>`;
    expect(graphTextFromSvg(svg)).toEqual({ error: expect.stringMatching(/&lol2;.*does not expand/) });
    const xxe = `<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><svg><metadata id="layerlab-graph">&xxe;</metadata></svg>`;
    expect(graphTextFromSvg(xxe)).toEqual({ error: expect.stringMatching(/does not expand/) });
    expect(graphTextFromSvg('<svg><metadata id="layerlab-graph">&#0;</metadata></svg>')).toEqual({ error: expect.stringMatching(/does not expand/) });
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
      expect(graphTextFromSvg(`<svg><metadata id="layerlab-graph">{"a": "&${name};"}</metadata></svg>`)).toEqual({ error: expect.stringMatching(/does not expand/) });
  });

  it('says so when an SVG has no graph, is damaged, or is not an SVG', () => {
    expect(graphTextFromSvg(svgOf(docOf(presetText('mlp'))))).toEqual({ error: NO_GRAPH_MESSAGE });
    expect(graphTextFromSvg('<svg><metadata id="other">{}</metadata></svg>')).toEqual({ error: NO_GRAPH_MESSAGE });
    expect(graphTextFromSvg('<svg><metadata id="layerlab-graph"/></svg>')).toEqual({ error: NO_GRAPH_MESSAGE });
    expect(graphTextFromSvg('<svg><metadata id="layerlab-graph"><![CDATA[{"a": 1}')).toEqual({ error: expect.stringMatching(/not closed/) });
    expect(graphTextFromSvg('<svg><metadata id="layerlab-graph"><g>{}</g></metadata></svg>')).toEqual({ error: expect.stringMatching(/markup/) });
    expect(graphTextFromSvg(presetText('mlp'))).toEqual({ error: 'This is not an SVG picture.' });
    expect(graphTextFromPicture(new TextEncoder().encode('<html><body>hi</body></html>'))).toBeUndefined();
    expect(() => embedInSvg('<svg>', '{}')).toThrow(/<\/svg>/);
  });

  it('gives a message, never a throw, for every truncation of an SVG with a graph', () => {
    const doc = docOf(presetText('lenet5'));
    const json = serializeGraph(doc);
    const embedded = embedInSvg(svgOf(doc), json);
    const metaEnd = embedded.indexOf('</metadata>') + '</metadata>'.length;
    for (let cut = 0; cut < embedded.length; cut += 7) {
      const r = graphTextFromSvg(embedded.slice(0, cut));
      if (cut >= metaEnd) expect(r).toBe(json);
      else expect(typeof r === 'string' ? r : r.error).toMatch(/not an SVG|no LayerLab graph|not closed|damaged/);
    }
  });

  it('bounds the size of what it reads', () => {
    const svg = `<svg><metadata id="layerlab-graph">${' '.repeat(MAX_PICTURE_BYTES)}</metadata></svg>`;
    expect(graphTextFromSvg(svg)).toEqual({ error: expect.stringMatching(/at most 64\.0 MiB/) });
    // Millions of unclosed metadata tags: still a quick answer (the scan is linear).
    const started = Date.now();
    expect(graphTextFromSvg(`<svg>${'<metadata '.repeat(2_000_000)}>`)).toEqual({ error: NO_GRAPH_MESSAGE });
    expect(Date.now() - started).toBeLessThan(5000);
    const big = `<svg><metadata id="layerlab-graph"><![CDATA[${'x'.repeat(11 * 1024 * 1024)}]]></metadata></svg>`;
    const r = graphTextFromSvg(big);
    expect(typeof r === 'string' && parseGraphText(r)).toEqual({ ok: false, message: expect.stringMatching(/graph files are at most/) });
  });
});

describe('layerlab inspect reads pictures', () => {
  it('inspects the graph in a PNG or SVG diagram as it inspects the graph file; a picture without one exits 2', async () => {
    const { runCli } = await import('../cli/testing');
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const tmp = mkdtempSync(join(tmpdir(), 'layerlab-picture-'));
    try {
      const doc = docOf(presetText('lenet5'));
      const json = serializeGraph(doc);
      const files = {
        png: join(tmp, 'diagram.png'),
        svg: join(tmp, 'diagram.svg'),
        misnamed: join(tmp, 'really-a-png.json'),
        empty: join(tmp, 'plain.png'),
      };
      writeFileSync(files.png, embedInPng(testImage().png, json));
      writeFileSync(files.svg, embedInSvg(diagramSvg(doc, analyzeGraph(doc)), json));
      writeFileSync(files.misnamed, embedInPng(testImage().png, json));
      writeFileSync(files.empty, testImage().png);
      const expected = await runCli('inspect', 'lenet5', '--json');
      expect(expected.code).toBe(0);
      for (const file of [files.png, files.svg, files.misnamed]) {
        const r = await runCli('inspect', file, '--json');
        expect(r.code).toBe(0);
        expect(JSON.parse(r.out)).toEqual(JSON.parse(expected.out));
      }
      const none = await runCli('inspect', files.empty);
      expect(none.code).toBe(2);
      expect(none.err).toContain(NO_GRAPH_MESSAGE);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
