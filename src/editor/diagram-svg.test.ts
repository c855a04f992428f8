import { loadPreset, presetFiles } from '../../fixtures/presets';
import { describe, expect, it } from 'vitest';
import { analyzeGraph, type GraphDoc } from '../graph';
import { CATEGORIES } from '../../nodes/categories';
import { diagramSvg, escapeXml, NODE_SIZE } from './diagram-svg';

const presets = presetFiles();
const preset = loadPreset;

const svgOf = (doc: GraphDoc, opts?: Parameters<typeof diagramSvg>[2]) => diagramSvg(doc, analyzeGraph(doc), opts);

/**
 * A small well-formedness check for the XML this module writes (no DOMParser in Node): one
 * declaration, balanced tags with one root, quoted attributes, and text and attribute values
 * whose only markup characters are the five predefined entities.
 */
function assertWellFormed(xml: string): void {
  const decl = '<?xml version="1.0" encoding="UTF-8"?>';
  expect(xml.startsWith(decl)).toBe(true);
  const entity = '&(?:amp|lt|gt|quot|apos);';
  const tag = new RegExp(`<(/?)([A-Za-z][\\w:.-]*)((?:\\s+[A-Za-z_:][\\w:.-]*="(?:[^"<>&]|${entity})*")*)\\s*(/?)>`, 'y');
  const text = new RegExp(`(?:[^<>&]|${entity})*`, 'y');
  const stack: string[] = [];
  let roots = 0;
  let at = decl.length;
  while (at < xml.length) {
    text.lastIndex = at;
    const t = text.exec(xml)!;
    if (stack.length === 0) expect(t[0].trim(), `text outside the root at ${at}`).toBe('');
    at += t[0].length;
    if (at >= xml.length) break;
    tag.lastIndex = at;
    const m = tag.exec(xml);
    expect(m, `malformed markup at ${at}: ${xml.slice(at, at + 60)}`).not.toBeNull();
    const [all, closing, name, attrs, selfClosing] = m!;
    const seen = new Set<string>();
    for (const [, key] of attrs!.matchAll(/([A-Za-z_:][\w:.-]*)="/g)) {
      expect(seen.has(key!), `attribute ${key} repeated in <${name}>`).toBe(false);
      seen.add(key!);
    }
    if (closing) {
      expect(selfClosing).toBe('');
      expect(stack.pop(), `</${name}> closes the wrong element`).toBe(name);
    } else {
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(name!);
    }
    at += all.length;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

function viewBox(svg: string): [number, number, number, number] {
  const m = /viewBox="([^"]+)"/.exec(svg);
  return m![1]!.split(' ').map(Number) as [number, number, number, number];
}

describe('diagram SVG', () => {
  // LeNet-5 laid out on one line, 200 apart, so that the geometry below does not depend on the preset's layout.
  const lenet: GraphDoc = { ...preset('lenet5.json'), nodes: preset('lenet5.json').nodes.map((n, i) => ({ ...n, position: [i * 200, 0] as [number, number] })) };
  const svg = svgOf(lenet);

  it('is well-formed XML', () => assertWellFormed(svg));

  it('draws LeNet-5: 9 nodes, 8 wires, ids, titles, shapes and counts', () => {
    expect(count(svg, '<g class="node"')).toBe(9);
    expect(count(svg, '<path')).toBe(8);
    for (const node of lenet.nodes) expect(svg).toContain(`>${node.id}</text>`);
    expect(svg).toContain('>Conv 2D</text>');
    expect(svg).toContain('28×28×6 · 156 params');
    expect(svg).toContain('>28×28×1</text>'); // the input: its shape, no parameter count
    expect(svg).toContain('10 · 850 params');
    expect(svg).toContain(`fill="${CATEGORIES.convolution.color}"`);
    expect(svg).toContain('<title>LeNet-5</title>');
  });

  it('is self-contained: no foreignObject, styles, scripts or external references', () => {
    for (const bad of ['foreignObject', '<style', 'style=', '<script', 'href', 'url(', '@import', 'class="edge" style']) {
      expect(svg).not.toContain(bad);
    }
  });

  it('has a viewBox around every node', () => {
    const [x, y, w, h] = viewBox(svg);
    for (const node of lenet.nodes) {
      const [nx, ny] = node.position!;
      expect(nx).toBeGreaterThanOrEqual(x);
      expect(ny).toBeGreaterThanOrEqual(y);
      expect(nx + NODE_SIZE.width).toBeLessThanOrEqual(x + w);
      expect(ny + NODE_SIZE.height).toBeLessThanOrEqual(y + h);
    }
    expect(svg).toMatch(new RegExp(`width="${w}" height="${h}"`));
  });

  it('wires the right edge middle of the source to the left edge of the target', () => {
    // c1 at (200, 0) feeds s2 at (400, 0): 180 wide, 72 high.
    expect(svg).toContain('d="M380 36 C');
    expect(svg).toMatch(/ 400 36" fill="none"/);
  });

  it('spreads a merge node’s ports down its left side, with measured sizes', () => {
    const doc: GraphDoc = {
      format: 'layerlab-graph',
      version: 2,
      name: 'merge',
      description: '',
      nodes: [
        { id: 'image', type: 'input', params: { shape: [8, 8, 3] }, position: [0, 0] },
        { id: 'a', type: 'conv2d', params: { filters: 4, padding: 'same' }, position: [300, -100] },
        { id: 'b', type: 'conv2d', params: { filters: 4, padding: 'same' }, position: [300, 100] },
        { id: 'sum', type: 'add', params: {}, position: [600, 0] },
      ],
      edges: [
        { from: ['image', 'out'], to: ['a', 'in'] },
        { from: ['image', 'out'], to: ['b', 'in'] },
        { from: ['a', 'out'], to: ['sum', 'in0'] },
        { from: ['b', 'out'], to: ['sum', 'in1'] },
      ],
    };
    const out = svgOf(doc, { sizes: new Map([['sum', { width: 200, height: 90 }]]) });
    assertWellFormed(out);
    expect(out).toMatch(/ 600 30" fill="none"/);
    expect(out).toMatch(/ 600 60" fill="none"/);
    expect(out).toContain('<rect width="200" height="90" rx="8"');
  });

  it('escapes every text from the file', () => {
    const doc: GraphDoc = {
      format: 'layerlab-graph',
      version: 2,
      name: 'Tom & Jerry\'s "net" <b>',
      description: 'Conv & pool\u0001 ]]> <![CDATA[ x',
      nodes: [
        { id: 'image', type: 'input', params: {} },
        { id: 'evil', type: '<script>', params: {} },
        { id: 'long', type: `x"&<>'${'y'.repeat(60)}`, params: {} },
      ],
      edges: [{ from: ['image', 'out'], to: ['evil', 'in'] }],
    };
    const out = svgOf(doc);
    assertWellFormed(out);
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<b>');
    expect(out).toContain('>&lt;script&gt;</text>');
    expect(out).toContain('>x&quot;&amp;&lt;&gt;&apos;yyyy');
    expect(out).toContain('<title>Tom &amp; Jerry&apos;s &quot;net&quot; &lt;b&gt;</title>');
    expect(out).toContain('<desc>Conv &amp; pool ]]&gt; &lt;![CDATA[ x</desc>');
    expect(escapeXml('a\u0000b\uD800c\uFFFEd😀')).toBe('abcd😀');
  });

  it('outlines nodes with errors in red', () => {
    const doc: GraphDoc = { ...lenet, edges: lenet.edges.filter((e) => e.to[0] !== 'c3') };
    const out = svgOf(doc);
    const c3 = out.split('<g class="node"').find((g) => g.includes('>c3</text>'))!;
    const c1 = out.split('<g class="node"').find((g) => g.includes('>c1</text>'))!;
    expect(c3).toContain('stroke="#b42318"');
    expect(c1).not.toContain('stroke="#b42318"');
    expect(c3).toContain('>?</text>');
  });

  it('lays out nodes without positions left to right in topological order, after the placed ones', () => {
    const doc: GraphDoc = {
      ...lenet,
      nodes: [...lenet.nodes.slice(0, 2), ...lenet.nodes.slice(2).reverse().map(({ position: _, ...n }) => n)],
    };
    const out = svgOf(doc);
    assertWellFormed(out);
    const xs = out
      .split('<g class="node"')
      .slice(1)
      .map((g) => {
        const [, x, y] = /translate\((-?[\d.]+) (-?[\d.]+)\)/.exec(g)!;
        const [, id] = /monospace" font-size="12" fill="#1c2330">([\w-]+)</.exec(g)!;
        return [id, Number(x), Number(y)] as const;
      });
    const order = ['s2', 'c3', 's4', 'flatten', 'f5', 'f6', 'output'];
    const placed = order.map((id) => xs.find(([i]) => i === id)!);
    expect(placed.map(([, x]) => x)).toEqual(order.map((_, i) => 200 + 180 + 60 + i * 240));
    expect(placed.every(([, , y]) => y === 0)).toBe(true);
  });

  it('draws a text-free thumbnail', () => {
    const thumb = svgOf(lenet, { thumbnail: true, padding: 4 });
    assertWellFormed(thumb);
    expect(thumb).not.toContain('<text');
    expect(thumb).not.toContain('<title');
    expect(count(thumb, '<g class="node"')).toBe(9);
    expect(count(thumb, '<path')).toBe(8);
    expect(viewBox(thumb)[0]).toBe(-4);
  });

  it('handles an empty graph', () => {
    const out = svgOf({ format: 'layerlab-graph', version: 2, name: '', description: '', nodes: [], edges: [] });
    assertWellFormed(out);
    expect(viewBox(out)).toEqual([-24, -24, 48, 48]);
  });

  it.each(presets)('draws %s with one group per node and one path per edge', (file) => {
    const doc = preset(file);
    const out = svgOf(doc);
    assertWellFormed(out);
    expect(count(out, '<g class="node"')).toBe(doc.nodes.length);
    expect(count(out, '<path')).toBe(doc.edges.length);
    assertWellFormed(svgOf(doc, { thumbnail: true }));
  });
});
