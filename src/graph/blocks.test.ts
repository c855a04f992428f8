import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPreset } from '../../fixtures/presets';
import { analyzeGraph, nodeInfo } from './analyze';
import { addBlockInstance, BLOCK_SEP, blockView, detachInstance, expandBlocks, expandedSizes, hasBlocks, importBlock, makeBlock, removeBlock, renameBlock, unusedBlocks, writeBlockView } from './blocks';
import { parseGraph, parseGraphText } from './parse';
import { serializeGraph } from './serialize';
import type { GraphDoc } from './types';

const fixture = (name: string): GraphDoc => {
  const r = parseGraphText(readFileSync(join(__dirname, '..', '..', 'fixtures', name), 'utf8'));
  if (!r.ok) throw new Error(r.message);
  return r.doc;
};

/** The block presets and the flat graphs they were rebuilt from (Keras-style names: "a/b" is "a_b" there). */
export const BLOCK_PRESETS = [
  { preset: 'resnet50', flat: 'resnet50-flat.json', instances: 16, params: 25_636_712, trainable: 25_583_592 },
  { preset: 'resnet-mini', flat: 'resnet-mini-flat.json', instances: 4, params: 97_114, trainable: 96_314 },
  { preset: 'inception-mini', flat: 'inception-mini-flat.json', instances: 2, params: 24_518, trainable: 24_518 },
] as const;

const flatName = (id: string) => id.split(BLOCK_SEP).join('_');

/** A tiny graph with one block used twice: input → b1 → b2 → flatten → dense. */
export function twoUses(filters: unknown = 4): GraphDoc {
  return {
    format: 'layerlab-graph',
    version: 2,
    name: 'two uses',
    description: '',
    nodes: [
      { id: 'image', type: 'input', params: { shape: [8, 8, 1] } },
      { id: 'b1', type: 'block', params: { block: 'cb', filters } },
      { id: 'b2', type: 'block', params: { block: 'cb' } },
      { id: 'f', type: 'flatten', params: {} },
      { id: 'out', type: 'dense', params: { units: 3, activation: 'softmax' } },
    ],
    edges: [
      { from: ['image', 'out'], to: ['b1', 'in0'] },
      { from: ['b1', 'out'], to: ['b2', 'in0'] },
      { from: ['b2', 'out'], to: ['f', 'in'] },
      { from: ['f', 'out'], to: ['out', 'in'] },
    ],
    blocks: [
      {
        id: 'cb',
        name: 'Conv + ReLU',
        inputs: ['x'],
        output: 'act',
        params: { filters: 2 },
        nodes: [
          { id: 'conv', type: 'conv2d', params: { filters: '$filters', kernelSize: 3, padding: 'same' } },
          { id: 'act', type: 'activation', params: { activation: 'relu' } },
        ],
        edges: [
          { from: ['x', 'out'], to: ['conv', 'in'] },
          { from: ['conv', 'out'], to: ['act', 'in'] },
        ],
      },
    ],
  };
}

