/**
 * The editor's state: the graph document (the single source of truth), its analysis, the
 * undo/redo history, the selection and transient UI state. Every change to the document goes
 * through `commit`, which records the previous document for undo. Rete is a view of `doc`.
 */
import { create } from 'zustand';
import { analyzeGraph, type Analysis } from '../graph/analyze';
import type { GraphDoc } from '../graph/types';
import { emptyGraph } from '../graph/edit';
import { useTraining } from '../training/store';
import { hasLocks, lockViolation, type EditorMode } from '../graph/locks';
import { analyzeRoot, analyzeView, scopeView, writeScope, type BlockScope } from './blocks/scope';

export interface HistoryEntry {
  doc: GraphDoc;
  /** What the change did, e.g. "Add Conv 2D" (shown as "Undo Add Conv 2D"). */
  label: string;
}

export interface Notice {
  kind: 'error' | 'info';
  text: string;
  /** Client coordinates to show the message at (e.g. the cursor for a refused wire). */
  at?: { x: number; y: number };
  id: number;
}

export const HISTORY_LIMIT = 200;

export interface EditorState {
  doc: GraphDoc;
  analysis: Analysis;
  past: HistoryEntry[];
  future: HistoryEntry[];
  selection: string[];
  notice: Notice | null;
  /** A file, link or autosave that could not be loaded (the graph was left untouched). */
  loadError: string | null;
  /** Where the current graph came from (file name, preset, link). */
  source: string;
  /** Counts whole-graph loads (file, preset, link, new) so the view can zoom to fit each one. */
  loads: number;
  /**
   * 'learner': locks hold (graph/locks.ts) and hidden params are not shown; 'author' (instructor
   * mode): everything is editable, locks are set here. A teaching aid, not security.
   */
  mode: EditorMode;
  setMode(mode: EditorMode): void;
  /**
   * Set while a block is open (blocks/scope.ts): `doc` is then the block's inner graph, every
   * commit is written back into `scope.root`, and the history holds root documents.
   */
  scope: BlockScope | null;

  commit(label: string, next: GraphDoc, opts?: { select?: string[]; source?: string }): void;
  /**
   * Changes the document as part of the last undo step (no step of its own), e.g. re-centring the
   * node that step added; inside a block it is written back into the definition like a commit.
   */
  amend(next: GraphDoc): boolean;
  undo(): void;
  redo(): void;
  /** Replaces everything (used when restoring an autosave). */
  restore(doc: GraphDoc, past: HistoryEntry[], future: HistoryEntry[]): void;
  setSelection(ids: string[]): void;
  notify(kind: Notice['kind'], text: string, at?: Notice['at']): void;
  clearNotice(id?: number): void;
  setLoadError(message: string | null): void;
  /** Opens a block's inner graph on the canvas (from an instance: its shapes and feature maps). */
  enterBlock(blockId: string, instanceId?: string): boolean;
  /** Back to the whole graph. */
  leaveBlock(): void;
}

/** The real document: the whole graph, also while a block is open. Save, share, export, train and autosave use it. */
export const rootDoc = (s: Pick<EditorState, 'doc' | 'scope'> = useEditor.getState()): GraphDoc => s.scope?.root ?? s.doc;

/**
 * The whole graph's analysis (flat ids, as training keys maps and layers), also while a block is
 * open; memoised on the root document, so it is a stable selector for the labs.
 */
export function rootAnalysis(s: Pick<EditorState, 'analysis' | 'scope'> = useEditor.getState()): Analysis {
  return s.scope ? analyzeRoot(s.scope.root) : s.analysis;
}

/** An edit of the open block's view written into its definition: the state to set, or why not. */
function intoScope(scope: BlockScope, next: GraphDoc): Pick<EditorState, 'doc' | 'analysis' | 'scope'> | { error: string } {
  const written = writeScope(scope.root, scope, next);
  if ('error' in written) return written;
  return { doc: next, analysis: analyzeView(next, written.root, scope.instanceId), scope: { ...scope, root: written.root } };
}

/**
 * What the canvas shows for a root document after undo/redo: inside the open block when it still
 * exists, else the whole graph (and the view is fitted again).
 */
function showRoot(root: GraphDoc, scope: BlockScope | null, loads: number) {
  const inside = scope && scopeView(root, scope.blockId, scope.instanceId);
  if (inside) return { doc: inside.view, analysis: analyzeView(inside.view, root, inside.instanceId), scope: { ...scope, root, instanceId: inside.instanceId } };
  return { doc: root, analysis: analyzeGraph(root), scope: null, ...(scope ? { loads: loads + 1 } : {}) };
}

let noticeId = 0;

