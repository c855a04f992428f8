/**
 * Locks and blocks in the editor store: a learner editing a block's inside meets the inner locks
 * (through the actions and through a bare commit), Make block and Detach refuse locked nodes in
 * learner mode (the instructor may do both), root-level edits cannot change a locked definition, a
 * learner's block from the library comes without locks.
 * Also: a new node's re-centring inside a block reaches the saved graph, and the labs' whole-graph
 * analysis while a block is open.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { analyzeGraph } from '../graph/analyze';
import { findBlock, makeBlock, writeBlockView } from '../graph/blocks';
import { emptyGraph, setParam } from '../graph/edit';
import { ONLY_INSTRUCTOR, lockViolation, nodeLockMessage, paramLockMessage, wireLockMessage } from '../graph/locks';
import { CURRENT_VERSION, FORMAT, type GraphDoc, type GraphEdge, type GraphNode } from '../graph/types';
import { addNodeAction, deleteNodesAction, disconnectAction, setParamAction, settleNewNodeAction } from './actions';
import { detachAction, makeBlockAction } from './blocks/actions';
import { addFromLibraryAction } from './blocks/library-actions';
import { rootAnalysis, rootDoc, useEditor } from './store';

const s = () => useEditor.getState();
beforeEach(() => {
  s().restore(emptyGraph(), [], []);
  s().clearNotice();
});

const conv = (id: string, extra: Partial<GraphNode> = {}): GraphNode => ({ id, type: 'conv2d', params: { filters: 4, kernelSize: 3, padding: 'same' }, position: [0, 0], ...extra });

/** image → a → b (locked, c's wire from b locked) → c → flatten → dense. */
function chain(): GraphDoc {
  const nodes: GraphNode[] = [
    { id: 'image', type: 'input', params: { shape: [8, 8, 1] }, position: [0, 0] },
    conv('a'),
    conv('b', { locked: true }),
    conv('c', { lockedParams: ['filters'] }),
    { id: 'f', type: 'flatten', params: {}, position: [0, 0] },
    { id: 'd', type: 'dense', params: { units: 3 }, position: [0, 0] },
  ];
  const edges: GraphEdge[] = nodes.slice(1).map((n, i) => ({ from: [nodes[i]!.id, 'out'] as [string, string], to: [n.id, 'in'] as [string, string] }));
  edges.find((e) => e.from[0] === 'b')!.locked = true;
  return { format: FORMAT, version: CURRENT_VERSION, name: 'locked chain', description: '', nodes, edges };
}

/** a, b, c made a block (made in instructor mode: the locks go inside the definition). */
function withBlock() {
  const made = makeBlock(chain(), ['a', 'b', 'c'], { name: 'Convs' });
  if ('error' in made) throw new Error(made.error);
  return made;
}

function expectRefused(run: () => unknown, message: string) {
  const root = rootDoc();
  const past = s().past.length;
  run();
  expect(rootDoc()).toBe(root);
  expect(s().past.length).toBe(past);
  expect(s().notice?.text).toBe(message);
  s().clearNotice();
}

describe('locks inside a block, learner mode', () => {
  it('the inner locks hold in the block view, through the actions and through a bare commit', () => {
    const { doc, blockId, instanceId } = withBlock();
    s().restore(doc, [], []);
    expect(s().mode).toBe('learner'); // the locks inside the block count
    expect(s().enterBlock(blockId, instanceId)).toBe(true);
    const view = s().doc;
    expectRefused(() => setParamAction('b', 'filters', 8), paramLockMessage(view.nodes.find((n) => n.id === 'b'), 'filters')!);
    expectRefused(() => setParamAction('c', 'filters', 8), paramLockMessage(view.nodes.find((n) => n.id === 'c'), 'filters')!);
    expectRefused(() => deleteNodesAction(['b']), nodeLockMessage('b', 'deleted'));
    const wire = view.edges.find((e) => e.from[0] === 'b')!;
    expectRefused(() => disconnectAction(wire), wireLockMessage(wire));
    // A path that forgets to ask is still refused by the store's commit.
    expectRefused(() => s().commit('sneak', setParam(view, 'b', 'filters', 8)), paramLockMessage(view.nodes.find((n) => n.id === 'b'), 'filters')!);
    // What is not locked can be edited, and goes into the definition.
    expect(setParamAction('c', 'kernelSize', 5)).toBe(true);
    expect(findBlock(rootDoc(), blockId)!.nodes.find((n) => n.id === 'c')!.params.kernelSize).toBe(5);
    expect(findBlock(rootDoc(), blockId)!.nodes.find((n) => n.id === 'b')!.params.filters).toBe(4);
  });

  it('a root-level edit cannot change a locked definition or remove it; a new block with locks is the instructor’s', () => {
    const { doc, blockId } = withBlock();
    const view = (d: GraphDoc) => ({ ...d, nodes: findBlock(d, blockId)!.nodes, edges: findBlock(d, blockId)!.edges });
    // writeBlockView is what an edit inside does; at the root level it is checked too.
    const inner = view(doc);
    const changed = writeBlockView(doc, blockId, { ...inner, nodes: [{ id: 'x', type: 'input', params: {} }, ...setParam(inner, 'b', 'kernelSize', 5).nodes] });
    if ('error' in changed) throw new Error(changed.error);
    expect(lockViolation(doc, changed.doc)).toBe(`Block “Convs”: ${paramLockMessage(inner.nodes.find((n) => n.id === 'b'), 'kernelSize')}`);
    expect(lockViolation(doc, { ...doc, blocks: [] })).toBe('The instructor locked parts of block “Convs”: it cannot be removed.');
    expect(lockViolation(chain(), doc)).toBeDefined(); // the locked b left the top level
    const plain = makeBlock({ ...chain(), nodes: chain().nodes.map(({ locked: _l, lockedParams: _p, ...n }) => n), edges: chain().edges.map(({ locked: _l, ...e }) => e) }, ['a'], { name: 'One' });
    if ('error' in plain) throw new Error(plain.error);
    const lockedNew = { ...plain.doc, blocks: plain.doc.blocks!.map((b) => ({ ...b, nodes: b.nodes.map((n) => ({ ...n, locked: true })) })) };
    expect(lockViolation({ ...plain.doc, blocks: [] }, lockedNew)).toBe(ONLY_INSTRUCTOR);
    expect(lockViolation({ ...plain.doc, blocks: [] }, plain.doc)).toBeUndefined();
  });

  it('Make block and Detach refuse locked nodes in learner mode, with a message; the instructor may', () => {
    s().restore(chain(), [], []);
    expect(s().mode).toBe('learner');
    expectRefused(() => makeBlockAction(['a', 'b']), nodeLockMessage('b', 'put into a block'));
    expectRefused(() => makeBlockAction(['c']), 'The instructor locked parameters of c, so it stays out of blocks.');
    s().restore({ ...chain(), edges: chain().edges.map((e) => (e.to[0] === 'a' ? { ...e, locked: true } : e)) }, [], []);
    expectRefused(() => makeBlockAction(['a']), 'The instructor locked the wire image → a, so its nodes stay out of blocks.');
    s().restore(chain(), [], []);
    s().setMode('author');
    const made = makeBlockAction(['a', 'b', 'c']);
    expect(made).toBeDefined();
    const blockId = s().doc.nodes.find((n) => n.id === made)!.params.block as string;
    expect(findBlock(rootDoc(), blockId)!.nodes.find((n) => n.id === 'b')!.locked).toBe(true);
    s().setMode('learner');
    expectRefused(() => detachAction(made!), 'The instructor locked parts of block “Block 1”, so its uses cannot be detached.');
    s().setMode('author');
    expect(detachAction(made!).length).toBe(3);
  });
});