describe('blocks', () => {
  it('a graph without blocks expands to itself (the same object)', () => {
    const doc = loadPreset('lenet5');
    expect(hasBlocks(doc)).toBe(false);
    expect(expandBlocks(doc)).toBe(doc);
  });

  it.each(BLOCK_PRESETS)('$preset from blocks is exactly the flat graph it was rebuilt from', ({ preset, flat, instances }) => {
    const doc = loadPreset(preset);
    expect(doc.nodes.filter((n) => n.type === 'block')).toHaveLength(instances);
    const expanded = expandBlocks(doc);
    const original = fixture(flat);
    // Same nodes (type and params) and the same wires, "instance/inner" reading "instance_inner".
    const nodes = (g: GraphDoc) => new Map(g.nodes.map((n) => [flatName(n.id), { type: n.type, params: n.params }]));
    const edges = (g: GraphDoc) => g.edges.map((e) => `${flatName(e.from[0])}>${flatName(e.to[0])}.${e.to[1]}`).sort();
    expect(nodes(expanded)).toEqual(nodes(original));
    expect(edges(expanded)).toEqual(edges(original));
  });

  it.each(BLOCK_PRESETS)('$preset from blocks counts the same parameters as flat ($params)', ({ preset, flat, params, trainable }) => {
    const a = analyzeGraph(loadPreset(preset));
    expect(a.ok).toBe(true);
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(a.totals).toMatchObject({ params, trainable, complete: true });
    expect(analyzeGraph(fixture(flat)).totals).toEqual(a.totals);
    // Every instance reports its shape and its share of the parameters; the shares add up.
    const doc = loadPreset(preset);
    let sum = 0;
    for (const n of doc.nodes) {
      const info = nodeInfo(a, n.id)!;
      expect(info.outputShape, n.id).toBeDefined();
      sum += info.paramCount ? info.paramCount.trainable + info.paramCount.nonTrainable : 0;
    }
    expect(sum).toBe(params);
  });

  it('ResNet-50 from blocks shows 25 nodes and Keras names once the "/" is read as "_"', () => {
    const doc = loadPreset('resnet50');
    expect(doc.nodes).toHaveLength(25);
    const a = analyzeGraph(doc);
    expect(a.nodes.size).toBe(177);
    expect(a.nodes.get('conv5_block3/out')!.outputShape).toEqual([7, 7, 2048]);
    expect(a.instances!.get('conv3_block1')).toMatchObject({ blockId: 'conv_block', outputShape: [28, 28, 512] });
    expect(a.instances!.get('conv3_block1')!.inner).toHaveLength(12);
  });

  it('every use of a block changes with its definition; instance params override the defaults', () => {
    const doc = twoUses(4);
    const a = analyzeGraph(doc);
    expect(a.ok).toBe(true);
    expect(nodeInfo(a, 'b1')!.outputShape).toEqual([8, 8, 4]);
    expect(nodeInfo(a, 'b2')!.outputShape).toEqual([8, 8, 2]);
    expect(nodeInfo(a, 'b1')!.paramCount).toEqual({ trainable: 1 * 9 * 4 + 4, nonTrainable: 0 });
    expect(nodeInfo(a, 'b2')!.paramCount).toEqual({ trainable: 4 * 9 * 2 + 2, nonTrainable: 0 });
    const edited: GraphDoc = {
      ...doc,
      blocks: [{ ...doc.blocks![0]!, params: { filters: 5 }, nodes: doc.blocks![0]!.nodes.map((n) => (n.id === 'act' ? { ...n, params: { activation: 'tanh' } } : n)) }],
    };
    const b = analyzeGraph(edited);
    expect(nodeInfo(b, 'b2')!.outputShape).toEqual([8, 8, 5]);
    const flat = expandBlocks(edited);
    expect(flat.nodes.filter((n) => n.id.endsWith('/act')).map((n) => n.params.activation)).toEqual(['tanh', 'tanh']);
    expect(flat.nodes.find((n) => n.id === 'b1/conv')!.params.filters).toBe(4);
  });

  it('a problem inside a block is shown on its instance, naming the inner node and the block param', () => {
    const a = analyzeGraph(twoUses(0));
    expect(a.ok).toBe(false);
    const d = a.diagnostics.find((x) => x.nodeId === 'b1')!;
    expect(d).toBeDefined();
    expect(d.message).toMatch(/In block “Conv \+ ReLU”: b1\/conv: /);
    expect(d.param).toBe('filters');
    expect(d.nodeIds).toEqual(['b1', 'b1/conv']);
    // Nothing is reported on ids the editor does not show without also naming the instance.
    for (const x of a.diagnostics) if (x.nodeId) expect(x.nodeId.includes(BLOCK_SEP)).toBe(false);
  });

  it('reports a missing definition, a missing output node, a wire into a port the block lacks, and an unconnected input', () => {
    const missing = twoUses();
    missing.nodes[1] = { id: 'b1', type: 'block', params: { block: 'nope' } };
    expect(analyzeGraph(missing).diagnostics.find((d) => d.nodeId === 'b1')?.message).toMatch(/"nope", which is not in the file/);

    const noOut = twoUses();
    noOut.blocks![0] = { ...noOut.blocks![0]!, output: 'gone' };
    expect(analyzeGraph(noOut).diagnostics.find((d) => d.nodeId === 'b1')?.message).toMatch(/names "gone" as its output/);

    const badPort = twoUses();
    badPort.edges[0] = { from: ['image', 'out'], to: ['b1', 'in3'] };
    const a = analyzeGraph(badPort);
    expect(a.diagnostics.some((d) => d.code === 'edge-bad-port' && d.nodeId === 'b1')).toBe(true);
    expect(a.diagnostics.some((d) => d.code === 'dangling-input' && d.nodeId === 'b1')).toBe(true);
    expect(a.ok).toBe(false);
  });

  it('a block that contains itself, or blocks that expand past the node limit, are refused with a message', () => {
    const self = twoUses();
    self.blocks![0] = {
      ...self.blocks![0]!,
      nodes: [...self.blocks![0]!.nodes, { id: 'again', type: 'block', params: { block: 'cb' } }],
      edges: [...self.blocks![0]!.edges, { from: ['conv', 'out'], to: ['again', 'in0'] }],
    };
    const a = analyzeGraph(self);
    expect(a.ok).toBe(false);
    expect(a.diagnostics.some((d) => d.nodeId === 'b1' && /expand to|nest more than/.test(d.message))).toBe(true);

    // 30 uses of a block of 30 uses of a block of 30 convs: 27,000 nodes, not expanded.
    const wide = (id: string, inner: string | null) => ({
      id,
      name: id,
      inputs: ['x'],
      output: 'n29',
      nodes: Array.from({ length: 30 }, (_, i) => (inner ? { id: `n${i}`, type: 'block', params: { block: inner } } : { id: `n${i}`, type: 'activation', params: {} })),
      edges: Array.from({ length: 30 }, (_, i) => ({ from: [i ? `n${i - 1}` : 'x', 'out'] as [string, string], to: [`n${i}`, inner ? 'in0' : 'in'] as [string, string] })),
    });
    const big = twoUses();
    big.blocks = [wide('a', 'b'), wide('b', 'c'), wide('c', null)];
    big.nodes[1] = { id: 'b1', type: 'block', params: { block: 'a' } };
    expect(expandedSizes(big).get('b1')).toBeGreaterThan(5000);
    const started = Date.now();
    const r = analyzeGraph(big);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.ok).toBe(false);
    expect(r.diagnostics.find((d) => d.nodeId === 'b1')?.message).toMatch(/expand to more than 5,000 nodes/);
  });

  it('blocks nest: a block may use another block', () => {
    const doc = twoUses();
    doc.blocks!.push({
      id: 'twice',
      name: 'Twice',
      inputs: ['y'],
      output: 'second',
      nodes: [
        { id: 'first', type: 'block', params: { block: 'cb', filters: 3 } },
        { id: 'second', type: 'block', params: { block: 'cb' } },
      ],
      edges: [
        { from: ['y', 'out'], to: ['first', 'in0'] },
        { from: ['first', 'out'], to: ['second', 'in0'] },
      ],
    });
    doc.nodes[2] = { id: 'b2', type: 'block', params: { block: 'twice' } };
    const a = analyzeGraph(doc);
    expect(a.ok).toBe(true);
    expect(a.nodes.has('b2/first/conv')).toBe(true);
    expect(a.nodes.get('b2/first/conv')!.outputShape).toEqual([8, 8, 3]);
    expect(nodeInfo(a, 'b2')!.outputShape).toEqual([8, 8, 2]);
    expect(unusedBlocks(doc)).toEqual([]);
    expect(unusedBlocks({ ...doc, nodes: doc.nodes.filter((n) => n.id !== 'b2') })).toEqual(['twice']);
  });

  it('files with blocks round-trip through serialize and parse, and structural errors name where', () => {
    for (const doc of [twoUses(), loadPreset('resnet50')]) {
      const text = serializeGraph(doc);
      const back = parseGraphText(text);
      expect(back).toEqual({ ok: true, doc });
    }
    const bad = JSON.parse(serializeGraph(twoUses()));
    bad.blocks[0].inputs = [];
    expect(parseGraph(bad)).toMatchObject({ ok: false, message: expect.stringMatching(/blocks\[0\]\.inputs.*at least one input/) });
    bad.blocks[0].inputs = ['x'];
    bad.blocks[0].params = { 'bad name': 1 };
    expect(parseGraph(bad)).toMatchObject({ ok: false, message: expect.stringMatching(/blocks\[0\]\.params/) });
    bad.blocks[0].params = {};
    bad.blocks[0].nodes[0].id = 'a/b';
    expect(parseGraph(bad)).toMatchObject({ ok: false, message: expect.stringMatching(/blocks\[0\]\.nodes\[0\]\.id.*letters, digits/) });
  });
});

