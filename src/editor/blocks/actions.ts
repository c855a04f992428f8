/**
 * What the user can do with blocks, as functions over the editor store (each one undo step):
 * make a block from a selection, add or detach an instance, open a block, rename it.
 */
import { addBlockInstance, detachInstance, findBlock, isInstance, makeBlock, renameBlock } from '../../graph/blocks';
import { useEditor } from '../store';
import { refusedByLock } from '../actions';

const state = () => useEditor.getState();

/**
 * What the palette hands to addNodeAt (its `type`, a drag's data) for a block: "block:<id>" for a
 * block of the document, "library:<name>" for one from the browser's library.
 */
export const BLOCK_REF = 'block:';
export const LIBRARY_REF = 'library:';
export const blockRef = (blockId: string) => `${BLOCK_REF}${blockId}`;
export const libraryRef = (name: string) => `${LIBRARY_REF}${name}`;
export const isBlockRef = (type: string) => type.startsWith(BLOCK_REF) || type.startsWith(LIBRARY_REF);

/** Turns the selected nodes into a block and one instance of it in their place. */
export function makeBlockAction(ids: string[], name?: string): string | undefined {
  const { doc, commit, notify, scope } = state();
  if (scope) {
    notify('error', 'Leave this block first (Esc) to make a new block from the whole graph.');
    return undefined;
  }
  if (!ids.length) {
    notify('error', 'Select the nodes to put into a block first (Shift-drag or Ctrl-click), then Make block.');
    return undefined;
  }
  if (refusedByLock({ kind: 'makeBlock', ids })) return undefined;
  const r = makeBlock(doc, ids, name ? { name } : undefined);
  if ('error' in r) {
    notify('error', r.error);
    return undefined;
  }
  const made = findBlock(r.doc, r.blockId);
  commit(`Make block ${made?.name ?? r.blockId}`, r.doc, { select: [r.instanceId] });
  return r.instanceId;
}

/**
 * Adds an instance of a block of this document at `position` (area coordinates). Inside an open
 * block it goes into that block (a block inside a block; one cannot contain itself).
 */
export function addBlockInstanceAction(blockId: string, position: [number, number]): string | undefined {
  const { doc, commit, notify } = state();
  const r = addBlockInstance(doc, blockId, position);
  if ('error' in r) {
    notify('error', r.error);
    return undefined;
  }
  commit(`Add block ${findBlock(doc, blockId)?.name ?? blockId}`, r.doc, { select: [r.id] });
  return r.id;
}

/** Replaces an instance by its inner nodes (the definition stays for its other uses). */
export function detachAction(instanceId: string): string[] {
  const { doc, commit, notify } = state();
  if (refusedByLock({ kind: 'detach', instanceId })) return [];
  const r = detachInstance(doc, instanceId);
  if ('error' in r) {
    notify('error', r.error);
    return [];
  }
  commit(`Detach ${instanceId}`, r.doc, { select: r.ids });
  return r.ids;
}

/** Shows a block's inner graph on the canvas (from an instance: with its shapes and feature maps). */
export function openBlockAction(instanceId: string): boolean {
  const { doc, notify, enterBlock } = state();
  const node = doc.nodes.find((n) => n.id === instanceId);
  if (!node || !isInstance(node)) return false;
  const blockId = node.params.block;
  if (typeof blockId !== 'string' || !findBlock(state().scope?.root ?? doc, blockId)) {
    notify('error', `${instanceId} uses a block this graph does not define, so there is nothing to open.`);
    return false;
  }
  return enterBlock(blockId, instanceId);
}

export function renameBlockAction(blockId: string, name: string): boolean {
  const { doc, commit, notify, scope } = state();
  if (scope) {
    notify('error', 'Rename the block from the whole graph (Esc leaves the block).');
    return false;
  }
  const old = findBlock(doc, blockId);
  if (!old || old.name === name) return false;
  const r = renameBlock(doc, blockId, name);
  if ('error' in r) {
    notify('error', r.error);
    return false;
  }
  commit(`Rename block ${old.name} to ${name}`, r.doc);
  return true;
}
