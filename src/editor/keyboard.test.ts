import { beforeEach, describe, expect, it } from 'vitest';
import { emptyGraph } from '../graph/edit';
import type { GraphDoc } from '../graph/types';
import { connectInputAction, handleNodeKey, inputSources, NUDGE, NUDGE_FAR } from './keyboard';
import { useEditor } from './store';

const s = () => useEditor.getState();

/** image → c (conv 3×3, 4 filters, valid: 26×26×4) → f (flatten); `sum` (add) has in0 from image, in1 free. */
function graph(): GraphDoc {
  const g = emptyGraph('kb');
  return {
    ...g,
    nodes: [
      ...g.nodes,
      { id: 'c', type: 'conv2d', params: { filters: 4, kernelSize: 3, padding: 'valid' }, position: [200, 0] },
      { id: 'f', type: 'flatten', params: {}, position: [400, 0] },
      { id: 'sum', type: 'add', params: { inputs: 2 }, position: [200, 200] },
    ],
    edges: [
      { from: ['image', 'out'], to: ['c', 'in'] },
      { from: ['c', 'out'], to: ['f', 'in'] },
      { from: ['image', 'out'], to: ['sum', 'in0'] },
    ],
  };
}

const key = (k: string, mods: { shiftKey?: boolean; ctrlKey?: boolean } = {}, onChild = false) => {
  const el = {};
  return { key: k, shiftKey: !!mods.shiftKey, ctrlKey: !!mods.ctrlKey, metaKey: false, altKey: false, currentTarget: el, target: onChild ? {} : el } as never;
};
const pos = (id: string) => s().doc.nodes.find((n) => n.id === id)!.position;
const source = (id: string, port: string) => s().doc.edges.find((e) => e.to[0] === id && e.to[1] === port)?.from[0];

beforeEach(() => s().restore(graph(), [], []));

describe('inputSources: what "Input from…" offers', () => {
  it('lists the outputs that may feed an input, the current one included, and never a cycle', () => {
    expect(inputSources(s().doc, 'f', 'in')).toEqual([
      { id: 'image', shape: '28×28×1' },
      { id: 'c', shape: '26×26×4' },
      { id: 'sum', shape: '?' }, // its in1 is not wired yet: shape unknown
    ]);
    // f and c are downstream of c: wiring them into c would close a cycle.
    expect(inputSources(s().doc, 'c', 'in').map((x) => x.id)).toEqual(['image', 'sum']);
  });

  it('leaves out outputs whose shape cannot work there', () => {
    // Add needs equal shapes: in0 gets 28×28×1, so c (26×26×4) does not fit in1.
    expect(inputSources(s().doc, 'sum', 'in1').map((x) => x.id)).toEqual(['image']);
  });
});

describe('connectInputAction', () => {
  it('replaces the wire into an input as one undo step, and removes it with null', () => {
    const before = s().doc;
    expect(connectInputAction('image', 'f', 'in')).toBe(true);
    expect(source('f', 'in')).toBe('image');
    expect(s().doc.edges).toHaveLength(3);
    expect(s().past.at(-1)!.label).toBe('Connect image → f');
    s().undo();
    expect(s().doc).toBe(before);

    expect(connectInputAction(null, 'f', 'in')).toBe(true);
    expect(source('f', 'in')).toBeUndefined();
  });

  it('refuses a wire that cannot work, says why and changes nothing', () => {
    const before = s().doc;
    expect(connectInputAction('c', 'sum', 'in1')).toBe(false);
    expect(s().doc).toBe(before);
    expect(s().notice?.kind).toBe('error');
    expect(s().notice?.text).toMatch(/equal shape/);
    expect(connectInputAction('f', 'c', 'in')).toBe(false);
    expect(s().notice?.text).toMatch(/cycle/);
    expect(s().doc).toBe(before);
  });
});

describe('keys on a focused canvas node', () => {
  it('Enter and Space select it; Ctrl adds it to the selection', () => {
    expect(handleNodeKey('c', key('Enter'))).toBe(true);
    expect(s().selection).toEqual(['c']);
    expect(handleNodeKey('f', key(' '))).toBe(true);
    expect(s().selection).toEqual(['f']);
    handleNodeKey('c', key('Enter', { ctrlKey: true }));
    expect(s().selection).toEqual(['f', 'c']);
  });

  it('arrows move it (Shift further), with the rest of the selection when it is selected', () => {
    handleNodeKey('c', key('ArrowRight'));
    expect(pos('c')).toEqual([200 + NUDGE, 0]);
    handleNodeKey('c', key('ArrowUp', { shiftKey: true }));
    expect(pos('c')).toEqual([200 + NUDGE, -NUDGE_FAR]);
    expect(pos('f')).toEqual([400, 0]); // not selected: stays
    s().setSelection(['c', 'f']);
    handleNodeKey('f', key('ArrowLeft'));
    expect(pos('c')).toEqual([200, -NUDGE_FAR]);
    expect(pos('f')).toEqual([400 - NUDGE, 0]);
    expect(s().past.at(-1)!.label).toBe('Move 2 nodes');
  });

  it('Delete deletes it, and keys typed in a control inside the node are left alone', () => {
    expect(handleNodeKey('f', key('Delete', {}, true))).toBe(false);
    expect(handleNodeKey('f', key('ArrowLeft', {}, true))).toBe(false);
    expect(s().doc.nodes.map((n) => n.id)).toContain('f');
    expect(handleNodeKey('f', key('Delete'))).toBe(true);
    expect(s().doc.nodes.map((n) => n.id)).not.toContain('f');
    expect(handleNodeKey('c', key('x'))).toBe(false);
  });
});
