/**
 * What the user can do to the graph, as functions over the editor store. UI code (canvas,
 * palette, inspector, toolbar, keyboard) calls these; each is one undo step.
 */
import { getNodeDef } from '../../nodes/registry';
import { addNode, connect, extractFragment, moveNodes, pasteFragment, removeEdge, removeNodes, renameNode, setParam, type Fragment } from '../graph/edit';
import { findBlock } from '../graph/blocks';
import { parseGraphText, type ParseResult } from '../graph/parse';
import type { GraphDoc, GraphEdge } from '../graph/types';
import { useEditor, type Notice } from './store';
import { TRAINING_SCHEMA } from '../graph/training-settings';
import { hasLocks, lockProblem, setEdgeLocked, setNodeLocked, setParamHidden, setParamLocked, unlockedCopies, type LockChange } from '../graph/locks';

const state = () => useEditor.getState();

/**
 * In learner mode, does an instructor's lock refuse this edit? Then the reason is shown (at `at`,
 * e.g. the cursor) and the caller changes nothing. The store's commit checks every edit again
 * (locks.lockViolation), so an edit path that forgets to ask still cannot break a lock.
 */
export function refusedByLock(change: LockChange, at?: Notice['at']): boolean {
  const { doc, mode, notify } = state();
  if (mode !== 'learner') return false;
  const message = lockProblem(doc, change);
  if (message) notify('error', message, at);
  return !!message;
}

/** Commits and tells whether the document changed (the store refuses what breaks a lock). */
function commitChecked(label: string, next: GraphDoc, opts?: Parameters<ReturnType<typeof state>['commit']>[2]): boolean {
  const { doc, commit } = state();
  if (next === doc) return false;
  commit(label, next, opts);
  return state().doc !== doc;
}

export function setParamAction(id: string, key: string, value: unknown): boolean {
  const { doc } = state();
  const node = doc.nodes.find((n) => n.id === id);
  if (!node || node.params[key] === value) return false;
  if (refusedByLock({ kind: 'setParam', nodeId: id, param: key })) return false;
  return commitChecked(`Set ${id}.${key}`, setParam(doc, id, key, value));
}

export function addNodeAction(type: string, position: [number, number], opts: { connectFrom?: string; connectTo?: [string, string] } = {}): string | undefined {
  const { doc, commit, notify } = state();
  const r = addNode(doc, type, position);
  if ('error' in r) {
    notify('error', r.error);
    return undefined;
  }
  let next = r.doc;
  const def = getNodeDef(type)!;
  if (opts.connectFrom) {
    const port = def.role === 'merge' ? 'in0' : 'in';
    const c = connect(next, opts.connectFrom, r.id, port);
    if (c.ok) next = c.doc;
  }
  if (opts.connectTo) {
    const c = connect(next, r.id, opts.connectTo[0], opts.connectTo[1]);
    if (c.ok) next = c.doc;
  }
  commit(`Add ${def.title}`, next, { select: [r.id] });
  return r.id;
}

/**
 * Moves a node that the last step added, as part of that step (no undo step of its own): a new
 * node is placed with an estimate of its size and, once it is on screen with its real size,
 * re-centred on the point it was asked for. Does nothing if anything else happened since.
 */
export function settleNewNodeAction(id: string, position: [number, number]): boolean {
  const { doc, past, future, scope, amend } = state();
  const before = past[past.length - 1];
  // History holds whole documents: inside a block, "new" means not in the block's definition before.
  const beforeNodes = before && (scope ? findBlock(before.doc, scope.blockId)?.nodes : before.doc.nodes);
  if (!beforeNodes || future.length || beforeNodes.some((n) => n.id === id) || !doc.nodes.some((n) => n.id === id)) return false;
  const next = moveNodes(doc, new Map([[id, position]]));
  if (next === doc) return false;
  return amend(next);
}

/** Tries a wire the user drew; a refusal is shown at `at` (the cursor) and nothing changes. */
export function connectAction(fromId: string, toId: string, toPort: string, at?: Notice['at']): boolean {
  const { doc, analysis, commit, notify } = state();
  const r = connect(doc, fromId, toId, toPort, analysis);
  if (!r.ok) {
    notify('error', r.message, at);
    return false;
  }
  commit(`Connect ${fromId} → ${toId}`, r.doc);
  return true;
}

export function disconnectAction(edge: GraphEdge, at?: Notice['at']): boolean {
  if (refusedByLock({ kind: 'removeEdge', edge }, at)) return false;
  return commitChecked(`Disconnect ${edge.from[0]} → ${edge.to[0]}`, removeEdge(state().doc, edge));
}

export function deleteNodesAction(ids: string[]): boolean {
  if (!ids.length) return false;
  if (refusedByLock({ kind: 'removeNodes', ids })) return false;
  return commitChecked(ids.length === 1 ? `Delete ${ids[0]}` : `Delete ${ids.length} nodes`, removeNodes(state().doc, ids), { select: [] });
}

