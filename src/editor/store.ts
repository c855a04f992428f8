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

  commit(label: string, next: GraphDoc, opts?: { select?: string[]; source?: string }): void;
  undo(): void;
  redo(): void;
  /** Replaces everything (used when restoring an autosave). */
  restore(doc: GraphDoc, past: HistoryEntry[], future: HistoryEntry[]): void;
  setSelection(ids: string[]): void;
  notify(kind: Notice['kind'], text: string, at?: Notice['at']): void;
  clearNotice(id?: number): void;
  setLoadError(message: string | null): void;
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

  commit(label, next, opts) {
    const { doc, past, selection } = get();
    if (next === doc) return;
    const ids = new Set(next.nodes.map((n) => n.id));
    set({
      doc: next,
      analysis: analyzeGraph(next),
      past: [...past, { doc, label }].slice(-HISTORY_LIMIT),
      future: [],
      selection: opts?.select ?? selection.filter((id) => ids.has(id)),
      ...(opts?.source ? { source: opts.source, loads: get().loads + 1 } : {}),
    });
  },

  undo() {
    const { doc, past, future, selection } = get();
    const last = past[past.length - 1];
    if (!last) return;
    const ids = new Set(last.doc.nodes.map((n) => n.id));
    set({
      doc: last.doc,
      analysis: analyzeGraph(last.doc),
      past: past.slice(0, -1),
      future: [{ doc, label: last.label }, ...future].slice(0, HISTORY_LIMIT),
      selection: selection.filter((id) => ids.has(id)),
    });
  },

  redo() {
    const { doc, past, future, selection } = get();
    const next = future[0];
    if (!next) return;
    const ids = new Set(next.doc.nodes.map((n) => n.id));
    set({
      doc: next.doc,
      analysis: analyzeGraph(next.doc),
      past: [...past, { doc, label: next.label }].slice(-HISTORY_LIMIT),
      future: future.slice(1),
      selection: selection.filter((id) => ids.has(id)),
    });
  },

  restore(doc, past, future) {
    set({ doc, analysis: analyzeGraph(doc), past, future, selection: [], loads: get().loads + 1 });
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
