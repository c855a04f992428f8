import { describe, expect, it } from 'vitest';
import { connect, extractFragment, moveNodes, pasteFragment, removeEdge, removeNodes, renameNode, setParam } from './edit';
import {
  hasLocks,
  isEdgeLocked,
  lockProblem,
  lockViolation,
  ONLY_INSTRUCTOR,
  setEdgeLocked,
  setNodeLocked,
  setParamHidden,
  setParamLocked,
  unlockedCopies,
} from './locks';
import { parseGraph, parseGraphText } from './parse';
import { serializeGraph } from './serialize';
import { CURRENT_VERSION, type GraphDoc, type GraphEdge } from './types';

/**
 * image (locked) ─locked wire→ c1 (filters locked, kernelSize hidden) → flat → d1 (locked) → d2 (locked)
 * The wire d1 → d2 joins two locked nodes, so it is locked without being marked.
 */
function lesson(): GraphDoc {
  return {
    format: 'layerlab-graph',
    version: CURRENT_VERSION,
    name: 'Lesson',
    description: '',
    nodes: [
      { id: 'image', type: 'input', params: { shape: [28, 28, 1] }, position: [0, 0], locked: true },
      { id: 'c1', type: 'conv2d', params: { filters: 8, kernelSize: 3 }, position: [200, 0], lockedParams: ['filters'], hiddenParams: ['kernelSize'] },
      { id: 'flat', type: 'flatten', params: {}, position: [400, 0] },
      { id: 'd1', type: 'dense', params: { units: 32 }, position: [600, 0], locked: true },
      { id: 'd2', type: 'dense', params: { units: 10, activation: 'softmax' }, position: [800, 0], locked: true },
    ],
    edges: [
      { from: ['image', 'out'], to: ['c1', 'in'], locked: true },
      { from: ['c1', 'out'], to: ['flat', 'in'] },
      { from: ['flat', 'out'], to: ['d1', 'in'] },
      { from: ['d1', 'out'], to: ['d2', 'in'] },
    ],
  };
}

const edge = (a: string, b: string, port = 'in'): GraphEdge => ({ from: [a, 'out'], to: [b, port] });
const ok = <T>(r: { ok: true; doc: T } | { ok: false; message: string }): T => {
  if (!r.ok) throw new Error(r.message);
  return r.doc;
};

describe('which parts are locked', () => {
  it('finds locks anywhere, and none in a plain graph', () => {
    expect(hasLocks(lesson())).toBe(true);
    const plain = lesson();
    plain.nodes = plain.nodes.map(({ locked: _l, lockedParams: _p, hiddenParams: _h, ...n }) => n);
    plain.edges = plain.edges.map(({ locked: _l, ...e }) => e);
    expect(hasLocks(plain)).toBe(false);
    expect(hasLocks({ ...plain, edges: [{ ...plain.edges[0]!, locked: true }] })).toBe(true);
    expect(hasLocks({ ...plain, nodes: [...plain.nodes.slice(1), { ...plain.nodes[0]!, hiddenParams: ['shape'] }] })).toBe(true);
  });

  it('a wire is locked when marked, or when both its ends are locked nodes', () => {
    const doc = lesson();
    expect(isEdgeLocked(doc, doc.edges[0]!)).toBe(true); // marked
    expect(isEdgeLocked(doc, doc.edges[1]!)).toBe(false); // c1 → flat: neither end locked
    expect(isEdgeLocked(doc, doc.edges[2]!)).toBe(false); // flat → d1: one end locked
    expect(isEdgeLocked(doc, doc.edges[3]!)).toBe(true); // d1 → d2: both ends locked
  });
});

