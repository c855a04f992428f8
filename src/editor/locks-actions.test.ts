/** The editor's actions and store in learner and instructor mode (locks: graph/locks.ts). */
import { beforeEach, describe, expect, it } from 'vitest';
import { emptyGraph, removeNodes } from '../graph/edit';
import { ONLY_INSTRUCTOR } from '../graph/locks';
import { serializeGraph } from '../graph/serialize';
import type { GraphDoc } from '../graph/types';
import {
  copyAction,
  deleteNodesAction,
  disconnectAction,
  duplicateAction,
  loadAction,
  loadTextAction,
  pasteAction,
  renameAction,
  setEdgeLockAction,
  setNodeLockAction,
  setParamAction,
  setParamHiddenAction,
  setParamLockAction,
} from './actions';
import { connectInputAction } from './keyboard';
import { readShareHash, shareUrl } from './share';
import { useEditor } from './store';

const s = () => useEditor.getState();

/** image (locked) ─locked→ c (filters locked, kernelSize hidden) → f → d (locked). */
function handout(): GraphDoc {
  const g = emptyGraph('handout');
  return {
    ...g,
    nodes: [
      { ...g.nodes[0]!, locked: true },
      { id: 'c', type: 'conv2d', params: { filters: 4, kernelSize: 3 }, position: [200, 0], lockedParams: ['filters'], hiddenParams: ['kernelSize'] },
      { id: 'f', type: 'flatten', params: {}, position: [400, 0] },
      { id: 'd', type: 'dense', params: { units: 10 }, position: [600, 0], locked: true },
    ],
    edges: [
      { from: ['image', 'out'], to: ['c', 'in'], locked: true },
      { from: ['c', 'out'], to: ['f', 'in'] },
      { from: ['f', 'out'], to: ['d', 'in'] },
    ],
  };
}

beforeEach(() => {
  s().restore(emptyGraph(), [], []);
  s().clearNotice();
});

/** Loads the handout as a file would be (it opens in learner mode). */
function openHandout() {
  expect(loadTextAction(serializeGraph(handout()), 'handout.json')).toBe(true);
  expect(s().mode).toBe('learner');
  return s().doc;
}

function expectRefused(run: () => unknown, message: string, before: GraphDoc) {
  const past = s().past.length;
  run();
  expect(s().doc).toBe(before);
  expect(s().past.length).toBe(past);
  expect(s().notice?.text).toBe(message);
  s().clearNotice();
}

