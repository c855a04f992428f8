import { loadPreset } from '../../fixtures/presets';
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from './analyze';
import { addNode, connect, emptyGraph, extractFragment, moveNodes, pasteFragment, removeNodes, renameNode, setParam, typesAccepting } from './edit';
import type { GraphDoc } from './types';

const lenet = (): GraphDoc => loadPreset('lenet5');

function must<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) throw new Error((r as unknown as { message: string }).message);
  return r as Extract<T, { ok: true }>;
}

describe('building LeNet-5 step by step from an empty graph', () => {
  it('reaches 61,706 parameters, and never mutates the documents it was given', () => {
    let doc = emptyGraph();
    const frozen = JSON.stringify(doc);
    const add = (type: string, params: Record<string, unknown>) => {
      const r = addNode(doc, type, [0, 0], params);
      if ('error' in r) throw new Error(r.error);
      doc = r.doc;
      return r.id;
    };
    const chain = [
      add('conv2d', { filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }),
      add('maxPooling2d', {}),
      add('conv2d', { filters: 16, kernelSize: 5, activation: 'relu' }),
      add('maxPooling2d', {}),
      add('flatten', {}),
      add('dense', { units: 120, activation: 'relu' }),
      add('dense', { units: 84, activation: 'relu' }),
      add('dense', { units: 10, activation: 'softmax' }),
    ];
    expect(chain).toEqual(['conv2d_1', 'maxPooling2d_1', 'conv2d_2', 'maxPooling2d_2', 'flatten_1', 'dense_1', 'dense_2', 'dense_3']);
    let prev = 'image';
    for (const id of chain) {
      doc = must(connect(doc, prev, id, 'in')).doc;
      prev = id;
    }
    const a = analyzeGraph(doc);
    expect(a.ok).toBe(true);
    expect(a.totals.params).toBe(61_706);
    expect(JSON.stringify(emptyGraph())).toBe(frozen);
  });
});

describe('connect refuses what cannot work, saying why', () => {
  it('a cycle', () => {
    const r = connect(lenet(), 'f6', 'c3', 'in');
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/c3's input already comes from s2/) });
    // Free c3's input first: now the refusal is the cycle itself.
    const doc = { ...lenet(), edges: lenet().edges.filter((e) => e.to[0] !== 'c3') };
    expect(connect(doc, 'f6', 'c3', 'in')).toMatchObject({ ok: false, message: expect.stringMatching(/cycle: c3 already feeds f6/) });
    expect(connect(doc, 'c3', 'c3', 'in')).toMatchObject({ ok: false, message: expect.stringMatching(/cannot feed itself/) });
  });

  it('a mismatched add', () => {
    let doc = lenet();
    const r = addNode(doc, 'add', [0, 0], { inputs: 2 });
    if ('error' in r) throw new Error(r.error);
    doc = must(connect(r.doc, 'c1', r.id, 'in0')).doc;
    const refused = connect(doc, 'c3', r.id, 'in1');
    expect(refused).toMatchObject({ ok: false, message: expect.stringMatching(/Add needs inputs of equal shape: c1 gives 28×28×6, c3 gives 10×10×16/) });
    expect(connect(doc, 'c1', r.id, 'in1').ok).toBe(true);
  });

  it('a flat tensor into a convolution', () => {
    const r = addNode(lenet(), 'conv2d', [0, 0]);
    if ('error' in r) throw new Error(r.error);
    expect(connect(r.doc, 'flatten', r.id, 'in')).toMatchObject({ ok: false, message: expect.stringMatching(/Conv 2D needs a feature map .* but gets 400/) });
    expect(connect(r.doc, 's4', r.id, 'in').ok).toBe(true);
  });
});