describe('a library block with locks', () => {
  it('a learner adds it as their own (no node, param or wire locks; hidden params stay); the instructor keeps the locks', () => {
    const { doc, blockId } = withBlock();
    const def = { ...findBlock(doc, blockId)!, id: 'lib' };
    def.nodes = def.nodes.map((n) => (n.id === 'a' ? { ...n, hiddenParams: ['kernelSize'] } : n));
    const entry = { name: 'Convs', savedAt: 0, blocks: [def] };
    for (const mode of ['learner', 'author'] as const) {
      s().restore(chain(), [], []);
      s().setMode(mode);
      const id = addFromLibraryAction(entry, [0, 500]);
      expect(id).toBeDefined();
      const added = findBlock(rootDoc(), s().doc.nodes.find((n) => n.id === id)!.params.block)!;
      expect(added.nodes.find((n) => n.id === 'b')!.locked).toBe(mode === 'author' ? true : undefined);
      expect(added.nodes.find((n) => n.id === 'c')!.lockedParams).toEqual(mode === 'author' ? ['filters'] : undefined);
      expect(added.edges.some((e) => e.locked)).toBe(mode === 'author');
      expect(added.nodes.find((n) => n.id === 'a')!.hiddenParams).toEqual(['kernelSize']);
    }
  });
});

describe('blocks without locks in learner mode', () => {
  it('Make block and Detach work', () => {
    s().restore(chain(), [], []);
    const free = makeBlockAction(['f', 'd']);
    expect(free).toBeDefined();
    expect(detachAction(free!).length).toBe(2);
  });
});

describe('inside an open block', () => {
  it('re-centring a node just added reaches the whole graph, in the same undo step', () => {
    const { doc, blockId, instanceId } = withBlock();
    s().restore(doc, [], []);
    s().setMode('author');
    s().enterBlock(blockId, instanceId);
    const id = addNodeAction('conv2d', [10, 10])!;
    const past = s().past.length;
    expect(settleNewNodeAction(id, [123, 45])).toBe(true);
    expect(s().past.length).toBe(past);
    expect(s().doc.nodes.find((n) => n.id === id)!.position).toEqual([123, 45]);
    expect(findBlock(rootDoc(), blockId)!.nodes.find((n) => n.id === id)!.position).toEqual([123, 45]);
    // A node that was there before is not "just added".
    expect(settleNewNodeAction('a', [1, 1])).toBe(false);
    s().undo();
    expect(rootDoc()).toBe(doc);
  });

  it('the labs see the whole graph: rootAnalysis is the flat analysis of rootDoc, memoised', () => {
    const { doc, blockId, instanceId } = withBlock();
    s().restore(doc, [], []);
    expect(rootAnalysis()).toBe(s().analysis);
    s().enterBlock(blockId, instanceId);
    expect(s().analysis.nodes.has('d')).toBe(false); // the view: the block's inside
    const a = rootAnalysis();
    expect(a).toBe(rootAnalysis());
    const reference = analyzeGraph(doc);
    expect([...a.nodes.keys()].sort()).toEqual([...reference.nodes.keys()].sort());
    expect(a.nodes.get(`${instanceId}/b`)!.outputShape).toEqual([8, 8, 4]);
    expect(a.totals).toEqual(reference.totals);
  });
});
