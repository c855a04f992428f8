/**
 * Locked and hidden parts (a teaching aid, not security: anyone can switch to instructor mode or
 * edit the file). An instructor locks a node (it cannot be deleted, renamed or have its params
 * changed), single params, or wires (they cannot be removed), and hides params from learners.
 * A wire between two locked nodes is locked too. In learner mode the editor asks `lockProblem`
 * before each edit (for a precise message) and `lockViolation` on every commit (the one place
 * every edit passes through), so no edit path can get round a lock. Pure: no DOM, no tfjs.
 */
import { getNodeDef } from '../../nodes/registry';
import type { GraphDoc, GraphEdge, GraphNode } from './types';

export type EditorMode = 'author' | 'learner';

/** The most names in one node's lockedParams or hiddenParams (a node type has far fewer params). */
export const MAX_LOCK_LIST = 64;

export const ONLY_INSTRUCTOR = 'Only the instructor can change locks and hidden parameters: switch to instructor mode first (toolbar).';

const key = (e: GraphEdge) => `${e.from[0]}.${e.from[1]}->${e.to[0]}.${e.to[1]}`;
const wireText = (e: GraphEdge) => `${e.from[0]} → ${e.to[0]}${e.to[1] === 'in' ? '' : ` (${e.to[1]})`}`;

/** Does the document lock or hide anything (top-level nodes and wires, and inside blocks)? */
export function hasLocks(doc: Pick<GraphDoc, 'nodes' | 'edges'> & { blocks?: { nodes: GraphNode[]; edges: GraphEdge[] }[] }): boolean {
  const node = (n: GraphNode) => !!(n.locked || n.lockedParams?.length || n.hiddenParams?.length);
  return doc.nodes.some(node) || doc.edges.some((e) => e.locked) || (doc.blocks ?? []).some((b) => b.nodes.some(node) || b.edges.some((e) => e.locked));
}

export function isParamLocked(node: GraphNode | undefined, param: string): boolean {
  return !!node && (!!node.locked || !!node.lockedParams?.includes(param));
}

export function isParamHidden(node: GraphNode | undefined, param: string): boolean {
  return !!node?.hiddenParams?.includes(param);
}

/** A wire is locked when it is marked so, or when both its ends are locked nodes. */
export function isEdgeLocked(doc: Pick<GraphDoc, 'nodes'>, edge: GraphEdge): boolean {
  if (edge.locked) return true;
  let ends = 0;
  for (const n of doc.nodes) if ((n.id === edge.from[0] || n.id === edge.to[0]) && n.locked) ends++;
  return ends === 2;
}

/** Why a param is locked, for a control's title and the refusal (undefined: it is not). */
export function paramLockMessage(node: GraphNode | undefined, param: string): string | undefined {
  return isParamLocked(node, param) ? `The instructor locked “${param}” of ${node!.id}.` : undefined;
}

export const nodeLockMessage = (id: string, what: 'deleted' | 'renamed' | 'put into a block' | 'detached') => `The instructor locked ${id}: it cannot be ${what}.`;
export const blockLockMessage = (name: string, what: 'detached' | 'removed') =>
  what === 'detached' ? `The instructor locked parts of block “${name}”, so its uses cannot be detached.` : `The instructor locked parts of block “${name}”: it cannot be removed.`;
export const wireLockMessage = (e: GraphEdge) => `The instructor locked the wire ${wireText(e)}: it cannot be removed.`;

/**
 * The lock fields of a node as read from a file: every name must be a param of the node's type
 * (unknown node types are left to the analysis, which reports them).
 */
export function lockFieldsProblem(node: Pick<GraphNode, 'id' | 'type' | 'lockedParams' | 'hiddenParams'>): string | undefined {
  const def = getNodeDef(node.type);
  if (!def) return undefined;
  for (const field of ['lockedParams', 'hiddenParams'] as const) {
    for (const p of node[field] ?? []) {
      if (!Object.prototype.hasOwnProperty.call(def.params, p)) {
        const known = Object.keys(def.params);
        return `node ${node.id}: "${field}" names "${p}", which is not a parameter of ${def.title} (${known.length ? known.join(', ') : 'it has none'}).`;
      }
    }
  }
  return undefined;
}

/** An edit the learner asks for, as the editor actions describe it. */
export type LockChange =
  | { kind: 'setParam'; nodeId: string; param: string }
  | { kind: 'removeNodes'; ids: readonly string[] }
  | { kind: 'removeEdge'; edge: GraphEdge }
  | { kind: 'renameNode'; nodeId: string }
  /** A wire into `toId`'s input `toPort`, replacing the one there (if any). */
  | { kind: 'connect'; toId: string; toPort: string }
  /** Changing a lock or a hidden param (instructor mode only). */
  | { kind: 'lockEdit' }
  /** Putting nodes into a new block (they leave the graph's top level, their wires are rewired). */
  | { kind: 'makeBlock'; ids: readonly string[] }
  /** Replacing a block instance by copies of its inner nodes. */
  | { kind: 'detach'; instanceId: string };

