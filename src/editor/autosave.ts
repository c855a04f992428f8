/**
 * Autosave of the editor state (current graph plus undo/redo history) in IndexedDB, under one
 * key. Documents are stored as compact JSON strings, never live objects, and every one is read
 * back through the ordinary graph parser: stored data is as untrusted as a file (an older or
 * newer LayerLab, a broken write, a user poking at DevTools).
 *
 * Failure policy: nothing here throws or rejects. saveSnapshot resolves to false when the
 * storage is unavailable or refuses the write (private mode, quota, no IndexedDB in Node);
 * loadSnapshot resolves to null when nothing usable is stored or the storage fails.
 */
import { del, get, set } from 'idb-keyval';
import { parseGraphText, type GraphDoc } from '../graph';

export const AUTOSAVE_KEY = 'layerlab.autosave.v1';
/** Most undo (and, separately, redo) entries kept. */
export const MAX_HISTORY = 200;

/**
 * The editor state. History is in timeline order, `[...past, doc, ...future]`: `past` is
 * oldest first (the undo target last), `future` has the redo target first.
 */
export interface Snapshot {
  doc: GraphDoc;
  past: GraphDoc[];
  future: GraphDoc[];
  /** Date.now() of the save; filled in by saveSnapshot when missing. */
  savedAt?: number;
}

/** The few key-value operations autosave needs (injectable for tests). */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
}

/** idb-keyval's default database. */
export const idbStore: KeyValueStore = { get: (key) => get(key), set: (key, value) => set(key, value), del: (key) => del(key) };

/** What is written under AUTOSAVE_KEY. */
interface Stored {
  doc: string;
  past: string[];
  future: string[];
  savedAt: number;
}

/**
 * Documents are immutable (every edit makes a new one), so each is serialised once and the text
 * reused by every later save: a save costs one new document, not the whole history.
 */
const serialized = new WeakMap<GraphDoc, string>();
function toJson(doc: GraphDoc): string {
  let text = serialized.get(doc);
  if (text === undefined) {
    text = JSON.stringify(doc);
    serialized.set(doc, text);
  }
  return text;
}

/** Stores the snapshot (history capped at MAX_HISTORY each way). Resolves true when written. */
export async function saveSnapshot(s: Snapshot, store: KeyValueStore = idbStore): Promise<boolean> {
  try {
    const value: Stored = {
      doc: toJson(s.doc),
      past: s.past.slice(-MAX_HISTORY).map(toJson),
      future: s.future.slice(0, MAX_HISTORY).map(toJson),
      savedAt: s.savedAt ?? Date.now(),
    };
    await store.set(AUTOSAVE_KEY, value);
    return true;
  } catch {
    return false;
  }
}

function readDoc(text: unknown): GraphDoc | undefined {
  if (typeof text !== 'string') return undefined;
  const parsed = parseGraphText(text);
  return parsed.ok ? parsed.doc : undefined;
}

function readHistory(list: unknown, keep: 'first' | 'last'): GraphDoc[] {
  if (!Array.isArray(list)) return [];
  const capped = keep === 'last' ? list.slice(-MAX_HISTORY) : list.slice(0, MAX_HISTORY);
  return capped.map(readDoc).filter((d): d is GraphDoc => d !== undefined);
}

/**
 * The stored snapshot, or null when nothing is stored, the storage fails, or the current
 * document no longer reads. History entries that no longer read are dropped.
 */
export async function loadSnapshot(store: KeyValueStore = idbStore): Promise<Snapshot | null> {
  try {
    const value: unknown = await store.get(AUTOSAVE_KEY);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    const stored = value as Partial<Record<keyof Stored, unknown>>;
    const doc = readDoc(stored.doc);
    if (!doc) return null;
    const snapshot: Snapshot = { doc, past: readHistory(stored.past, 'last'), future: readHistory(stored.future, 'first') };
    if (typeof stored.savedAt === 'number' && Number.isFinite(stored.savedAt)) snapshot.savedAt = stored.savedAt;
    return snapshot;
  } catch {
    return null;
  }
}

/** Forgets the autosave (e.g. after "New graph"). Resolves true when done. */
export async function clearSnapshot(store: KeyValueStore = idbStore): Promise<boolean> {
  try {
    await store.del(AUTOSAVE_KEY);
    return true;
  } catch {
    return false;
  }
}
