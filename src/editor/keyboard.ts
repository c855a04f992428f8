/**
 * The editor from the keyboard alone: nodes on the canvas are Tab stops (Enter/Space selects,
 * arrow keys move, Delete deletes), and an input can be wired from the inspector ("Input from…"
 * lists the outputs that fit, Connect draws the wire). Everything goes through the same graph
 * edits and store as the mouse does, one undo step each.
 */
import type { KeyboardEvent } from 'react';
import { formatShape } from '../../nodes/shape';
import { analyzeGraph, nodeInfo } from '../graph/analyze';
import { connect, removeEdge } from '../graph/edit';
import type { GraphDoc } from '../graph/types';
import { deleteNodesAction, disconnectAction, moveNodesAction, refusedByLock } from './actions';
import { useEditor } from './store';

/** How far an arrow key moves a node (graph units); with Shift, `NUDGE_FAR`. */
export const NUDGE = 10;
export const NUDGE_FAR = 50;

const ARROWS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/** Moves these nodes by (dx, dy) as one undo step. */
export function nudgeNodes(ids: string[], dx: number, dy: number) {
  const { doc } = useEditor.getState();
  const positions = new Map<string, [number, number]>();
  for (const n of doc.nodes) if (ids.includes(n.id)) positions.set(n.id, [(n.position?.[0] ?? 0) + dx, (n.position?.[1] ?? 0) + dy]);
  if (positions.size) moveNodesAction(positions);
}

/** The nodes a key on node `id` acts on: the selection if `id` is part of it, else `id` alone. */
function targets(id: string): string[] {
  const sel = useEditor.getState().selection;
  return sel.includes(id) ? sel : [id];
}

/**
 * Keys on a focused canvas node (the node itself, not a control inside it): Enter/Space select
 * it, arrows move it (and the rest of the selection with it), Delete/Backspace delete it.
 * Returns true when the key was handled.
 */
export function handleNodeKey(id: string, e: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target' | 'currentTarget'>): boolean {
  if (e.target !== e.currentTarget || e.altKey) return false;
  const { setSelection } = useEditor.getState();
  if (e.key === 'Enter' || e.key === ' ') {
    const sel = useEditor.getState().selection;
    if (e.ctrlKey || e.metaKey) setSelection(sel.includes(id) ? sel.filter((s) => s !== id) : [...sel, id]);
    else setSelection([id]);
    return true;
  }
  const arrow = ARROWS[e.key];
  if (arrow && !e.ctrlKey && !e.metaKey) {
    const step = e.shiftKey ? NUDGE_FAR : NUDGE;
    nudgeNodes(targets(id), arrow[0] * step, arrow[1] * step);
    return true;
  }
  if ((e.key === 'Delete' || e.key === 'Backspace') && !e.ctrlKey && !e.metaKey) {
    deleteNodesAction(targets(id));
    return true;
  }
  return false;
}

/**
 * Moves the keyboard focus to node `id` on the canvas once the view shows it, and keeps it there
 * while the view settles (a new node is placed, then re-placed and brought to the front, which
 * re-inserts its element and drops the focus) — unless the user has moved the focus elsewhere.
 */
export function focusNode(id: string, timeoutMs = 3000) {
  const until = performance.now() + timeoutMs;
  let steady = 0;
  const attempt = () => {
    const el = document.querySelector<HTMLElement>(`[data-testid="node"][data-node-id="${CSS.escape(id)}"]`);
    const active = document.activeElement;
    if (el && active === el) steady++;
    else if (el && (!active || active === document.body || active.matches('[data-testid="palette-search"], .ll-palette-item'))) {
      el.focus({ preventScroll: true });
      steady = 0;
    } else if (el) return; // the focus went somewhere else on purpose
    if (steady < 20 && performance.now() < until) requestAnimationFrame(attempt);
  };
  attempt();
}

/**
 * Calls `add` (which may add a node now or a moment later) and moves the focus to the node it
 * adds, once the store has it.
 */
export function addAndFocus(add: () => void, timeoutMs = 3000) {
  const had = new Set(useEditor.getState().doc.nodes.map((n) => n.id));
  const added = () => {
    const { doc, selection } = useEditor.getState();
    return selection.length === 1 && !had.has(selection[0]!) && doc.nodes.some((n) => n.id === selection[0]) ? selection[0]! : undefined;
  };
  let done = false;
  const finish = (id: string | undefined) => {
    if (done) return;
    done = true;
    unsubscribe();
    clearTimeout(timer);
    if (id) focusNode(id);
  };
  const unsubscribe = useEditor.subscribe(() => {
    const id = added();
    if (id) finish(id);
  });
  const timer = setTimeout(() => finish(undefined), timeoutMs);
  add();
  const now = added();
  if (now) finish(now);
}

export interface InputSource {
  id: string;
  /** The node's output shape as text, e.g. "28×28×1" (or "?"). */
  shape: string;
}

/**
 * The nodes whose output may feed input `port` of node `toId` instead of what feeds it now:
 * every wire `connect` would accept there (no cycle, shapes that work), the current one included.
 */
export function inputSources(doc: GraphDoc, toId: string, port: string): InputSource[] {
  const current = doc.edges.find((e) => e.to[0] === toId && e.to[1] === port);
  const base = current ? removeEdge(doc, current) : doc;
  const before = analyzeGraph(base);
  const out: InputSource[] = [];
  for (const n of doc.nodes) {
    if (n.id === toId) continue;
    if (!connect(base, n.id, toId, port, before).ok) continue;
    out.push({ id: n.id, shape: formatShape(nodeInfo(before, n.id)?.outputShape) });
  }
  return out;
}

/**
 * Wires `fromId`'s output into `toId`'s input `port`, replacing the wire there, as one undo step;
 * `fromId` null removes the wire. A refused wire changes nothing and says why.
 */
export function connectInputAction(fromId: string | null, toId: string, port: string): boolean {
  const { doc, commit, notify } = useEditor.getState();
  const current = doc.edges.find((e) => e.to[0] === toId && e.to[1] === port);
  if (fromId === null) return current ? disconnectAction(current) : false;
  if (current?.from[0] === fromId) return true;
  if (refusedByLock({ kind: 'connect', toId, toPort: port })) return false;
  const base = current ? removeEdge(doc, current) : doc;
  const r = connect(base, fromId, toId, port);
  if (!r.ok) {
    notify('error', r.message);
    return false;
  }
  commit(`Connect ${fromId} → ${toId}`, r.doc);
  if (useEditor.getState().doc === doc) return false; // refused by the store (a lock)
  notify('info', `Connected ${fromId} → ${toId}${port === 'in' ? '' : ` (${port})`}`);
  return true;
}