/** Why learner mode refuses this edit, or undefined when it is allowed. */
export function lockProblem(doc: GraphDoc, change: LockChange): string | undefined {
  const node = (id: string) => doc.nodes.find((n) => n.id === id);
  switch (change.kind) {
    case 'setParam':
      return paramLockMessage(node(change.nodeId), change.param);
    case 'removeNodes': {
      const gone = new Set(change.ids);
      for (const id of change.ids) if (node(id)?.locked) return nodeLockMessage(id, 'deleted');
      const wire = doc.edges.find((e) => (gone.has(e.from[0]) || gone.has(e.to[0])) && isEdgeLocked(doc, e));
      return wire ? wireLockMessage(wire) : undefined;
    }
    case 'removeEdge': {
      const e = doc.edges.find((x) => key(x) === key(change.edge));
      return e && isEdgeLocked(doc, e) ? wireLockMessage(e) : undefined;
    }
    case 'renameNode': {
      const n = node(change.nodeId);
      if (!n) return undefined;
      if (n.locked) return nodeLockMessage(n.id, 'renamed');
      if (n.lockedParams?.length) return `The instructor locked parameters of ${n.id}, so it keeps its name.`;
      const wire = doc.edges.find((e) => (e.from[0] === n.id || e.to[0] === n.id) && isEdgeLocked(doc, e));
      return wire ? `The instructor locked the wire ${wireText(wire)}, so ${n.id} keeps its name.` : undefined;
    }
    case 'connect': {
      const there = doc.edges.find((e) => e.to[0] === change.toId && e.to[1] === change.toPort);
      return there && isEdgeLocked(doc, there) ? `The instructor locked the wire ${wireText(there)}: it cannot be replaced.` : undefined;
    }
    case 'lockEdit':
      return ONLY_INSTRUCTOR;
    case 'makeBlock': {
      const chosen = new Set(change.ids);
      for (const id of change.ids) {
        const n = node(id);
        if (n?.locked) return nodeLockMessage(id, 'put into a block');
        if (n?.lockedParams?.length) return `The instructor locked parameters of ${id}, so it stays out of blocks.`;
      }
      const wire = doc.edges.find((e) => (chosen.has(e.from[0]) || chosen.has(e.to[0])) && isEdgeLocked(doc, e));
      return wire ? `The instructor locked the wire ${wireText(wire)}, so its nodes stay out of blocks.` : undefined;
    }
    case 'detach': {
      const n = node(change.instanceId);
      if (!n) return undefined;
      if (n.locked) return nodeLockMessage(n.id, 'detached');
      const def = (doc.blocks ?? []).find((b) => b.id === n.params.block);
      if (def && lockedInside(def)) return blockLockMessage(def.name, 'detached');
      const wire = doc.edges.find((e) => (e.from[0] === n.id || e.to[0] === n.id) && isEdgeLocked(doc, e));
      return wire ? `The instructor locked the wire ${wireText(wire)}, so ${n.id} cannot be detached.` : undefined;
    }
  }
}

/** Does a block's inside lock a node, a param or a wire (hidden params alone do not count)? */
function lockedInside(def: Pick<GraphDoc, 'nodes' | 'edges'>): boolean {
  return def.nodes.some((n) => n.locked || n.lockedParams?.length) || def.edges.some((e) => isEdgeLocked(def, e));
}

type LockDoc = Pick<GraphDoc, 'nodes' | 'edges' | 'blocks'>;

/**
 * Locks inside block definitions hold as on the top level: a definition with locks cannot be
 * removed, and its inside is checked like a graph. (A locked inner param that refers to a block
 * parameter, "$filters", keeps that reference; each use's value is the use's own param.)
 */
function blocksViolation(before: LockDoc, after: LockDoc): string | undefined {
  if (before.blocks === after.blocks) return undefined;
  const afterBlocks = new Map((after.blocks ?? []).map((b) => [b.id, b]));
  for (const b of before.blocks ?? []) {
    const a = afterBlocks.get(b.id);
    if (!hasLocks({ nodes: b.nodes, edges: b.edges })) continue;
    if (!a) {
      if (lockedInside(b)) return blockLockMessage(b.name, 'removed');
      continue;
    }
    const inner = lockViolation({ nodes: b.nodes, edges: b.edges }, { nodes: a.nodes, edges: a.edges });
    if (inner) return `Block “${b.name}”: ${inner}`;
  }
  const beforeIds = new Set((before.blocks ?? []).map((b) => b.id));
  for (const a of after.blocks ?? []) if (!beforeIds.has(a.id) && lockedInside(a)) return ONLY_INSTRUCTOR;
  return undefined;
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) => (a ?? []).join('\u0000') === (b ?? []).join('\u0000');
const sameValue = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * Does `after` break a lock of `before`? The check behind every commit in learner mode, whatever
 * the edit: a locked node gone, renamed or with a changed param; a locked param changed; a locked
 * wire gone; a lock or hidden param added, changed or removed; the same inside block definitions.
 * Returns the message, or undefined.
 */
