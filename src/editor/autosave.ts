/**
 * Autosave of the editor state (current graph plus undo/redo history) in IndexedDB, under one
 * key. Documents are stored as compact JSON strings, never live objects, and every one is read
 * back through the ordinary graph parser: stored data is as untrusted as a file (an older or
 * newer LayerLab, a broken write, a user poking at DevTools).
 *
 * Failure policy: nothing here throws or rejects. saveSnapshot resolves to false when the
 * storage is unavailable or refuses the write (private mode, quota, no IndexedDB in Node);
 * loadSnapshot resolves to null when nothing usable is stored or the storage fails.
 *
 * Nothing the user made is lost: a stored snapshot that no longer reads (a bug, a newer
 * LayerLab, a changed limit) is kept aside under KEPT_KEY, exactly as it was stored, before
 * anything may overwrite it (readAutosave + keepAside), and the last few graphs are kept as a
 * small version history under VERSIONS_KEY.
 */
import { del, get, set } from 'idb-keyval';
import { parseGraphText, type GraphDoc } from '../graph';

export const AUTOSAVE_KEY = 'layerlab.autosave.v1';
/** Stored snapshots that could not be read, kept as they were (newest first). */
export const KEPT_KEY = 'layerlab.autosave.kept';
/** The version history: the graph as it was at most VERSION_INTERVAL_MS apart (newest first). */
export const VERSIONS_KEY = 'layerlab.autosave.versions';
/** Most unreadable snapshots kept aside. */
export const MAX_KEPT = 20;
/** Most versions kept. */
export const MAX_VERSIONS = 12;
/** A new version starts when the newest one is older than this; until then the newest follows the edits. */
export const VERSION_INTERVAL_MS = 2 * 60_000;
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

function readHistory(list: unknown, keep: 'first' | 'last'): { docs: GraphDoc[]; dropped: number } {
  if (!Array.isArray(list)) return { docs: [], dropped: list === undefined ? 0 : 1 };
  const capped = keep === 'last' ? list.slice(-MAX_HISTORY) : list.slice(0, MAX_HISTORY);
  const docs = capped.map(readDoc).filter((d): d is GraphDoc => d !== undefined);
  return { docs, dropped: capped.length - docs.length };
}

/** What the autosave holds: nothing, a snapshot, or something that no longer reads (kept as it was in `raw`). */
export type AutosaveRead =
  | { kind: 'empty' }
  | { kind: 'ok'; snapshot: Snapshot; raw: unknown; /** history entries that did not read (kept aside by the caller) */ dropped: number }
  | { kind: 'unreadable'; reason: string; raw: unknown }
  | { kind: 'failed'; reason: string };

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Reads the stored snapshot, telling apart "nothing stored", "storage failed" and "stored but unreadable". */
export async function readAutosave(store: KeyValueStore = idbStore): Promise<AutosaveRead> {
  let value: unknown;
  try {
    value = await store.get(AUTOSAVE_KEY);
  } catch (e) {
    return { kind: 'failed', reason: errorText(e) };
  }
  if (value === undefined || value === null) return { kind: 'empty' };
  if (typeof value !== 'object' || Array.isArray(value)) return { kind: 'unreadable', reason: 'the stored value is not an autosave', raw: value };
  const stored = value as Partial<Record<keyof Stored, unknown>>;
  if (typeof stored.doc !== 'string') return { kind: 'unreadable', reason: 'the stored value has no graph', raw: value };
  const parsed = parseGraphText(stored.doc);
  if (!parsed.ok) return { kind: 'unreadable', reason: parsed.message, raw: value };
  const past = readHistory(stored.past, 'last');
  const future = readHistory(stored.future, 'first');
  const snapshot: Snapshot = { doc: parsed.doc, past: past.docs, future: future.docs };
  if (typeof stored.savedAt === 'number' && Number.isFinite(stored.savedAt)) snapshot.savedAt = stored.savedAt;
  return { kind: 'ok', snapshot, raw: value, dropped: past.dropped + future.dropped };
}

/**
 * The stored snapshot, or null when nothing is stored, the storage fails, or the current
 * document no longer reads. History entries that no longer read are dropped.
 */
export async function loadSnapshot(store: KeyValueStore = idbStore): Promise<Snapshot | null> {
  const r = await readAutosave(store);
  return r.kind === 'ok' ? r.snapshot : null;
}

