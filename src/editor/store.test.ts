import { beforeEach, describe, expect, it } from 'vitest';
import { addNode, emptyGraph, setParam } from '../graph/edit';
import { HISTORY_LIMIT, useEditor } from './store';

const s = () => useEditor.getState();

beforeEach(() => s().restore(emptyGraph(), [], []));

describe('the editor store', () => {
  it('commits with a label, undoes and redoes exact documents', () => {
    const d0 = s().doc;
    const r = addNode(d0, 'conv2d', [10, 10]);
    if ('error' in r) throw new Error(r.error);
    s().commit('Add Conv 2D', r.doc, { select: [r.id] });
    const d1 = s().doc;
    s().commit('Set conv2d_1.filters', setParam(d1, r.id, 'filters', 4));
    const d2 = s().doc;
    expect(s().past.map((e) => e.label)).toEqual(['Add Conv 2D', 'Set conv2d_1.filters']);
    expect(s().analysis.nodes.get(r.id)!.params!.filters).toBe(4);

    s().undo();
    expect(s().doc).toBe(d1);
    expect(s().future[0]!.label).toBe('Set conv2d_1.filters');
    s().undo();
    expect(s().doc).toBe(d0);
    expect(s().selection).toEqual([]); // the selected node no longer exists
    s().undo(); // nothing left: no change
    expect(s().doc).toBe(d0);
    s().redo();
    s().redo();
    expect(s().doc).toBe(d2);
    expect(s().analysis.nodes.get(r.id)!.params!.filters).toBe(4);
  });

  it('a new change clears the redo stack; committing the same document is no change', () => {
    const r = addNode(s().doc, 'flatten', [0, 0]);
    if ('error' in r) throw new Error(r.error);
    s().commit('Add Flatten', r.doc);
    s().undo();
    expect(s().future).toHaveLength(1);
    s().commit('Rename graph', { ...s().doc, name: 'x' });
    expect(s().future).toHaveLength(0);
    const before = s().past.length;
    s().commit('nothing', s().doc);
    expect(s().past).toHaveLength(before);
  });

  it(`keeps at most ${HISTORY_LIMIT} undo steps`, () => {
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) s().commit(`step ${i}`, { ...s().doc, name: `n${i}` });
    expect(s().past).toHaveLength(HISTORY_LIMIT);
    expect(s().past[0]!.label).toBe('step 20');
  });

  it('counts whole-graph loads so the view can zoom to each', () => {
    const loads = s().loads;
    s().commit('Open x', emptyGraph('x'), { source: 'x.json' });
    expect(s().loads).toBe(loads + 1);
    expect(s().source).toBe('x.json');
  });
});
