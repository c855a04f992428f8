/** The block library in the editor: the palette lists it; saving and adding go through the store. */
import { create } from 'zustand';
import { addBlockInstance, findBlock, isInstance } from '../../graph/blocks';
import { useEditor } from '../store';
import { unlockedCopies } from '../../graph/locks';
import { BLOCK_REF, LIBRARY_REF, addBlockInstanceAction } from './actions';
import { importEntry, readLibrary, removeFromLibrary, saveToLibrary, type LibraryEntry } from './library';

/** localStorage, or nothing where the browser refuses it (then the library is empty and saving says why). */
function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export const useLibrary = create<{ entries: LibraryEntry[]; refresh(): void }>()((set) => ({
  entries: [],
  refresh() {
    const s = storage();
    set({ entries: s ? readLibrary(s) : [] });
  },
}));

/** Saves the block of instance (or block id) `id` to the library. */
export function saveToLibraryAction(id: string): boolean {
  const { doc, notify, scope } = useEditor.getState();
  const root = scope?.root ?? doc;
  const node = doc.nodes.find((n) => n.id === id);
  const blockId = node && isInstance(node) ? node.params.block : id;
  const s = storage();
  if (!s) {
    notify('error', 'This browser does not let LayerLab store data, so the block library is not available.');
    return false;
  }
  if (typeof blockId !== 'string' || !findBlock(root, blockId)) {
    notify('error', `${id} is not a block of this graph.`);
    return false;
  }
  const r = saveToLibrary(s, root, blockId);
  if ('error' in r) {
    notify('error', r.error);
    return false;
  }
  useLibrary.getState().refresh();
  notify('info', `Saved block “${r.entry.name}” to your library (this browser).`);
  return true;
}

export function removeFromLibraryAction(name: string) {
  const s = storage();
  if (!s) return;
  const error = removeFromLibrary(s, name);
  if (error) useEditor.getState().notify('error', error);
  useLibrary.getState().refresh();
}

/** Copies a library block into the graph and adds an instance of it at `position`; one undo step. */
export function addFromLibraryAction(entry: LibraryEntry, position: [number, number]): string | undefined {
  const { doc, commit, notify, scope, mode } = useEditor.getState();
  if (scope) {
    notify('error', 'Blocks are added to the whole graph: leave this block first (Esc).');
    return undefined;
  }
  // A learner's added block is the learner's, like pasted nodes: no node, param or wire locks.
  const own = mode === 'learner' ? { ...entry, blocks: entry.blocks.map((b) => ({ ...b, nodes: unlockedCopies(b.nodes), edges: b.edges.map(({ locked: _locked, ...e }) => e) })) } : entry;
  const imported = importEntry(doc, own);
  const r = addBlockInstance(imported.doc, imported.blockId, position);
  if ('error' in r) {
    notify('error', r.error);
    return undefined;
  }
  commit(`Add block ${entry.name} from the library`, r.doc, { select: [r.id] });
  return r.id;
}

/** Adds what a palette reference names ("block:<id>", "library:<name>") at `position`; returns the new instance's id. */
export function addBlockRefAction(ref: string, position: [number, number]): string | undefined {
  if (ref.startsWith(BLOCK_REF)) return addBlockInstanceAction(ref.slice(BLOCK_REF.length), position);
  const name = ref.slice(LIBRARY_REF.length);
  useLibrary.getState().refresh();
  const entry = useLibrary.getState().entries.find((e) => e.name === name);
  if (!entry) {
    useEditor.getState().notify('error', `The library has no block “${name}” any more.`);
    return undefined;
  }
  return addFromLibraryAction(entry, position);
}
