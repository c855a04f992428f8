import { loadPreset } from '../../fixtures/presets';
import { describe, expect, it } from 'vitest';
import { type GraphDoc } from '../graph';
import { AUTOSAVE_KEY, clearSnapshot, loadSnapshot, MAX_HISTORY, saveSnapshot, type KeyValueStore } from './autosave';

const preset = loadPreset;

function memoryStore(): KeyValueStore & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return {
    map,
    get: async (key) => map.get(key),
    set: async (key, value) => void map.set(key, value),
    del: async (key) => void map.delete(key),
  };
}

const failing: KeyValueStore = {
  get: () => Promise.reject(new Error('IndexedDB is not available')),
  set: () => Promise.reject(new DOMException('Quota exceeded', 'QuotaExceededError')),
  del: () => {
    throw new Error('sync failure');
  },
};

const lenet = preset('lenet5');
const mlp = preset('mlp');
const renamed = (doc: GraphDoc, name: string): GraphDoc => ({ ...doc, name });

describe('autosave', () => {
  it('round-trips the document and its history', async () => {
    const store = memoryStore();
    const snapshot = { doc: lenet, past: [mlp, renamed(mlp, 'b')], future: [renamed(lenet, 'c')], savedAt: 1234 };
    expect(await saveSnapshot(snapshot, store)).toBe(true);
    expect(await loadSnapshot(store)).toEqual(snapshot);
  });

  it('stores compact JSON strings, not live objects', async () => {
    const store = memoryStore();
    await saveSnapshot({ doc: lenet, past: [mlp], future: [] }, store);
    const stored = store.map.get(AUTOSAVE_KEY) as { doc: unknown; past: unknown[]; future: unknown[]; savedAt: unknown };
    expect(stored.doc).toBe(JSON.stringify(lenet));
    expect(stored.past).toEqual([JSON.stringify(mlp)]);
    expect(stored.future).toEqual([]);
    expect(typeof stored.savedAt).toBe('number');
  });

  it('keeps the newest 200 undo and the nearest 200 redo entries', async () => {
    const store = memoryStore();
    const many = (prefix: string) => Array.from({ length: 250 }, (_, i) => renamed(mlp, `${prefix}${i}`));
    await saveSnapshot({ doc: lenet, past: many('p'), future: many('f') }, store);
    const loaded = await loadSnapshot(store);
    expect(loaded!.past).toHaveLength(MAX_HISTORY);
    expect(loaded!.past[0]!.name).toBe('p50');
    expect(loaded!.past.at(-1)!.name).toBe('p249');
    expect(loaded!.future).toHaveLength(MAX_HISTORY);
    expect(loaded!.future[0]!.name).toBe('f0');
    expect(loaded!.future.at(-1)!.name).toBe('f199');
  });

  it('gives null when nothing is stored, and after clearing', async () => {
    const store = memoryStore();
    expect(await loadSnapshot(store)).toBeNull();
    await saveSnapshot({ doc: lenet, past: [], future: [] }, store);
    expect(await clearSnapshot(store)).toBe(true);
    expect(await loadSnapshot(store)).toBeNull();
  });

  it.each([
    ['a string', 'not json'],
    ['a number', 42],
    ['an array', [1, 2]],
    ['a live object as doc', { doc: lenet, past: [], future: [] }],
    ['a doc that is not JSON', { doc: '{"format":', past: [], future: [] }],
    ['a doc of a newer version', { doc: JSON.stringify({ ...lenet, version: 2 }), past: [], future: [] }],
    ['a hostile doc', { doc: '{"format":"layerlab-graph","version":1,"nodes":[],"edges":[],"__proto__":{}}', past: [], future: [] }],
    ['no doc', { past: [JSON.stringify(lenet)] }],
  ])('gives null for %s', async (_name, value) => {
    const store = memoryStore();
    store.map.set(AUTOSAVE_KEY, value);
    expect(await loadSnapshot(store)).toBeNull();
  });

  it('drops history entries that no longer read', async () => {
    const store = memoryStore();
    store.map.set(AUTOSAVE_KEY, {
      doc: JSON.stringify(lenet),
      past: [JSON.stringify(mlp), 'garbage', 7, null, JSON.stringify({ ...mlp, version: 3 }), JSON.stringify(lenet)],
      future: 'not a list',
      savedAt: 'yesterday',
    });
    expect(await loadSnapshot(store)).toEqual({ doc: lenet, past: [mlp, lenet], future: [] });
  });

  it('never throws when storage is unavailable', async () => {
    expect(await saveSnapshot({ doc: lenet, past: [], future: [] }, failing)).toBe(false);
    expect(await loadSnapshot(failing)).toBeNull();
    expect(await clearSnapshot(failing)).toBe(false);
  });

  it('never throws with the default IndexedDB store where there is no IndexedDB (Node)', async () => {
    expect(typeof indexedDB).toBe('undefined');
    expect(await saveSnapshot({ doc: lenet, past: [], future: [] })).toBe(false);
    expect(await loadSnapshot()).toBeNull();
    expect(await clearSnapshot()).toBe(false);
  });
});