export function lockViolation(before: LockDoc, after: LockDoc): string | undefined {
  if (before === after) return undefined;
  const afterNodes = new Map(after.nodes.map((n) => [n.id, n]));
  const beforeIds = new Set(before.nodes.map((n) => n.id));
  for (const b of before.nodes) {
    const a = afterNodes.get(b.id);
    if (!a) {
      if (b.locked) {
        const renamed = after.nodes.some((n) => !beforeIds.has(n.id) && n.type === b.type && sameValue(n.params, b.params));
        return nodeLockMessage(b.id, renamed ? 'renamed' : 'deleted');
      }
      continue;
    }
    if (b.locked && a.type !== b.type) return nodeLockMessage(b.id, 'deleted');
    if (b.locked || b.lockedParams?.length) {
      for (const p of new Set([...Object.keys(b.params), ...Object.keys(a.params)])) {
        if (isParamLocked(b, p) && !sameValue(a.params[p], b.params[p])) return paramLockMessage(b, p);
      }
    }
    if (!!a.locked !== !!b.locked || !sameList(a.lockedParams, b.lockedParams) || !sameList(a.hiddenParams, b.hiddenParams)) return ONLY_INSTRUCTOR;
  }
  // New nodes (added, pasted, renamed) carry no locks: the learner's own nodes are not locked.
  for (const a of after.nodes) {
    if (!beforeIds.has(a.id) && (a.locked || a.lockedParams?.length)) return ONLY_INSTRUCTOR;
  }
  const afterEdges = new Map(after.edges.map((e) => [key(e), e]));
  for (const e of before.edges) {
    const a = afterEdges.get(key(e));
    if (!a) {
      if (isEdgeLocked(before, e)) return wireLockMessage(e);
    } else if (!!a.locked !== !!e.locked) return ONLY_INSTRUCTOR;
  }
  const beforeEdges = new Set(before.edges.map(key));
  for (const a of after.edges) if (a.locked && !beforeEdges.has(key(a))) return ONLY_INSTRUCTOR;
  return blocksViolation(before, after);
}

/** Nodes pasted by a learner become the learner's: without node and param locks (hidden params stay hidden). */
export function unlockedCopies(nodes: readonly GraphNode[]): GraphNode[] {
  return nodes.map((n) => {
    if (!n.locked && !n.lockedParams) return n;
    const { locked: _locked, lockedParams: _lockedParams, ...rest } = n;
    return rest;
  });
}

// --- instructor edits (each returns a new document; nothing when the node or wire is missing) ---

function withNode(doc: GraphDoc, id: string, change: (n: GraphNode) => GraphNode): GraphDoc {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    if (n.id !== id) return n;
    const next = change(n);
    if (next !== n) changed = true;
    return next;
  });
  return changed ? { ...doc, nodes } : doc;
}

/** Sets or clears a flag field; an empty list or false is left out of the node (files write only what is set). */
function setField<K extends 'locked' | 'lockedParams' | 'hiddenParams'>(n: GraphNode, field: K, value: GraphNode[K] | undefined): GraphNode {
  const empty = value === undefined || value === false || (Array.isArray(value) && value.length === 0);
  if (empty) {
    if (!(field in n)) return n;
    const next = { ...n };
    delete next[field];
    return next;
  }
  return { ...n, [field]: value };
}

/** Keeps a param list in the order of the node type's params (stable files), names not known at the end. */
function ordered(type: string, names: Iterable<string>): string[] {
  const set = new Set(names);
  const def = getNodeDef(type);
  const known = def ? Object.keys(def.params).filter((p) => set.has(p)) : [];
  return [...known, ...[...set].filter((p) => !known.includes(p)).sort()].slice(0, MAX_LOCK_LIST);
}

export function setNodeLocked(doc: GraphDoc, id: string, locked: boolean): GraphDoc {
  return withNode(doc, id, (n) => (!!n.locked === locked ? n : setField(n, 'locked', locked || undefined)));
}

function toggleIn(doc: GraphDoc, id: string, field: 'lockedParams' | 'hiddenParams', param: string, on: boolean): GraphDoc {
  return withNode(doc, id, (n) => {
    const list = n[field] ?? [];
    if (list.includes(param) === on) return n;
    return setField(n, field, ordered(n.type, on ? [...list, param] : list.filter((p) => p !== param)));
  });
}

export const setParamLocked = (doc: GraphDoc, id: string, param: string, locked: boolean) => toggleIn(doc, id, 'lockedParams', param, locked);
export const setParamHidden = (doc: GraphDoc, id: string, param: string, hidden: boolean) => toggleIn(doc, id, 'hiddenParams', param, hidden);

export function setEdgeLocked(doc: GraphDoc, edge: GraphEdge, locked: boolean): GraphDoc {
  let changed = false;
  const edges = doc.edges.map((e) => {
    if (key(e) !== key(edge) || !!e.locked === locked) return e;
    changed = true;
    if (locked) return { ...e, locked: true };
    const { locked: _locked, ...rest } = e;
    return rest;
  });
  return changed ? { ...doc, edges } : doc;
}
