/**
 * The editor store inside a block: the canvas edits the block's view, every commit goes into the
 * definition (all uses change), the history and rootDoc() hold whole graphs. Checked against the
 * same network written out flat by hand.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { analyzeGraph, nodeInfo } from '../../graph/analyze';
import { addBlockInstance, makeBlock } from '../../graph/blocks';
import { connect, emptyGraph, removeEdge, setParam } from '../../graph/edit';
import { serializeGraph } from '../../graph/serialize';
import { CURRENT_VERSION, FORMAT, type GraphDoc, type GraphNode } from '../../graph/types';
import { rootDoc, useEditor } from '../store';
import { mapKeyFor } from './face';
import { analyzeView } from './scope';

const s = () => useEditor.getState();
beforeEach(() => s().restore(emptyGraph(), [], []));

const conv = (id: string, filters: number): GraphNode => ({ id, type: 'conv2d', params: { filters, kernelSize: 3, padding: 'same', activation: 'relu' } });
/** image 16×16×3 → middle… → flatten → dense 10, wired in order. */
function chain(middle: GraphNode[]): GraphDoc {
  const nodes: GraphNode[] = [{ id: 'image', type: 'input', params: { shape: [16, 16, 3] } }, ...middle, { id: 'f', type: 'flatten', params: {} }, { id: 'd', type: 'dense', params: { units: 10 } }];
  return {
    format: FORMAT,
    version: CURRENT_VERSION,
    name: 'chain',
    description: '',
    nodes,
    edges: nodes.slice(1).map((n, i) => ({ from: [nodes[i]!.id, 'out'] as [string, string], to: [n.id, 'in'] as [string, string] })),
  };
}
const ok = <T,>(r: T | { error: string }): T => {
  if (r && typeof r === 'object' && 'error' in r) throw new Error(r.error);
  return r as T;
};

/** The chain with a, b, c made a block, used twice in a row (second between the first and flatten). */
function twoUses() {
  const made = ok(makeBlock(chain([conv('a', 8), conv('b', 8), conv('c', 8)]), ['a', 'b', 'c'], { name: 'Three convs' }));
  const added = ok(addBlockInstance(made.doc, made.blockId, [0, 300]));
  let doc = removeEdge(added.doc, added.doc.edges.find((e) => e.to[0] === 'f')!);
  for (const [from, to, port] of [
    [made.instanceId, added.id, 'in0'],
    [added.id, 'f', 'in'],
  ] as const) {
    const r = connect(doc, from, to, port);
    if (!r.ok) throw new Error(r.message);
    doc = r.doc;
  }
  return { doc, blockId: made.blockId, first: made.instanceId, second: added.id };
}

