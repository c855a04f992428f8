/**
 * Editing operations on graph documents. Each takes a document and returns a new one (the old
 * one is never mutated), so the editor can keep past documents for undo/redo and the Rete view
 * is only ever a projection of the current document.
 */
import { initialParams, resolveParams } from '../../nodes/params';
import { getNodeDef, NODE_DEFS } from '../../nodes/registry';
import { inputPorts, OUTPUT_PORT } from '../../nodes/types';
import { analyzeGraph, nodeInfo, type Analysis } from './analyze';
import { blockInputPorts, instanceBlock, isInstance } from './blocks';
import { MESSAGES } from './diagnostics';
import { ID_PATTERN } from './parse';
import { LIMITS } from './limits';
import { uniqueId } from './ids';
import { CURRENT_VERSION, TRAINING_DEFAULTS, type GraphDoc, type GraphEdge, type GraphNode } from './types';

export type EditResult = { ok: true; doc: GraphDoc } | { ok: false; message: string };

/** A fresh id for a node of this type: conv2d_1, conv2d_2, … (skipping ids in use). */
export function freshId(doc: GraphDoc, type: string, taken: Set<string> = new Set(doc.nodes.map((n) => n.id))): string {
  return uniqueId(type.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40) || 'node', taken);
}

export function emptyGraph(name = 'Untitled'): GraphDoc {
  return {
    format: 'layerlab-graph',
    version: CURRENT_VERSION,
    name,
    description: '',
    nodes: [{ id: 'image', type: 'input', params: { shape: [28, 28, 1] }, position: [0, 0] }],
    edges: [],
    training: { dataset: 'mnist', ...TRAINING_DEFAULTS },
  };
}

/**
 * A node position as files store it: whole pixels (no -0: a file cannot tell it from 0), within the
 * parser's bounds, so no edit can make a document that would not read back.
 */
export function canvasPoint(p: readonly [number, number]): [number, number] {
  const clamp = (v: number) => {
    const r = Number.isNaN(v) ? 0 : Math.round(v);
    return Math.max(-LIMITS.maxCoordinate, Math.min(LIMITS.maxCoordinate, r)) || 0;
  };
  return [clamp(p[0]), clamp(p[1])];
}

export function addNode(doc: GraphDoc, type: string, position: [number, number], params?: Record<string, unknown>): { doc: GraphDoc; id: string } | { error: string } {
  const def = getNodeDef(type);
  if (!def) return { error: MESSAGES['unknown-type']('new node', type) };
  if (doc.nodes.length >= LIMITS.maxNodes) return { error: `A graph can have at most ${LIMITS.maxNodes} nodes.` };
  const id = freshId(doc, type);
  const node: GraphNode = { id, type, params: params ?? initialParams(def), position: canvasPoint(position) };
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id };
}

export function removeNodes(doc: GraphDoc, ids: Iterable<string>): GraphDoc {
  const gone = new Set(ids);
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !gone.has(n.id)),
    edges: doc.edges.filter((e) => !gone.has(e.from[0]) && !gone.has(e.to[0])),
  };
}

export function removeEdge(doc: GraphDoc, edge: GraphEdge): GraphDoc {
  return { ...doc, edges: doc.edges.filter((e) => !sameEdge(e, edge)) };
}

export const sameEdge = (a: GraphEdge, b: GraphEdge) => a.from[0] === b.from[0] && a.from[1] === b.from[1] && a.to[0] === b.to[0] && a.to[1] === b.to[1];

export const edgeKey = (e: GraphEdge) => `${e.from[0]}.${e.from[1]}->${e.to[0]}.${e.to[1]}`;

