/** Block instances on the canvas: their ports and the wire check (graph/edit.ts connect) through them. */
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../graph/analyze';
import { connect, typesAccepting } from '../../graph/edit';
import { CURRENT_VERSION, FORMAT, type BlockDef, type GraphDoc } from '../../graph/types';
import { docNodePorts } from './canvas';

/** out = conv(x) + y: a block with two inputs. */
const addBlock: BlockDef = {
  id: 'res',
  name: 'Residual',
  inputs: ['x', 'y'],
  output: 'sum',
  nodes: [
    { id: 'c', type: 'conv2d', params: { filters: 4, kernelSize: 3, padding: 'same' } },
    { id: 'sum', type: 'add', params: {} },
  ],
  edges: [
    { from: ['x', 'out'], to: ['c', 'in'] },
    { from: ['c', 'out'], to: ['sum', 'in0'] },
    { from: ['y', 'out'], to: ['sum', 'in1'] },
  ],
};

const doc: GraphDoc = {
  format: FORMAT,
  version: CURRENT_VERSION,
  name: 't',
  description: '',
  nodes: [
    { id: 'image', type: 'input', params: { shape: [8, 8, 4] } },
    { id: 'wide', type: 'conv2d', params: { filters: 6, kernelSize: 1 } },
    { id: 'flat', type: 'flatten', params: {} },
    { id: 'r', type: 'block', params: { block: 'res' } },
  ],
  edges: [
    { from: ['image', 'out'], to: ['wide', 'in'] },
    { from: ['image', 'out'], to: ['flat', 'in'] },
  ],
  blocks: [addBlock],
};

describe('block instances on the canvas', () => {
  it('have one input port per block input', () => {
    expect(docNodePorts(doc, doc.nodes[3]!)).toEqual(['in0', 'in1']);
    expect(docNodePorts(doc, { id: 'q', type: 'block', params: { block: 'missing' } })).toEqual([]);
    expect(docNodePorts(doc, doc.nodes[1]!)).toEqual([]);
  });

  it('take wires that fit and refuse the others with the reason', () => {
    const one = connect(doc, 'image', 'r', 'in0');
    expect(one.ok).toBe(true);
    if (!one.ok) return;
    const two = connect(one.doc, 'image', 'r', 'in1');
    expect(two.ok).toBe(true);
    if (!two.ok) return;
    expect(analyzeGraph(two.doc).instances!.get('r')!.outputShape).toEqual([8, 8, 4]);

    const noPort = connect(doc, 'image', 'r', 'in2');
    expect(noPort.ok || noPort.message).toMatch(/Residual.*has no input in2/);
    // 6 channels cannot be added to the conv's 4: the add inside the block refuses, and so does the wire.
    const misfit = connect(one.doc, 'wide', 'r', 'in1');
    expect(misfit.ok || misfit.message).toMatch(/\b6\b/);
    // A flat vector cannot feed the conv inside.
    const flat = connect(doc, 'flat', 'r', 'in0');
    expect(flat.ok || flat.message).toMatch(/256/);
    if (!two.ok) return;
    // What a wire dropped from the instance's output offers: layers that take an 8×8×4 map.
    expect(typesAccepting(two.doc, 'r')).toContain('conv2d');
    expect(typesAccepting(two.doc, 'r')).not.toContain('input');
  });
});