describe('other edits', () => {
  it('removing nodes removes their wires', () => {
    const doc = removeNodes(lenet(), ['s2']);
    expect(doc.nodes.map((n) => n.id)).not.toContain('s2');
    expect(doc.edges.some((e) => e.from[0] === 's2' || e.to[0] === 's2')).toBe(false);
    expect(analyzeGraph(doc).diagnostics.map((d) => d.code)).toContain('dangling-input');
  });

  it('fewer merge inputs drop the wires into removed ports', () => {
    let doc = lenet();
    const r = addNode(doc, 'concatenate', [0, 0], { inputs: 3 });
    if ('error' in r) throw new Error(r.error);
    doc = r.doc;
    for (const p of ['in0', 'in1', 'in2']) doc = must(connect(doc, 'c1', r.id, p)).doc;
    doc = setParam(doc, r.id, 'inputs', 2);
    expect(doc.edges.filter((e) => e.to[0] === r.id).map((e) => e.to[1])).toEqual(['in0', 'in1']);
  });

  it('renaming keeps the wires; bad or taken ids are refused', () => {
    const doc = must(renameNode(lenet(), 'c1', 'conv_a')).doc;
    expect(doc.edges.filter((e) => e.from[0] === 'conv_a' || e.to[0] === 'conv_a')).toHaveLength(2);
    expect(analyzeGraph(doc).ok).toBe(true);
    expect(renameNode(lenet(), 'c1', 'c3')).toMatchObject({ ok: false });
    expect(renameNode(lenet(), 'c1', 'bad id')).toMatchObject({ ok: false });
  });

  it('copy and paste gives fresh ids and keeps inner wires only', () => {
    const frag = extractFragment(lenet(), ['f5', 'f6']);
    expect(frag.edges).toHaveLength(1);
    const { doc, ids } = pasteFragment(lenet(), frag, [40, 40]);
    expect(ids).toEqual(['dense_1', 'dense_2']);
    expect(doc.edges.at(-1)).toEqual({ from: ['dense_1', 'out'], to: ['dense_2', 'in'] });
    const [x, y] = lenet().nodes.find((n) => n.id === 'f5')!.position!;
    expect(doc.nodes.find((n) => n.id === 'dense_1')!.position).toEqual([x + 40, y + 40]);
  });

  it('moving returns the same document when nothing moved', () => {
    const doc = lenet();
    const [x, y] = doc.nodes[1]!.position!;
    expect(moveNodes(doc, new Map([['c1', [x, y]]]))).toBe(doc);
    expect(moveNodes(doc, new Map([['c1', [x + 10.4, y + 5.6]]])).nodes[1]!.position).toEqual([x + 10, y + 6]);
  });

  it('offers only node types that accept the dragged tensor', () => {
    const afterFlatten = typesAccepting(lenet(), 'flatten');
    expect(afterFlatten).toContain('dense');
    expect(afterFlatten).toContain('dropout');
    expect(afterFlatten).not.toContain('conv2d');
    expect(afterFlatten).not.toContain('maxPooling2d');
    const afterConv = typesAccepting(lenet(), 'c1');
    expect(afterConv).toEqual(expect.arrayContaining(['conv2d', 'maxPooling2d', 'flatten', 'add', 'dense']));
  });
});

describe('node positions stay within what a file may hold', () => {
  it('rounds, clamps to the parser bounds and never stores -0', async () => {
    const { canvasPoint } = await import('./edit');
    const { LIMITS } = await import('./limits');
    expect(canvasPoint([1.4, -0.2])).toEqual([1, 0]);
    expect(Object.is(canvasPoint([-0.2, 0])[0], -0)).toBe(false);
    expect(canvasPoint([5e7, -5e7])).toEqual([LIMITS.maxCoordinate, -LIMITS.maxCoordinate]);
    expect(canvasPoint([Number.NaN, Infinity])).toEqual([0, LIMITS.maxCoordinate]);
  });

  it('a node moved far away still makes a document that reads back', async () => {
    const { emptyGraph, moveNodes } = await import('./edit');
    const { serializeGraph } = await import('./serialize');
    const { parseGraphText } = await import('./parse');
    const moved = moveNodes(emptyGraph(), new Map([['image', [3e7, -2e8] as [number, number]]]));
    const back = parseGraphText(serializeGraph(moved));
    expect(back.ok).toBe(true);
  });
});