/** Would `to` be reachable from `from`'s descendants, i.e. would the wire from -> to close a cycle? */
function reaches(doc: GraphDoc, start: string, goal: string): boolean {
  const next = new Map<string, string[]>();
  for (const e of doc.edges) next.set(e.from[0], [...(next.get(e.from[0]) ?? []), e.to[0]]);
  const stack = [start];
  const seen = new Set<string>();
  while (stack.length) {
    const id = stack.pop()!;
    if (id === goal) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return false;
}

/**
 * Checks a wire before it is drawn and returns the document with it, or why it is refused:
 * a cycle, a port that already has a wire, or shapes that cannot work together.
 */
export function connect(doc: GraphDoc, fromId: string, toId: string, toPort: string, before: Analysis = analyzeGraph(doc)): EditResult {
  const from = doc.nodes.find((n) => n.id === fromId);
  const to = doc.nodes.find((n) => n.id === toId);
  if (!from || !to) return { ok: false, message: 'That node no longer exists.' };
  const toDef = getNodeDef(to.type);
  // A block instance has no NodeDef: its ports come from its block (in0 … one per block input).
  const block = !toDef && isInstance(to) ? instanceBlock(doc, to) : undefined;
  if (!toDef && !block) return { ok: false, message: MESSAGES['unknown-type'](toId, to.type) };
  if (fromId === toId) return { ok: false, message: `A node cannot feed itself: that would be a cycle.` };
  const ports = toDef ? inputPorts(toDef, to.params.inputs) : blockInputPorts(block!);
  if (!ports.includes(toPort)) return { ok: false, message: `${toDef ? toDef.title : `Block “${block!.name}”`} "${toId}" has no input ${toPort}.` };
  const taken = doc.edges.find((e) => e.to[0] === toId && e.to[1] === toPort);
  if (taken) {
    if (taken.from[0] === fromId) return { ok: false, message: 'These two nodes are already connected.' };
    return { ok: false, message: `${toId}'s input already comes from ${taken.from[0]}; an input takes one wire. Remove that wire first, or use Add/Concatenate.` };
  }
  if (reaches(doc, toId, fromId)) return { ok: false, message: `That would make a cycle: ${toId} already feeds ${fromId}. Data must flow one way.` };

  const next: GraphDoc = { ...doc, edges: [...doc.edges, { from: [fromId, OUTPUT_PORT], to: [toId, toPort] }] };
  // Refuse the wire if it creates a shape error at the target that was not there before.
  const after = analyzeGraph(next);
  const had = new Set(before.diagnostics.filter((d) => d.code === 'shape').map((d) => d.message));
  const fresh = after.diagnostics.find((d) => d.code === 'shape' && d.nodeId === toId && !had.has(d.message));
  if (fresh) return { ok: false, message: fresh.message.replace(new RegExp(`^${toId}: `), '') };
  return { ok: true, doc: next };
}

/** Sets one param (value in file form). Changing a merge node's `inputs` drops wires into removed ports. */
export function setParam(doc: GraphDoc, id: string, key: string, value: unknown): GraphDoc {
  const nodes = doc.nodes.map((n) => (n.id === id ? { ...n, params: { ...n.params, [key]: value } } : n));
  let edges = doc.edges;
  const node = nodes.find((n) => n.id === id);
  const def = node && getNodeDef(node.type);
  if (def && key === 'inputs') {
    const ports = new Set(inputPorts(def, value));
    edges = edges.filter((e) => e.to[0] !== id || ports.has(e.to[1]));
  }
  return { ...doc, nodes, edges };
}

/** Renames a node, keeping its wires. */
export function renameNode(doc: GraphDoc, id: string, newId: string): EditResult {
  if (newId === id) return { ok: true, doc };
  if (!ID_PATTERN.test(newId) || newId.length > LIMITS.maxIdLength) {
    return { ok: false, message: `An id may only contain letters, digits, _ and - (at most ${LIMITS.maxIdLength}).` };
  }
  if (doc.nodes.some((n) => n.id === newId)) return { ok: false, message: `There is already a node "${newId}".` };
  const swap = (x: string) => (x === id ? newId : x);
  return {
    ok: true,
    doc: {
      ...doc,
      nodes: doc.nodes.map((n) => (n.id === id ? { ...n, id: newId } : n)),
      edges: doc.edges.map((e) => ({ ...e, from: [swap(e.from[0]), e.from[1]], to: [swap(e.to[0]), e.to[1]] })),
    },
  };
}

export function moveNodes(doc: GraphDoc, positions: ReadonlyMap<string, [number, number]>): GraphDoc {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    const p = positions.get(n.id);
    if (!p) return n;
    const rounded = canvasPoint(p);
    if (n.position && n.position[0] === rounded[0] && n.position[1] === rounded[1]) return n;
    changed = true;
    return { ...n, position: rounded };
  });
  return changed ? { ...doc, nodes } : doc;
}

/** A piece of a graph on the clipboard: some nodes and the wires between them. */
export interface Fragment {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function extractFragment(doc: GraphDoc, ids: Iterable<string>): Fragment {
  const keep = new Set(ids);
  return {
    nodes: doc.nodes.filter((n) => keep.has(n.id)).map((n) => structuredClone(n)),
    edges: doc.edges.filter((e) => keep.has(e.from[0]) && keep.has(e.to[0])).map((e) => structuredClone(e)),
  };
}

/** Pastes a fragment with fresh ids, shifted by `offset`; returns the new ids. */
export function pasteFragment(doc: GraphDoc, fragment: Fragment, offset: [number, number]): { doc: GraphDoc; ids: string[] } {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  const nodes: GraphNode[] = [];
  for (const n of fragment.nodes) {
    if (doc.nodes.length + nodes.length >= LIMITS.maxNodes) break;
    const id = freshId(doc, n.type, taken);
    taken.add(id);
    rename.set(n.id, id);
    const [x, y] = n.position ?? [0, 0];
    nodes.push({ ...structuredClone(n), id, position: canvasPoint([x + offset[0], y + offset[1]]) });
  }
  const edges = fragment.edges
    .filter((e) => rename.has(e.from[0]) && rename.has(e.to[0]))
    .map((e) => ({ from: [rename.get(e.from[0])!, e.from[1]] as [string, string], to: [rename.get(e.to[0])!, e.to[1]] as [string, string] }));
  return { doc: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] }, ids: nodes.map((n) => n.id) };
}

/** Node types whose input accepts a tensor of this shape (for "drop a wire on empty space"). */
export function typesAccepting(doc: GraphDoc, fromId: string, analysis: Analysis = analyzeGraph(doc)): string[] {
  const shape = nodeInfo(analysis, fromId)?.outputShape; // a block instance too
  const out: string[] = [];
  for (const def of NODE_DEFS) {
    if (def.role === 'input') continue;
    if (!shape) {
      out.push(def.type);
      continue;
    }
    try {
      // With the params a new node starts with; merge nodes see the shape on every port.
      const { params } = resolveParams(def, initialParams(def));
      def.inferShape(def.role === 'merge' ? [shape, shape] : [shape], params as never);
      out.push(def.type);
    } catch {
      /* does not fit */
    }
  }
  return out;
}
