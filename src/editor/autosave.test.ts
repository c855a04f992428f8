import { loadPreset } from '../../fixtures/presets';
import { describe, expect, it } from 'vitest';
import { type GraphDoc } from '../graph';
import { AUTOSAVE_KEY, clearSnapshot, forgetKept, keepAside, KEPT_KEY, keptSnapshots, loadSnapshot, MAX_HISTORY, MAX_VERSIONS, readAutosave, recordVersion, saveSnapshot, VERSION_INTERVAL_MS, versions, type KeyValueStore } from './autosave';

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
    ['a doc of a newer version', { doc: JSON.stringify({ ...lenet, version: 3 }), past: [], future: [] }],
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

  it.each([
    ['a string', 'not json', 'not an autosave'],
    ['a doc that is not JSON', { doc: '{"format":', past: [], future: [] }, ''],
    ['a doc of a newer version', { doc: JSON.stringify({ ...lenet, version: 3 }), past: [], future: [] }, 'version'],
    ['a learning rate the parser refuses', { doc: JSON.stringify({ ...lenet, training: { ...lenet.training, learningRate: 11 } }), past: [], future: [] }, 'learningRate'],
  ])('tells an unreadable autosave (%s) from an empty one, and says why', async (_name, value, why) => {
    const store = memoryStore();
    expect((await readAutosave(store)).kind).toBe('empty');
    store.map.set(AUTOSAVE_KEY, value);
    const r = await readAutosave(store);
    expect(r.kind).toBe('unreadable');
    if (r.kind === 'unreadable') {
      expect(r.reason).toContain(why);
      expect(r.raw).toEqual(value);
    }
  });

  it('keeps an unreadable autosave aside exactly as it was, so a later save cannot destroy it', async () => {
    const store = memoryStore();
    const badDoc = JSON.stringify({ ...lenet, name: 'my work', training: { ...lenet.training, learningRate: 1e6 } });
    store.map.set(AUTOSAVE_KEY, { doc: badDoc, past: [JSON.stringify(mlp)], future: [], savedAt: 5 });
    const r = await readAutosave(store);
    if (r.kind !== 'unreadable') throw new Error('expected unreadable');
    const kept = await keepAside(r.raw, r.reason, store, 1000);
    expect(kept?.text).toBe(badDoc);
    expect(JSON.parse(kept!.raw).past).toEqual([JSON.stringify(mlp)]);
    // The app then saves over the autosave: the kept copy stays.
    await saveSnapshot({ doc: lenet, past: [], future: [] }, store);
    // Keeping the same value twice (a second start-up) does not duplicate it.
    await keepAside(r.raw, r.reason, store, 2000);
    const list = await keptSnapshots(store);
    expect(list).toHaveLength(1);
    expect(list[0]!.text).toBe(badDoc);
    expect(list[0]!.reason).toContain('learningRate');
    await forgetKept(1000, store);
    expect(await keptSnapshots(store)).toEqual([]);
    expect(store.map.get(KEPT_KEY)).toEqual([]);
  });

  it('reports when it cannot keep an unreadable autosave aside', async () => {
    expect(await keepAside({ doc: 'x' }, 'why', failing)).toBeNull();
  });

  it('counts history entries that no longer read, so the caller can keep them', async () => {
    const store = memoryStore();
    store.map.set(AUTOSAVE_KEY, { doc: JSON.stringify(lenet), past: [JSON.stringify(mlp), 'garbage'], future: [7] });
    const r = await readAutosave(store);
    expect(r.kind === 'ok' && r.dropped).toBe(2);
  });

  it('keeps a version history: the newest follows the edits for a while, then a new one begins', async () => {
    const store = memoryStore();
    const t0 = 1_000_000;
    await recordVersion(lenet, store, t0);
    await recordVersion(renamed(lenet, 'a'), store, t0 + 1000);
    let v = await versions(store);
    expect(v).toHaveLength(1);
    expect(v[0]!.ok && v[0]!.doc.name).toBe('a');
    await recordVersion(renamed(lenet, 'b'), store, t0 + VERSION_INTERVAL_MS + 1);
    v = await versions(store);
    expect(v.map((x) => x.ok && x.doc.name)).toEqual(['b', 'a']);
    for (let i = 0; i < MAX_VERSIONS + 5; i++) await recordVersion(renamed(mlp, `m${i}`), store, t0 + (i + 2) * VERSION_INTERVAL_MS);
    v = await versions(store);
    expect(v).toHaveLength(MAX_VERSIONS);
    expect(v[0]!.ok && v[0]!.doc.name).toBe(`m${MAX_VERSIONS + 4}`);
  });

  it('never replaces a version that no longer reads, and shows why it does not', async () => {
    const store = memoryStore();
    store.map.set('layerlab.autosave.versions', [{ savedAt: 10, startedAt: 10, text: '{"format": broken' }]);
    await recordVersion(lenet, store, 20);
    const v = await versions(store);
    expect(v).toHaveLength(2);
    expect(v[0]!.ok).toBe(true);
    expect(v[1]!.ok).toBe(false);
    expect(v[1]!.text).toBe('{"format": broken');
  });
});