export const useEditor = create<EditorState>()((set, get) => ({
  doc: emptyGraph(),
  analysis: analyzeGraph(emptyGraph()),
  past: [],
  future: [],
  selection: [],
  notice: null,
  loadError: null,
  source: 'new graph',
  loads: 0,
  mode: 'author',
  setMode(mode) {
    if (get().mode !== mode) set({ mode });
  },
  scope: null,

  commit(label, next, opts) {
    const { doc, past, selection, scope } = get();
    if (next === doc) return;
    // Locks hold for every edit in learner mode (a whole graph loaded is not an edit).
    const refused = !opts?.source && get().mode === 'learner' ? lockViolation(doc, next) : undefined;
    if (refused) return get().notify('error', refused);
    const ids = new Set(next.nodes.map((n) => n.id));
    if (scope && !opts?.source) {
      // Inside a block: the edit goes into the definition; history keeps whole documents.
      const inside = intoScope(scope, next);
      if ('error' in inside) return get().notify('error', inside.error);
      set({
        ...inside,
        past: [...past, { doc: scope.root, label }].slice(-HISTORY_LIMIT),
        future: [],
        selection: opts?.select ?? selection.filter((id) => ids.has(id)),
      });
      return;
    }
    if (scope) {
      // A whole graph loaded (file, preset, link) while a block was open: back to the graph.
      set({ scope: null, doc: scope.root });
      return get().commit(label, next, opts);
    }
    set({
      doc: next,
      analysis: analyzeGraph(next),
      past: [...past, { doc, label }].slice(-HISTORY_LIMIT),
      future: [],
      selection: opts?.select ?? selection.filter((id) => ids.has(id)),
      ...(opts?.source ? { source: opts.source, loads: get().loads + 1 } : {}),
    });
  },

  amend(next) {
    const { doc, scope, mode } = get();
    if (next === doc || (mode === 'learner' && lockViolation(doc, next))) return false;
    if (!scope) {
      set({ doc: next, analysis: analyzeGraph(next) });
      return true;
    }
    const inside = intoScope(scope, next);
    if ('error' in inside) return false;
    set(inside);
    return true;
  },

  undo() {
    const { doc, past, future, selection, scope, loads } = get();
    const last = past[past.length - 1];
    if (!last) return;
    const shown = showRoot(last.doc, scope, loads);
    const ids = new Set(shown.doc.nodes.map((n) => n.id));
    set({
      ...shown,
      past: past.slice(0, -1),
      future: [{ doc: scope?.root ?? doc, label: last.label }, ...future].slice(0, HISTORY_LIMIT),
      selection: selection.filter((id) => ids.has(id)),
    });
  },

  redo() {
    const { doc, past, future, selection, scope, loads } = get();
    const next = future[0];
    if (!next) return;
    const shown = showRoot(next.doc, scope, loads);
    const ids = new Set(shown.doc.nodes.map((n) => n.id));
    set({
      ...shown,
      past: [...past, { doc: scope?.root ?? doc, label: next.label }].slice(-HISTORY_LIMIT),
      future: future.slice(1),
      selection: selection.filter((id) => ids.has(id)),
    });
  },

  restore(doc, past, future) {
    set({ doc, analysis: analyzeGraph(doc), past, future, selection: [], loads: get().loads + 1, scope: null, mode: hasLocks(doc) ? 'learner' : 'author' });
  },

  enterBlock(blockId, instanceId) {
    const s = get();
    const root = rootDoc(s);
    const inside = scopeView(root, blockId, instanceId, s.scope ? undefined : s.analysis);
    if (!inside) {
      s.notify('error', `There is no block "${blockId}" in this graph.`);
      return false;
    }
    set({ doc: inside.view, analysis: analyzeView(inside.view, root, inside.instanceId), scope: { blockId, instanceId: inside.instanceId, root }, selection: [], loads: s.loads + 1 });
    return true;
  },

  leaveBlock() {
    const { scope, loads } = get();
    if (!scope) return;
    set({ doc: scope.root, analysis: analyzeGraph(scope.root), scope: null, selection: scope.instanceId ? [scope.instanceId] : [], loads: loads + 1 });
  },

  setSelection(ids) {
    const cur = get().selection;
    if (cur.length === ids.length && cur.every((id, i) => id === ids[i])) return;
    set({ selection: ids });
  },

  notify(kind, text, at) {
    set({ notice: { kind, text, at, id: ++noticeId } });
  },

  clearNotice(id) {
    const n = get().notice;
    if (n && (id === undefined || n.id === id)) set({ notice: null });
  },

  setLoadError(message) {
    set({ loadError: message });
  },
}));

// Training reports its notices through its own store (it never imports the editor); they are
// shown with the editor's own.
useTraining.subscribe((s, prev) => {
  if (s.notice && s.notice !== prev.notice) useEditor.getState().notify(s.notice.kind, s.notice.text);
});
