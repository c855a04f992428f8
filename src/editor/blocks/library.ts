/**
 * The browser's block library: blocks saved from any graph (localStorage), to be added to any
 * other. An entry holds the block's definition and the definitions of the blocks it uses; adding
 * one copies them into the document (the document never refers to the library). What is read back
 * is checked with the graph file's own parser, so a damaged or hostile entry is skipped, never used.
 * Pure apart from the `Storage` it is given.
 */
import { findBlock, isInstance } from '../../graph/blocks';
import { parseGraph } from '../../graph/parse';
import { CURRENT_VERSION, FORMAT, type BlockDef, type GraphDoc } from '../../graph/types';

export const LIBRARY_KEY = 'layerlab-block-library';
/** At most this many entries (the oldest go first). */
export const LIBRARY_MAX_ENTRIES = 100;

export interface LibraryEntry {
  /** The block's name; saving a block of the same name again replaces the entry. */
  name: string;
  savedAt: number;
  /** The block first, then every block it uses (nested instances), each once. */
  blocks: BlockDef[];
}

type Store = Pick<Storage, 'getItem' | 'setItem'>;

/** The block and every block its nodes use, transitively (each once, the block first). */
export function blockBundle(doc: Pick<GraphDoc, 'blocks'>, blockId: string): BlockDef[] {
  const out: BlockDef[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    const def = findBlock(doc, id);
    if (!def || seen.has(id)) return;
    seen.add(id);
    out.push(def);
    for (const n of def.nodes) if (isInstance(n) && typeof n.params.block === 'string') visit(n.params.block);
  };
  visit(blockId);
  return out;
}

/** The blocks of an entry, checked as a graph file's blocks are; undefined when they do not read. */
function checkedBlocks(blocks: unknown): BlockDef[] | undefined {
  if (!Array.isArray(blocks) || blocks.length === 0) return undefined;
  const r = parseGraph({ format: FORMAT, version: CURRENT_VERSION, name: 'library', description: '', nodes: [], edges: [], blocks });
  return r.ok && r.doc.blocks?.length === blocks.length ? r.doc.blocks : undefined;
}

/** The library's entries, newest first; entries that do not read (damaged, edited by hand) are left out. */
export function readLibrary(storage: Store): LibraryEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(storage.getItem(LIBRARY_KEY) ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  const out: LibraryEntry[] = [];
  for (const e of raw.slice(0, LIBRARY_MAX_ENTRIES)) {
    if (!e || typeof e !== 'object') continue;
    const { name, savedAt, blocks } = e as Record<string, unknown>;
    const checked = checkedBlocks(blocks);
    if (typeof name !== 'string' || !checked || checked[0]!.name !== name) continue;
    out.push({ name, savedAt: typeof savedAt === 'number' ? savedAt : 0, blocks: checked });
  }
  return out.sort((a, b) => b.savedAt - a.savedAt);
}

function write(storage: Store, entries: LibraryEntry[]): string | undefined {
  try {
    storage.setItem(LIBRARY_KEY, JSON.stringify(entries.slice(0, LIBRARY_MAX_ENTRIES)));
    return undefined;
  } catch (e) {
    return `The block library could not be saved in this browser (${(e as Error).message}).`;
  }
}

/** Saves block `blockId` of `doc` (with the blocks it uses); an entry of the same name is replaced. */
export function saveToLibrary(storage: Store, doc: Pick<GraphDoc, 'blocks'>, blockId: string, now = Date.now()): { entry: LibraryEntry } | { error: string } {
  const blocks = blockBundle(doc, blockId);
  if (!blocks.length) return { error: `There is no block "${blockId}" in this graph.` };
  const entry: LibraryEntry = { name: blocks[0]!.name, savedAt: now, blocks: structuredClone(blocks) };
  const rest = readLibrary(storage).filter((e) => e.name !== entry.name);
  const error = write(storage, [entry, ...rest]);
  return error ? { error } : { entry };
}

export function removeFromLibrary(storage: Store, name: string): string | undefined {
  return write(
    storage,
    readLibrary(storage).filter((e) => e.name !== name),
  );
}

/** JSON with keys in a fixed order, so that equal definitions compare equal however they were built. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}
/** Two definitions are the same block when they read the same (as the file parser normalises them). */
const same = (a: BlockDef, b: BlockDef) => stable(checkedBlocks([a])?.[0] ?? a) === stable(checkedBlocks([b])?.[0] ?? b);

/** The ids of the blocks a definition's nodes use directly. */
const uses = (b: BlockDef) => b.nodes.flatMap((n) => (isInstance(n) && typeof n.params.block === 'string' ? [n.params.block] : []));

/**
 * Copies an entry's blocks into `doc`: a block the document already has (same id, same content,
 * and every block it uses reused too) is reused; one whose id is taken by a different block gets
 * a fresh id (and the entry's instances of it follow). Returns the document and the id the
 * entry's block has in it.
 */
export function importEntry(doc: GraphDoc, entry: LibraryEntry): { doc: GraphDoc; blockId: string } {
  const have = doc.blocks ?? [];
  const reuse = new Set(entry.blocks.filter((b) => have.some((h) => h.id === b.id && same(h, b))).map((b) => b.id));
  for (let changed = true; changed; ) {
    changed = false;
    for (const b of entry.blocks) {
      if (reuse.has(b.id) && uses(b).some((u) => !reuse.has(u))) {
        reuse.delete(b.id);
        changed = true;
      }
    }
  }
  const taken = new Set([...have.map((b) => b.id), ...entry.blocks.map((b) => b.id)]);
  const rename = new Map<string, string>();
  for (const b of entry.blocks) {
    if (reuse.has(b.id) || !have.some((h) => h.id === b.id)) continue;
    let i = 2;
    while (taken.has(`${b.id}_${i}`)) i++;
    rename.set(b.id, `${b.id}_${i}`);
    taken.add(`${b.id}_${i}`);
  }
  const idOf = (id: string) => rename.get(id) ?? id;
  const added: BlockDef[] = entry.blocks
    .filter((b) => !reuse.has(b.id))
    .map((b) => ({
      ...structuredClone(b),
      id: idOf(b.id),
      nodes: b.nodes.map((n) => (isInstance(n) && typeof n.params.block === 'string' ? { ...structuredClone(n), params: { ...n.params, block: idOf(n.params.block) } } : structuredClone(n))),
    }));
  return { doc: added.length ? { ...doc, blocks: [...have, ...added] } : doc, blockId: idOf(entry.blocks[0]!.id) };
}
