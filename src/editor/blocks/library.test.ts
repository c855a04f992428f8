import { describe, expect, it } from 'vitest';
import { analyzeGraph, nodeInfo } from '../../graph/analyze';
import { expandBlocks } from '../../graph/blocks';
import { CURRENT_VERSION, FORMAT, type BlockDef, type GraphDoc, type GraphNode } from '../../graph/types';
import { blockBundle, importEntry, LIBRARY_KEY, readLibrary, removeFromLibrary, saveToLibrary } from './library';

/** localStorage's getItem/setItem over a Map (optionally refusing writes, as a full or blocked storage does). */
class MemoryStorage {
  map = new Map<string, string>();
  constructor(private readonly refuse = false) {}
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (this.refuse) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.map.set(k, v);
  }
}

const convBlock = (id = 'convs', filters = 8): BlockDef => ({
  id,
  name: 'Two convs',
  inputs: ['x'],
  output: 'c2',
  params: { filters },
  nodes: [
    { id: 'c1', type: 'conv2d', params: { filters: '$filters', kernelSize: 3, padding: 'same' } },
    { id: 'c2', type: 'conv2d', params: { filters: '$filters', kernelSize: 3, padding: 'same', activation: 'relu' } },
  ],
  edges: [
    { from: ['x', 'out'], to: ['c1', 'in'] },
    { from: ['c1', 'out'], to: ['c2', 'in'] },
  ],
});

/** A block that uses another block twice (nested). */
const twiceBlock: BlockDef = {
  id: 'twice',
  name: 'Twice',
  inputs: ['x'],
  output: 'b',
  nodes: [
    { id: 'a', type: 'block', params: { block: 'convs', filters: 4 } },
    { id: 'b', type: 'block', params: { block: 'convs', filters: 6 } },
  ],
  edges: [
    { from: ['x', 'out'], to: ['a', 'in0'] },
    { from: ['a', 'out'], to: ['b', 'in0'] },
  ],
};

function graph(nodes: GraphNode[], edges: GraphDoc['edges'], blocks?: BlockDef[]): GraphDoc {
  return { format: FORMAT, version: CURRENT_VERSION, name: 't', description: '', nodes, edges, ...(blocks ? { blocks } : {}) };
}

/** input -> <middle> -> flatten -> dense(10) */
function around(middle: GraphNode[], chain: string[], blocks?: BlockDef[]): GraphDoc {
  const nodes: GraphNode[] = [{ id: 'image', type: 'input', params: { shape: [12, 12, 1] } }, ...middle, { id: 'f', type: 'flatten', params: {} }, { id: 'd', type: 'dense', params: { units: 10, activation: 'softmax' } }];
  const ids = ['image', ...chain, 'f', 'd'];
  const edges = ids.slice(1).map((to, i) => ({ from: [ids[i]!, 'out'] as [string, string], to: [to, nodes.find((n) => n.id === to)!.type === 'block' ? 'in0' : 'in'] as [string, string] }));
  return graph(nodes, edges, blocks);
}

