/**
 * What the user can do to the graph, as functions over the editor store. UI code (canvas,
 * palette, inspector, toolbar, keyboard) calls these; each is one undo step.
 */
import { getNodeDef } from '../../nodes/registry';
import { addNode, connect, extractFragment, moveNodes, pasteFragment, removeEdge, removeNodes, renameNode, setParam, type Fragment } from '../graph/edit';
import { analyzeGraph } from '../graph/analyze';
import { parseGraphText, type ParseResult } from '../graph/parse';
import type { GraphDoc, GraphEdge } from '../graph/types';
import { useEditor, type Notice } from './store';
import { TRAINING_SCHEMA } from '../graph/training-settings';

const state = () => useEditor.getState();

export function setParamAction(id: string, key: string, value: unknown) {
  const { doc, commit } = state();
  const node = doc.nodes.find((n) => n.id === id);
  if (!node || node.params[key] === value) return;
  commit(`Set ${id}.${key}`, setParam(doc, id, key, value));
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
  const { doc, past, future } = state();
  const before = past[past.length - 1];
  if (!before || future.length || before.doc.nodes.some((n) => n.id === id) || !doc.nodes.some((n) => n.id === id)) return false;
  const next = moveNodes(doc, new Map([[id, position]]));
  if (next === doc) return false;
  useEditor.setState({ doc: next, analysis: analyzeGraph(next) });
  return true;
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

export function disconnectAction(edge: GraphEdge) {
  const { doc, commit } = state();
  commit(`Disconnect ${edge.from[0]} → ${edge.to[0]}`, removeEdge(doc, edge));
}

export function deleteNodesAction(ids: string[]) {
  if (!ids.length) return;
  const { doc, commit } = state();
  commit(ids.length === 1 ? `Delete ${ids[0]}` : `Delete ${ids.length} nodes`, removeNodes(doc, ids), { select: [] });
}

export function moveNodesAction(positions: Map<string, [number, number]>, label = 'Move') {
  const { doc, commit } = state();
  const next = moveNodes(doc, positions);
  if (next !== doc) commit(positions.size === 1 ? `${label} ${[...positions.keys()][0]}` : `${label} ${positions.size} nodes`, next);
}

export function renameAction(id: string, newId: string): boolean {
  const { doc, commit, notify, selection } = state();
  const r = renameNode(doc, id, newId);
  if (!r.ok) {
    notify('error', r.message);
    return false;
  }
  commit(`Rename ${id} to ${newId}`, r.doc, { select: selection.map((s) => (s === id ? newId : s)) });
  return true;
}

let clipboard: Fragment | null = null;
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
  const { doc: next, ids } = pasteFragment(doc, clipboard, [40 * pasteCount, 40 * pasteCount]);
  commit(`Paste ${ids.length} node${ids.length === 1 ? '' : 's'}`, next, { select: ids });
  return ids;
}

export function duplicateAction(ids: string[]): string[] {
  if (!ids.length) return [];
  const { doc, commit } = state();
  const { doc: next, ids: fresh } = pasteFragment(doc, extractFragment(doc, ids), [40, 40]);
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
  return true;
}

export function loadTextAction(text: string, source: string): boolean {
  return loadAction(parseGraphText(text), source);
}