/** A stored snapshot that could not be read, as it was. */
export interface KeptSnapshot {
  /** Date.now() when it was set aside. */
  keptAt: number;
  /** Why it could not be read. */
  reason: string;
  /** The graph as text (the stored document), or the whole stored value as JSON when it had none. */
  text: string;
  /** The whole stored value as JSON (history included). */
  raw: string;
}

function asJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

async function readList<T>(key: string, store: KeyValueStore): Promise<T[]> {
  const v = await store.get(key);
  return Array.isArray(v) ? (v as T[]) : [];
}

/**
 * Sets an unreadable stored value aside (under KEPT_KEY) so that the next save cannot destroy
 * it. Resolves to the kept entry, or null when the storage refused: then nothing may be saved
 * over the autosave this session.
 */
export async function keepAside(raw: unknown, reason: string, store: KeyValueStore = idbStore, now = Date.now()): Promise<KeptSnapshot | null> {
  try {
    const doc = raw && typeof raw === 'object' && typeof (raw as { doc?: unknown }).doc === 'string' ? (raw as { doc: string }).doc : undefined;
    const entry: KeptSnapshot = { keptAt: now, reason, text: doc ?? asJson(raw), raw: asJson(raw) };
    const list = await readList<KeptSnapshot>(KEPT_KEY, store);
    if (list.some((k) => k.raw === entry.raw)) return list.find((k) => k.raw === entry.raw)!;
    await store.set(KEPT_KEY, [entry, ...list].slice(0, MAX_KEPT));
    return entry;
  } catch {
    return null;
  }
}

/** The unreadable snapshots kept aside, newest first. */
export async function keptSnapshots(store: KeyValueStore = idbStore): Promise<KeptSnapshot[]> {
  try {
    return (await readList<KeptSnapshot>(KEPT_KEY, store)).filter((k) => k && typeof k.text === 'string' && typeof k.keptAt === 'number');
  } catch {
    return [];
  }
}

/** Forgets one kept snapshot (the user chose to). */
export async function forgetKept(keptAt: number, store: KeyValueStore = idbStore): Promise<void> {
  try {
    await store.set(KEPT_KEY, (await readList<KeptSnapshot>(KEPT_KEY, store)).filter((k) => k.keptAt !== keptAt));
  } catch {
    /* nothing to do: it stays */
  }
}

/** One entry of the version history. */
export interface Version {
  /** Date.now() of the last save that this version holds. */
  savedAt: number;
  /** When this version began (it follows the edits for VERSION_INTERVAL_MS). */
  startedAt?: number;
  /** The graph as saved (text, read back through the parser when opened). */
  text: string;
}

/** A version read back: the graph, or why it no longer reads. */
export type VersionRead = { savedAt: number; text: string } & ({ ok: true; doc: GraphDoc } | { ok: false; message: string });

/**
 * Records `doc` in the version history: the newest version follows the edits until it is
 * VERSION_INTERVAL_MS old, then a new one begins. At most MAX_VERSIONS are kept; a version that
 * no longer reads is never replaced by a newer state.
 */
export async function recordVersion(doc: GraphDoc, store: KeyValueStore = idbStore, now = Date.now()): Promise<boolean> {
  try {
    const text = toJson(doc);
    const list = (await readList<Version>(VERSIONS_KEY, store)).filter((v) => v && typeof v.text === 'string' && typeof v.savedAt === 'number');
    const newest = list[0];
    if (newest?.text === text) return true;
    const startedAt = newest?.startedAt ?? newest?.savedAt;
    const follow = newest && startedAt !== undefined && now - startedAt < VERSION_INTERVAL_MS && readDoc(newest.text) !== undefined;
    const next: Version[] = follow ? [{ savedAt: now, startedAt, text }, ...list.slice(1)] : [{ savedAt: now, startedAt: now, text }, ...list];
    await store.set(VERSIONS_KEY, next.slice(0, MAX_VERSIONS));
    return true;
  } catch {
    return false;
  }
}

/** The version history, newest first, each read back through the graph parser. */
export async function versions(store: KeyValueStore = idbStore): Promise<VersionRead[]> {
  try {
    return (await readList<Version>(VERSIONS_KEY, store))
      .filter((v) => v && typeof v.text === 'string' && typeof v.savedAt === 'number')
      .map((v) => {
        const parsed = parseGraphText(v.text);
        return parsed.ok ? { savedAt: v.savedAt, text: v.text, ok: true as const, doc: parsed.doc } : { savedAt: v.savedAt, text: v.text, ok: false as const, message: parsed.message };
      });
  } catch {
    return [];
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