describe('lockProblem: each edit kind, refused and allowed', () => {
  const doc = lesson();
  it('setParam', () => {
    expect(lockProblem(doc, { kind: 'setParam', nodeId: 'c1', param: 'filters' })).toBe('The instructor locked “filters” of c1.');
    expect(lockProblem(doc, { kind: 'setParam', nodeId: 'd1', param: 'units' })).toBe('The instructor locked “units” of d1.');
    expect(lockProblem(doc, { kind: 'setParam', nodeId: 'c1', param: 'strides' })).toBeUndefined();
    expect(lockProblem(doc, { kind: 'setParam', nodeId: 'c1', param: 'kernelSize' })).toBeUndefined(); // hidden, not locked
    expect(lockProblem(doc, { kind: 'setParam', nodeId: 'flat', param: 'x' })).toBeUndefined();
  });
  it('removeNodes', () => {
    expect(lockProblem(doc, { kind: 'removeNodes', ids: ['d1'] })).toBe('The instructor locked d1: it cannot be deleted.');
    expect(lockProblem(doc, { kind: 'removeNodes', ids: ['flat', 'image'] })).toBe('The instructor locked image: it cannot be deleted.');
    // c1 itself may go, but its wire from image is locked.
    expect(lockProblem(doc, { kind: 'removeNodes', ids: ['c1'] })).toBe('The instructor locked the wire image → c1: it cannot be removed.');
    expect(lockProblem(doc, { kind: 'removeNodes', ids: ['flat'] })).toBeUndefined();
  });
  it('removeEdge', () => {
    expect(lockProblem(doc, { kind: 'removeEdge', edge: edge('image', 'c1') })).toBe('The instructor locked the wire image → c1: it cannot be removed.');
    expect(lockProblem(doc, { kind: 'removeEdge', edge: edge('d1', 'd2') })).toBe('The instructor locked the wire d1 → d2: it cannot be removed.');
    expect(lockProblem(doc, { kind: 'removeEdge', edge: edge('flat', 'd1') })).toBeUndefined();
    expect(lockProblem(doc, { kind: 'removeEdge', edge: edge('c1', 'flat') })).toBeUndefined();
  });
  it('renameNode', () => {
    expect(lockProblem(doc, { kind: 'renameNode', nodeId: 'd1' })).toBe('The instructor locked d1: it cannot be renamed.');
    expect(lockProblem(doc, { kind: 'renameNode', nodeId: 'c1' })).toBe('The instructor locked parameters of c1, so it keeps its name.');
    expect(lockProblem(doc, { kind: 'renameNode', nodeId: 'flat' })).toBeUndefined();
    const wired = setParamLocked(doc, 'c1', 'filters', false);
    expect(lockProblem(wired, { kind: 'renameNode', nodeId: 'c1' })).toBe('The instructor locked the wire image → c1, so c1 keeps its name.');
  });
  it('connect (replacing the wire into an input)', () => {
    expect(lockProblem(doc, { kind: 'connect', toId: 'c1', toPort: 'in' })).toBe('The instructor locked the wire image → c1: it cannot be replaced.');
    expect(lockProblem(doc, { kind: 'connect', toId: 'd2', toPort: 'in' })).toBe('The instructor locked the wire d1 → d2: it cannot be replaced.');
    expect(lockProblem(doc, { kind: 'connect', toId: 'd1', toPort: 'in' })).toBeUndefined();
    expect(lockProblem(doc, { kind: 'connect', toId: 'flat', toPort: 'in' })).toBeUndefined();
  });
  it('lock edits belong to the instructor', () => {
    expect(lockProblem(doc, { kind: 'lockEdit' })).toBe(ONLY_INSTRUCTOR);
  });
});