/** The flat network of a document, ids aside: each node's type and params, in topological order, with its sources' positions in that order. */
function network(doc: GraphDoc) {
  const a = analyzeGraph(doc);
  const index = new Map(a.order.map((id, i) => [id, i]));
  return a.order.map((id) => {
    const n = a.nodes.get(id)!;
    return { type: n.type, params: n.params, from: n.sources.map((s) => index.get(s!)) };
  });
}

describe('editing blocks', () => {
  it('Make block turns a selection into one block node, and the network stays the same', () => {
    const lenet = loadPreset('lenet5');
    const made = makeBlock(lenet, ['c1', 's2'], { name: 'Conv + pool' });
    if ('error' in made) throw new Error(made.error);
    expect(made.doc.nodes).toHaveLength(lenet.nodes.length - 1);
    expect(made.doc.blocks![0]).toMatchObject({ id: 'conv_pool', name: 'Conv + pool', inputs: ['x'], output: 's2' });
    expect(network(made.doc)).toEqual(network(lenet));
    expect(analyzeGraph(made.doc).totals).toEqual(analyzeGraph(lenet).totals);
    // …and detaching it again gives the same network too.
    const back = detachInstance(made.doc, made.instanceId);
    if ('error' in back) throw new Error(back.error);
    expect(back.doc.nodes.some((n) => n.type === 'block')).toBe(false);
    expect(network(back.doc)).toEqual(network(lenet));
  });

  it('wire locks survive Make block and Detach', () => {
    const lenet = loadPreset('lenet5');
    const locked = { ...lenet, edges: lenet.edges.map((e) => (e.to[0] === 'c1' || e.to[0] === 's2' ? { ...e, locked: true } : e)) };
    const made = makeBlock(locked, ['c1', 's2']);
    if ('error' in made) throw new Error(made.error);
    expect(made.doc.blocks![0]!.edges.every((e) => e.locked)).toBe(true);
    const back = detachInstance(made.doc, made.instanceId);
    if ('error' in back) throw new Error(back.error);
    expect(back.doc.edges.filter((e) => e.locked).map((e) => e.to[0]).sort()).toEqual([`${made.instanceId}_c1`, `${made.instanceId}_s2`].sort());
  });

  it('Make block refuses a selection with two exits, the input node, or nothing', () => {
    const mini = expandBlocks(loadPreset('resnet-mini'));
    // stem_relu feeds both branches of block1: selecting stem_relu and one branch leaves through two nodes.
    expect(makeBlock(mini, ['stem_relu', 'block1/conv1'])).toMatchObject({ error: expect.stringMatching(/one output/) });
    expect(makeBlock(mini, ['image', 'stem'])).toMatchObject({ error: expect.stringMatching(/Input node cannot go inside a block/) });
    expect(makeBlock(mini, [])).toMatchObject({ error: expect.stringMatching(/Select/) });
  });

  it('a second use of a block, then an edit of its inside through the view, changes both uses', () => {
    const doc = twoUses(4);
    const added = addBlockInstance(doc, 'cb', [0, 400]);
    if ('error' in added) throw new Error(added.error);
    expect(added.id).toBe('cb_1');
    const view = blockView(doc, 'cb', 'b1', [[8, 8, 1]]);
    expect(view.nodes[0]).toMatchObject({ id: 'x', type: 'input', params: { shape: [8, 8, 1] } });
    expect(view.nodes.find((n) => n.id === 'conv')!.params.filters).toBe(4); // b1's value, shown
    expect(analyzeGraph(view).ok).toBe(true);
    // Change the kernel size (a literal) and leave filters alone (a reference): filters stays "$filters".
    const edited = { ...view, nodes: view.nodes.map((n) => (n.id === 'conv' ? { ...n, params: { ...n.params, kernelSize: 1 } } : n)) };
    const written = writeBlockView(doc, 'cb', edited, 'b1');
    if ('error' in written) throw new Error(written.error);
    const conv = written.doc.blocks![0]!.nodes.find((n) => n.id === 'conv')!;
    expect(conv.params).toEqual({ filters: '$filters', kernelSize: 1, padding: 'same' });
    const a = analyzeGraph(written.doc);
    expect(nodeInfo(a, 'b1')!.paramCount).toEqual({ trainable: 1 * 4 + 4, nonTrainable: 0 });
    expect(nodeInfo(a, 'b2')!.paramCount).toEqual({ trainable: 4 * 2 + 2, nonTrainable: 0 });
    // Setting filters itself inside the block makes it that value in every use.
    const fixed = writeBlockView(doc, 'cb', { ...view, nodes: view.nodes.map((n) => (n.id === 'conv' ? { ...n, params: { ...n.params, filters: 7 } } : n)) }, 'b1');
    if ('error' in fixed) throw new Error(fixed.error);
    expect(nodeInfo(analyzeGraph(fixed.doc), 'b2')!.outputShape).toEqual([8, 8, 7]);
    // A view without inputs, or that loses its output into two sinks, is refused.
    expect(writeBlockView(doc, 'cb', { ...view, nodes: view.nodes.filter((n) => n.type !== 'input') })).toMatchObject({ error: expect.stringMatching(/at least one input/) });
  });

  it('rename, remove (only when unused) and import', () => {
    const doc = twoUses();
    expect(renameBlock(doc, 'cb', '  Edge finder ')).toMatchObject({ doc: { blocks: [{ name: 'Edge finder' }] } });
    expect(removeBlock(doc, 'cb')).toMatchObject({ error: expect.stringMatching(/still used/) });
    const unused = { ...doc, nodes: doc.nodes.filter((n) => n.type !== 'block') };
    const removed = removeBlock(unused, 'cb');
    expect('doc' in removed && removed.doc.blocks).toBeUndefined();
    const imported = importBlock(doc, doc.blocks![0]!);
    expect(imported.blockId).toBe('cb_2');
    expect(imported.doc.blocks).toHaveLength(2);
  });
});