describe('learner mode', () => {
  it('a graph with locks opens in learner mode; one without leaves the mode as it is; restore follows the graph', () => {
    expect(s().mode).toBe('author');
    openHandout();
    expect(loadTextAction(serializeGraph(emptyGraph()), 'plain.json')).toBe(true);
    expect(s().mode).toBe('learner');
    s().restore(emptyGraph(), [], []);
    expect(s().mode).toBe('author');
    s().restore(handout(), [], []);
    expect(s().mode).toBe('learner');
  });

  it('a share link keeps the locks, and opens in learner mode', () => {
    const url = shareUrl(handout(), 'https://example.org/');
    const read = readShareHash(new URL(url).hash);
    expect(read).toEqual({ ok: true, doc: handout() });
    s().setMode('author');
    expect(read && loadAction(read, 'link')).toBe(true);
    expect(s().mode).toBe('learner');
  });

  it('refuses every edit of a locked part with the message, and changes nothing', () => {
    const doc = openHandout();
    expectRefused(() => expect(setParamAction('c', 'filters', 8)).toBe(false), 'The instructor locked “filters” of c.', doc);
    expectRefused(() => expect(setParamAction('d', 'units', 5)).toBe(false), 'The instructor locked “units” of d.', doc);
    expectRefused(() => expect(deleteNodesAction(['f', 'd'])).toBe(false), 'The instructor locked d: it cannot be deleted.', doc);
    expectRefused(() => expect(deleteNodesAction(['c'])).toBe(false), 'The instructor locked the wire image → c: it cannot be removed.', doc);
    expectRefused(() => expect(disconnectAction({ from: ['image', 'out'], to: ['c', 'in'] })).toBe(false), 'The instructor locked the wire image → c: it cannot be removed.', doc);
    expectRefused(() => expect(renameAction('d', 'dense')).toBe(false), 'The instructor locked d: it cannot be renamed.', doc);
    expectRefused(() => expect(renameAction('c', 'conv')).toBe(false), 'The instructor locked parameters of c, so it keeps its name.', doc);
    expectRefused(() => expect(connectInputAction('f', 'c', 'in')).toBe(false), 'The instructor locked the wire image → c: it cannot be replaced.', doc);
    expectRefused(() => expect(connectInputAction(null, 'c', 'in')).toBe(false), 'The instructor locked the wire image → c: it cannot be removed.', doc);
    for (const lockEdit of [() => setNodeLockAction('d', false), () => setParamLockAction('c', 'strides', true), () => setParamHiddenAction('c', 'kernelSize', false), () => setEdgeLockAction({ from: ['c', 'out'], to: ['f', 'in'] }, true)]) {
      expectRefused(() => expect(lockEdit()).toBe(false), ONLY_INSTRUCTOR, doc);
    }
  });

  it('the store refuses a commit that breaks a lock, whatever path it came by', () => {
    const doc = openHandout();
    expectRefused(() => s().commit('sneaky', removeNodes(doc, ['d'])), 'The instructor locked d: it cannot be deleted.', doc);
    // A whole graph loaded is not an edit: it replaces the handout.
    s().commit('Open other', emptyGraph(), { source: 'other.json' });
    expect(s().doc.nodes).toHaveLength(1);
  });

  it('allows the learner everything else, one undo step each', () => {
    openHandout();
    expect(setParamAction('c', 'strides', 2)).toBe(true);
    expect(setParamAction('c', 'kernelSize', 5)).toBe(true);
    expect(disconnectAction({ from: ['f', 'out'], to: ['d', 'in'] })).toBe(true);
    expect(connectInputAction('f', 'd', 'in')).toBe(true);
    expect(renameAction('f', 'flat')).toBe(true);
    expect(s().doc.nodes.find((n) => n.id === 'c')?.params).toEqual({ filters: 4, kernelSize: 5, strides: 2 });
    expect(s().past.map((p) => p.label).slice(-5)).toEqual(['Set c.strides', 'Set c.kernelSize', 'Disconnect f → d', 'Connect f → d', 'Rename f to flat']);
    expect(deleteNodesAction(['flat'])).toBe(true);
  });

  it('copies of locked nodes are the learner’s own: pasted and duplicated without locks', () => {
    openHandout();
    expect(copyAction(['c', 'd'])).toBe(true);
    const pasted = pasteAction();
    expect(pasted).toHaveLength(2);
    const dup = duplicateAction(['d']);
    for (const id of [...pasted, ...dup]) {
      const n = s().doc.nodes.find((m) => m.id === id)!;
      expect(n.locked).toBeUndefined();
      expect(n.lockedParams).toBeUndefined();
    }
    expect(s().doc.nodes.find((n) => n.id === pasted[0])?.hiddenParams).toEqual(['kernelSize']);
    expect(setParamAction(pasted[0]!, 'filters', 9)).toBe(true);
    expect(deleteNodesAction(dup)).toBe(true);
  });
});

describe('instructor mode', () => {
  it('edits everything and sets locks, which hold once back in learner mode', () => {
    openHandout();
    s().setMode('author');
    expect(setParamAction('c', 'filters', 8)).toBe(true);
    expect(setNodeLockAction('f', true)).toBe(true);
    expect(setParamHiddenAction('c', 'kernelSize', false)).toBe(true);
    expect(setEdgeLockAction({ from: ['image', 'out'], to: ['c', 'in'] }, false)).toBe(true);
    expect(setParamLockAction('c', 'filters', false)).toBe(true);
    expect(renameAction('c', 'conv')).toBe(true);
    expect(s().doc.nodes.find((n) => n.id === 'conv')).toEqual({ id: 'conv', type: 'conv2d', params: { filters: 8, kernelSize: 3 }, position: [200, 0] });
    expect(deleteNodesAction(['d'])).toBe(true);
    s().setMode('learner');
    const doc = s().doc;
    expectRefused(() => deleteNodesAction(['f']), 'The instructor locked f: it cannot be deleted.', doc);
    // f is locked and so is image: the wire image → conv is free now; conv → f joins an unlocked node to a locked one.
    expect(disconnectAction({ from: ['conv', 'out'], to: ['f', 'in'] })).toBe(true);
  });
});