describe('lockViolation: every commit is checked against the document it replaces', () => {
  const doc = lesson();
  it('refuses what the edit functions would do to locked parts', () => {
    expect(lockViolation(doc, setParam(doc, 'c1', 'filters', 16))).toBe('The instructor locked “filters” of c1.');
    expect(lockViolation(doc, setParam(doc, 'd1', 'activation', 'tanh'))).toBe('The instructor locked “activation” of d1.');
    expect(lockViolation(doc, removeNodes(doc, ['d2']))).toBe('The instructor locked d2: it cannot be deleted.');
    expect(lockViolation(doc, ok(renameNode(doc, 'd1', 'hidden')))).toBe('The instructor locked d1: it cannot be renamed.');
    expect(lockViolation(doc, removeEdge(doc, edge('image', 'c1')))).toBe('The instructor locked the wire image → c1: it cannot be removed.');
    expect(lockViolation(doc, removeNodes(doc, ['c1']))).toBe('The instructor locked the wire image → c1: it cannot be removed.');
    // Renaming c1 (filters locked) makes a "new" node that carries a lock: not the learner's to make.
    expect(lockViolation(doc, ok(renameNode(doc, 'c1', 'conv')))).toBe(ONLY_INSTRUCTOR);
    expect(lockViolation(doc, setNodeLocked(doc, 'd1', false))).toBe(ONLY_INSTRUCTOR);
    expect(lockViolation(doc, setParamHidden(doc, 'c1', 'kernelSize', false))).toBe(ONLY_INSTRUCTOR);
    expect(lockViolation(doc, setEdgeLocked(doc, edge('c1', 'flat'), true))).toBe(ONLY_INSTRUCTOR);
    expect(lockViolation(doc, setEdgeLocked(doc, edge('image', 'c1'), false))).toBe(ONLY_INSTRUCTOR);
  });

  it('allows the learner everything else', () => {
    expect(lockViolation(doc, doc)).toBeUndefined();
    expect(lockViolation(doc, setParam(doc, 'c1', 'strides', 2))).toBeUndefined();
    expect(lockViolation(doc, setParam(doc, 'c1', 'kernelSize', 5))).toBeUndefined();
    expect(lockViolation(doc, moveNodes(doc, new Map([['d1', [10, 10]]])))).toBeUndefined();
    expect(lockViolation(doc, removeEdge(doc, edge('flat', 'd1')))).toBeUndefined();
    expect(lockViolation(doc, removeNodes(doc, ['flat']))).toBeUndefined();
    expect(lockViolation(doc, ok(renameNode(doc, 'flat', 'f2')))).toBeUndefined();
    // A new wire out of a locked node, and into a locked node's empty input.
    const cut = removeEdge(doc, edge('flat', 'd1'));
    expect(lockViolation(cut, ok(connect(cut, 'flat', 'd1', 'in')))).toBeUndefined();
    // Pasted copies of locked nodes are the learner's: their node and param locks are dropped.
    const frag = extractFragment(doc, ['d1', 'c1']);
    const copies = pasteFragment(doc, { ...frag, nodes: unlockedCopies(frag.nodes) }, [40, 40]);
    expect(lockViolation(doc, copies.doc)).toBeUndefined();
    expect(copies.doc.nodes.find((n) => n.id === copies.ids[0])).toMatchObject({ type: 'conv2d', hiddenParams: ['kernelSize'] });
    expect(copies.doc.nodes.find((n) => n.id === copies.ids[0])?.lockedParams).toBeUndefined();
    // …pasted as they are, the locks would come with them: refused.
    expect(lockViolation(doc, pasteFragment(doc, frag, [40, 40]).doc)).toBe(ONLY_INSTRUCTOR);
  });

  it('a rename keeps the lock of a wire (edit.renameNode)', () => {
    const unlocked = setParamLocked(doc, 'c1', 'filters', false);
    const renamed = ok(renameNode(unlocked, 'c1', 'conv'));
    expect(renamed.edges[0]).toEqual({ from: ['image', 'out'], to: ['conv', 'in'], locked: true });
    // The wire image → c1 is gone under that name: refused in learner mode.
    expect(lockViolation(unlocked, renamed)).toBe('The instructor locked the wire image → c1: it cannot be removed.');
  });
});