describe('editing inside a block', () => {
  it('an edit inside changes every use, undo and redo work on whole graphs, leaving shows the graph', () => {
    const { doc, blockId, first, second } = twoUses();
    s().commit('set up', doc);
    const before = serializeGraph(rootDoc());
    // Reference: the flat network, 8 filters everywhere.
    expect(analyzeGraph(doc).totals).toEqual(analyzeGraph(chain([conv('a1', 8), conv('b1', 8), conv('c1', 8), conv('a2', 8), conv('b2', 8), conv('c2', 8)])).totals);

    expect(s().enterBlock(blockId, first)).toBe(true);
    const view = s().doc;
    expect(view.nodes.filter((n) => n.type !== 'input').map((n) => n.id).sort()).toEqual(['a', 'b', 'c']);
    expect(s().analysis.nodes.get('c')!.outputShape).toEqual([16, 16, 8]);
    // The block's input is shaped like what feeds this use: the image (3 channels) for the first…
    expect(s().analysis.nodes.get('x')!.outputShape).toEqual([16, 16, 3]);
    expect(s().analysis.nodes.get('a')!.paramCount!.trainable).toBe(3 * 9 * 8 + 8);
    expect(rootDoc()).toBe(doc);
    // … and the first use's 8 channels for the second.
    s().leaveBlock();
    s().enterBlock(blockId, second);
    expect(s().analysis.nodes.get('x')!.outputShape).toEqual([16, 16, 8]);
    expect(s().analysis.nodes.get('a')!.paramCount!.trainable).toBe(8 * 9 * 8 + 8);
    s().leaveBlock();
    s().enterBlock(blockId, first);

    s().commit('Set c.filters', setParam(view, 'c', 'filters', 16));
    expect(s().doc.nodes.find((n) => n.id === 'c')!.params.filters).toBe(16);
    const root = rootDoc();
    const a = analyzeGraph(root);
    expect(nodeInfo(a, first)!.outputShape).toEqual([16, 16, 16]);
    expect(nodeInfo(a, second)!.outputShape).toEqual([16, 16, 16]);
    const flat = analyzeGraph(chain([conv('a1', 8), conv('b1', 8), conv('c1', 16), conv('a2', 8), conv('b2', 8), conv('c2', 16)]));
    expect(a.totals).toEqual(flat.totals);
    expect(s().past.at(-1)!.doc).toBe(doc); // the history holds whole graphs

    s().undo();
    expect(s().scope?.blockId).toBe(blockId); // still inside, showing the block as it was
    expect(s().doc.nodes.find((n) => n.id === 'c')!.params.filters).toBe(8);
    expect(serializeGraph(rootDoc())).toBe(before);
    s().redo();
    expect(rootDoc()).toBe(root);
    expect(s().doc.nodes.find((n) => n.id === 'c')!.params.filters).toBe(16);

    s().leaveBlock();
    expect(s().scope).toBeNull();
    expect(s().doc).toBe(root);
    expect(s().selection).toEqual([first]);
    expect(nodeInfo(s().analysis, second)!.outputShape).toEqual([16, 16, 16]);
  });

  it('undo past the making of the block leaves it; loading a graph while inside leaves it', () => {
    const flat = chain([conv('a', 8), conv('b', 8), conv('c', 8)]);
    s().commit('Open chain', flat);
    const made = ok(makeBlock(flat, ['a', 'b', 'c']));
    s().commit('Make block', made.doc);
    s().enterBlock(made.blockId, made.instanceId);
    s().undo();
    expect(s().scope).toBeNull();
    expect(s().doc).toBe(flat);

    s().redo();
    s().enterBlock(made.blockId, made.instanceId);
    const other = chain([conv('z', 4)]);
    s().commit('Open other.json', other, { source: 'other.json' });
    expect(s().scope).toBeNull();
    expect(s().doc).toBe(other);
    s().undo();
    expect(s().doc).toBe(made.doc);
  });

  it('inner nodes show the feature maps of the use they were opened from', () => {
    const { doc, blockId, first } = twoUses();
    s().commit('set up', doc);
    // On the graph, a use shows its block's output node's map.
    expect(mapKeyFor(doc, undefined, first)).toBe(`${first}/c`);
    expect(mapKeyFor(doc, undefined, 'f')).toBe('f');
    s().enterBlock(blockId, first);
    expect(mapKeyFor({ nodes: s().doc.nodes, blocks: rootDoc().blocks }, s().scope!.instanceId, 'b')).toBe(`${first}/b`);
    // The flat graph (what training compiles) has exactly that id.
    expect(analyzeGraph(rootDoc()).nodes.has(`${first}/b`)).toBe(true);
  });

  it('inside, the graph info edits the block name and description; whole-network problems are not shown', () => {
    const { doc, blockId, first } = twoUses();
    s().commit('set up', doc);
    s().enterBlock(blockId, first);
    // A block's output is no classifier's: analyzeGraph warns, the view does not.
    expect(analyzeGraph(s().doc).diagnostics.map((d) => d.code)).toContain('output-not-vector');
    expect(s().analysis.diagnostics).toEqual([]);
    s().commit('Rename', { ...s().doc, name: 'Conv stack', description: 'Three 3×3 convs.' });
    const def = rootDoc().blocks!.find((b) => b.id === blockId)!;
    expect([def.name, def.description]).toEqual(['Conv stack', 'Three 3×3 convs.']);
    // A real problem inside still shows: a conv with 0 filters.
    s().commit('Set a.filters', setParam(s().doc, 'a', 'filters', 0));
    expect(s().analysis.ok).toBe(false);
    expect(s().analysis.diagnostics.some((d) => d.nodeId === 'a' && d.severity === 'error')).toBe(true);
  });

  it('a block with two inputs opens with two Input nodes and no error for it', () => {
    const made = ok(
      makeBlock(
        {
          ...chain([conv('a', 3), conv('b', 3), conv('c', 3), { id: 'sum', type: 'add', params: {} }]),
          edges: [
            { from: ['image', 'out'], to: ['a', 'in'] },
            { from: ['image', 'out'], to: ['b', 'in'] },
            { from: ['a', 'out'], to: ['c', 'in'] },
            { from: ['c', 'out'], to: ['sum', 'in0'] },
            { from: ['b', 'out'], to: ['sum', 'in1'] },
            { from: ['sum', 'out'], to: ['f', 'in'] },
            { from: ['f', 'out'], to: ['d', 'in'] },
          ],
        },
        ['c', 'sum'],
      ),
    );
    s().commit('Make block', made.doc);
    s().enterBlock(made.blockId, made.instanceId);
    expect(s().doc.nodes.filter((n) => n.type === 'input')).toHaveLength(2);
    expect(analyzeGraph(s().doc).diagnostics.map((d) => d.code)).toContain('several-inputs');
    expect(s().analysis.ok).toBe(true);
    // Shapes and counts come from the use in the whole graph: c is 3·9·3+3 = 84 weights.
    expect(s().analysis.nodes.get('sum')!.outputShape).toEqual([16, 16, 3]);
    expect(s().analysis.nodes.get('c')!.paramCount).toEqual({ trainable: 84, nonTrainable: 0 });
    expect(s().analysis.totals.params).toBe(84);
    for (const input of s().doc.nodes.filter((n) => n.type === 'input')) expect(s().analysis.nodes.get(input.id)!.outputShape).toEqual([16, 16, 3]);
  });

  it('entering a block that does not exist says so and changes nothing', () => {
    const d = s().doc;
    expect(s().enterBlock('nope')).toBe(false);
    expect(s().doc).toBe(d);
    expect(s().notice?.text).toMatch(/no block/);
  });
});