describe('block library', () => {
  it('saves a block with the blocks it uses, reads it back, and an instance of the import counts what the flat graph counts', () => {
    const storage = new MemoryStorage();
    const source = around([{ id: 'blk', type: 'block', params: { block: 'twice' } }], ['blk'], [convBlock(), twiceBlock]);
    expect(blockBundle(source, 'twice').map((b) => b.id)).toEqual(['twice', 'convs']);
    const saved = saveToLibrary(storage, source, 'twice', 1000);
    expect('entry' in saved).toBe(true);
    const [entry] = readLibrary(storage);
    expect(entry!.name).toBe('Twice');
    expect(entry!.blocks.map((b) => b.id)).toEqual(['twice', 'convs']);

    // Into a graph without blocks: both definitions are copied.
    const target = around([], []);
    const { doc, blockId } = importEntry(target, entry!);
    expect(blockId).toBe('twice');
    const withInstance = around([{ id: 'mine', type: 'block', params: { block: blockId } }], ['mine'], doc.blocks);
    // Reference: the same network written out flat by hand (4 then 6 filters, two convs each).
    const flat = around(
      [
        { id: 'a1', type: 'conv2d', params: { filters: 4, kernelSize: 3, padding: 'same' } },
        { id: 'a2', type: 'conv2d', params: { filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' } },
        { id: 'b1', type: 'conv2d', params: { filters: 6, kernelSize: 3, padding: 'same' } },
        { id: 'b2', type: 'conv2d', params: { filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' } },
      ],
      ['a1', 'a2', 'b1', 'b2'],
    );
    const a = analyzeGraph(withInstance);
    const ref = analyzeGraph(flat);
    expect(ref.ok).toBe(true);
    expect(a.ok).toBe(true);
    expect(a.totals).toEqual(ref.totals);
    expect(nodeInfo(a, 'mine')?.outputShape).toEqual(ref.nodes.get('b2')!.outputShape);
    expect(expandBlocks(withInstance).nodes).toHaveLength(flat.nodes.length);
  });

  it('reuses a block the graph already has and renames one whose id is taken by a different block', () => {
    const storage = new MemoryStorage();
    saveToLibrary(storage, graph([], [], [convBlock('convs', 8)]), 'convs');
    const entry = readLibrary(storage)[0]!;

    const same = graph([], [], [convBlock('convs', 8)]);
    const reused = importEntry(same, entry);
    expect(reused.blockId).toBe('convs');
    expect(reused.doc.blocks).toHaveLength(1);

    const clash = graph([], [], [convBlock('convs', 32)]);
    const renamed = importEntry(clash, entry);
    expect(renamed.blockId).toBe('convs_2');
    expect(renamed.doc.blocks!.map((b) => [b.id, b.params?.filters])).toEqual([
      ['convs', 32],
      ['convs_2', 8],
    ]);
  });

  it('a nested block whose inner block clashes is copied whole, its instances pointing at the renamed copy', () => {
    const storage = new MemoryStorage();
    saveToLibrary(storage, graph([], [], [convBlock(), twiceBlock]), 'twice');
    const entry = readLibrary(storage)[0]!;
    // The graph has the same "twice" but a different "convs": reusing its "twice" would change what the entry means.
    const target = graph([], [], [convBlock('convs', 99), twiceBlock]);
    const { doc, blockId } = importEntry(target, entry);
    expect(blockId).toBe('twice_2');
    const copy = doc.blocks!.find((b) => b.id === 'twice_2')!;
    expect(copy.nodes.map((n) => n.params.block)).toEqual(['convs_2', 'convs_2']);
    expect(doc.blocks!.find((b) => b.id === 'convs_2')!.params).toEqual({ filters: 8 });
  });

  it('saving a block of the same name replaces the entry; removing drops it', () => {
    const storage = new MemoryStorage();
    saveToLibrary(storage, graph([], [], [convBlock('convs', 8)]), 'convs', 1);
    saveToLibrary(storage, graph([], [], [convBlock('other', 16)]), 'other', 2);
    expect(readLibrary(storage)).toHaveLength(1);
    expect(readLibrary(storage)[0]!.blocks[0]!.params).toEqual({ filters: 16 });
    removeFromLibrary(storage, 'Two convs');
    expect(readLibrary(storage)).toEqual([]);
  });

  it('damaged or hostile stored data is left out, never thrown or used', () => {
    const storage = new MemoryStorage();
    for (const raw of ['not json', '{"a":1}', 'null', '[1, "x", null]']) {
      storage.map.set(LIBRARY_KEY, raw);
      expect(readLibrary(storage)).toEqual([]);
    }
    const good = { name: 'Two convs', savedAt: 1, blocks: [convBlock()] };
    const bad = [
      { name: 'Bad id', savedAt: 2, blocks: [{ ...convBlock(), id: '<script>', name: 'Bad id' }] },
      { name: 'No nodes', savedAt: 3, blocks: [{ ...convBlock(), nodes: [], name: 'No nodes' }] },
      { name: 'Extra key', savedAt: 4, blocks: [{ ...convBlock(), name: 'Extra key', onload: 'alert(1)' }] },
      { name: 'Name differs', savedAt: 5, blocks: [convBlock()] },
    ];
    storage.map.set(LIBRARY_KEY, JSON.stringify([...bad, good]));
    expect(readLibrary(storage).map((e) => e.name)).toEqual(['Two convs']);
  });

  it('a storage that refuses writes gives a message', () => {
    const r = saveToLibrary(new MemoryStorage(true), graph([], [], [convBlock()]), 'convs');
    expect('error' in r && r.error).toMatch(/could not be saved/);
    expect('error' in saveToLibrary(new MemoryStorage(), graph([], [], [convBlock()]), 'nope')).toBe(true);
  });
});