describe('instructor edits', () => {
  it('toggle locks and hidden params, in the node type’s param order, leaving nothing empty behind', () => {
    let doc = lesson();
    doc = setParamLocked(doc, 'c1', 'activation', true);
    doc = setParamLocked(doc, 'c1', 'kernelSize', true);
    expect(doc.nodes[1]!.lockedParams).toEqual(['filters', 'kernelSize', 'activation']);
    expect(setParamLocked(doc, 'c1', 'kernelSize', true)).toBe(doc); // no change, same document
    for (const p of ['filters', 'kernelSize', 'activation']) doc = setParamLocked(doc, 'c1', p, false);
    doc = setParamHidden(doc, 'c1', 'kernelSize', false);
    doc = setNodeLocked(doc, 'd1', false);
    expect('lockedParams' in doc.nodes[1]!).toBe(false);
    expect('hiddenParams' in doc.nodes[1]!).toBe(false);
    expect('locked' in doc.nodes[3]!).toBe(false);
    doc = setEdgeLocked(doc, edge('image', 'c1'), false);
    expect(doc.edges[0]).toEqual(edge('image', 'c1'));
    expect(setNodeLocked(doc, 'nope', true)).toBe(doc);
  });
});

describe('the file format', () => {
  it('writes lock fields only when set, after the other keys, and reads them back', () => {
    const text = serializeGraph(lesson());
    expect(text).toContain('{ "id": "image", "type": "input", "params": { "shape": [28, 28, 1] }, "position": [0, 0], "locked": true }');
    expect(text).toContain('"position": [200, 0], "lockedParams": ["filters"], "hiddenParams": ["kernelSize"] }');
    expect(text).toContain('{ "from": ["image", "out"], "to": ["c1", "in"], "locked": true }');
    expect(text).toContain('{ "from": ["c1", "out"], "to": ["flat", "in"] }');
    expect(text).not.toMatch(/"locked": false|"lockedParams": \[\]/);
    const back = parseGraphText(text);
    expect(back).toEqual({ ok: true, doc: lesson() });
    expect(serializeGraph(setNodeLocked(lesson(), 'd1', false))).not.toContain('"id": "d1", "type": "dense", "params": { "units": 32 }, "position": [600, 0], "locked"');
  });

  const file = (node: Record<string, unknown>, edgeExtra: Record<string, unknown> = {}) => ({
    format: 'layerlab-graph',
    version: CURRENT_VERSION,
    nodes: [{ id: 'image', type: 'input', params: { shape: [8, 8, 1] } }, node],
    edges: [{ from: ['image', 'out'], to: [node.id, 'in'], ...edgeExtra }],
  });

  it('refuses a lock list naming a param the node type does not have, naming node and param', () => {
    const r = parseGraph(file({ id: 'c1', type: 'conv2d', params: {}, lockedParams: ['filters', 'filterz'] }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain('c1');
      expect(r.message).toContain('"filterz"');
      expect(r.message).toContain('lockedParams');
    }
    const h = parseGraph(file({ id: 'f', type: 'flatten', params: {}, hiddenParams: ['units'] }));
    expect(h.ok).toBe(false);
    if (!h.ok) expect(h.message).toMatch(/node f: "hiddenParams" names "units".*it has none/);
  });

  it('is lenient for unknown node types (the analysis reports those)', () => {
    const r = parseGraph(file({ id: 'x', type: 'mysteryLayer', params: {}, lockedParams: ['anything'] }));
    expect(r.ok).toBe(true);
  });

  it('bounds and checks the fields', () => {
    const bad = [
      file({ id: 'c1', type: 'conv2d', params: {}, locked: 'yes' }),
      file({ id: 'c1', type: 'conv2d', params: {}, lockedParams: 'filters' }),
      file({ id: 'c1', type: 'conv2d', params: {}, lockedParams: ['filters', 'filters'] }),
      file({ id: 'c1', type: 'conv2d', params: {}, hiddenParams: ['__proto__x y'] }),
      file({ id: 'c1', type: 'mystery', params: {}, hiddenParams: Array.from({ length: 65 }, (_, i) => `p${i}`) }),
      file({ id: 'c1', type: 'conv2d', params: {} }, { locked: 1 }),
    ];
    for (const json of bad) expect(parseGraph(json).ok, JSON.stringify(json.nodes[1])).toBe(false);
    expect(parseGraph(file({ id: 'c1', type: 'conv2d', params: {}, locked: false }, { locked: false }))).toMatchObject({ ok: true });
  });
});