export function moveNodesAction(positions: Map<string, [number, number]>, label = 'Move') {
  const { doc, commit } = state();
  const next = moveNodes(doc, positions);
  if (next !== doc) commit(positions.size === 1 ? `${label} ${[...positions.keys()][0]}` : `${label} ${positions.size} nodes`, next);
}

export function renameAction(id: string, newId: string): boolean {
  const { doc, notify, selection } = state();
  if (newId === id) return true;
  if (refusedByLock({ kind: 'renameNode', nodeId: id })) return false;
  const r = renameNode(doc, id, newId);
  if (!r.ok) {
    notify('error', r.message);
    return false;
  }
  return commitChecked(`Rename ${id} to ${newId}`, r.doc, { select: selection.map((s) => (s === id ? newId : s)) });
}

let clipboard: Fragment | null = null;

/** What a learner pastes is theirs: copies of locked nodes come without their locks (pasted wires never carry one). */
const learnerCopy = (f: Fragment): Fragment => (state().mode === 'learner' ? { ...f, nodes: unlockedCopies(f.nodes) } : f);
let pasteCount = 0;

export function copyAction(ids: string[]): boolean {
  if (!ids.length) return false;
  clipboard = extractFragment(state().doc, ids);
  pasteCount = 0;
  return true;
}

export function pasteAction(): string[] {
  if (!clipboard?.nodes.length) return [];
  const { doc, commit } = state();
  pasteCount++;
  const { doc: next, ids } = pasteFragment(doc, learnerCopy(clipboard), [40 * pasteCount, 40 * pasteCount]);
  commit(`Paste ${ids.length} node${ids.length === 1 ? '' : 's'}`, next, { select: ids });
  return ids;
}

export function duplicateAction(ids: string[]): string[] {
  if (!ids.length) return [];
  const { doc, commit } = state();
  const { doc: next, ids: fresh } = pasteFragment(doc, learnerCopy(extractFragment(doc, ids)), [40, 40]);
  commit(`Duplicate ${ids.length} node${ids.length === 1 ? '' : 's'}`, next, { select: fresh });
  return fresh;
}

/**
 * Changes training settings. A value the file format would refuse is refused here too (with the
 * parser's message), so no control can put a document in the store that would not read back.
 */
export function setTrainingAction(patch: Partial<NonNullable<GraphDoc['training']>>): boolean {
  const { doc, commit, notify } = state();
  const training = { ...doc.training, ...patch };
  const checked = TRAINING_SCHEMA.safeParse(training);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    notify('error', `Training setting ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is not allowed'}.`);
    return false;
  }
  commit('Change training settings', { ...doc, training });
  return true;
}

export function setGraphInfoAction(patch: { name?: string; description?: string }) {
  const { doc, commit } = state();
  if ((patch.name === undefined || patch.name === doc.name) && (patch.description === undefined || patch.description === doc.description)) return;
  commit('Rename graph', { ...doc, ...patch });
}

/**
 * Replaces the graph with a loaded one (file, link, preset) as one undoable step. A result that
 * failed to parse changes nothing and is reported; the current graph stays as it was.
 */
export function loadAction(result: ParseResult, source: string): boolean {
  const { commit, setLoadError } = state();
  if (!result.ok) {
    setLoadError(`${source}: ${result.message}`);
    return false;
  }
  setLoadError(null);
  commit(`Open ${source}`, result.doc, { select: [], source });
  // A graph that locks or hides anything is a handout: it opens as the learner sees it.
  if (hasLocks(result.doc)) state().setMode('learner');
  return true;
}

// --- locks (instructor mode; graph/locks.ts) ---------------------------------------------

function lockEdit(label: string, next: (doc: GraphDoc) => GraphDoc): boolean {
  if (refusedByLock({ kind: 'lockEdit' })) return false;
  return commitChecked(label, next(state().doc));
}

export const setNodeLockAction = (id: string, locked: boolean) => lockEdit(`${locked ? 'Lock' : 'Unlock'} ${id}`, (d) => setNodeLocked(d, id, locked));
export const setParamLockAction = (id: string, key: string, locked: boolean) => lockEdit(`${locked ? 'Lock' : 'Unlock'} ${id}.${key}`, (d) => setParamLocked(d, id, key, locked));
export const setParamHiddenAction = (id: string, key: string, hidden: boolean) => lockEdit(`${hidden ? 'Hide' : 'Show'} ${id}.${key}`, (d) => setParamHidden(d, id, key, hidden));
export const setEdgeLockAction = (edge: GraphEdge, locked: boolean) =>
  lockEdit(`${locked ? 'Lock' : 'Unlock'} wire ${edge.from[0]} → ${edge.to[0]}`, (d) => setEdgeLocked(d, edge, locked));

export function loadTextAction(text: string, source: string): boolean {
  return loadAction(parseGraphText(text), source);
}
