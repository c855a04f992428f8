/** What the canvas (rete/editor.ts) needs for block instances: their ports, menu items, double-click. */
import { BLOCK_TYPE, blockInputPorts, instanceBlock, isInstance } from '../../graph/blocks';
import type { GraphDoc, GraphNode } from '../../graph/types';
import { useEditor } from '../store';
import { detachAction, makeBlockAction, openBlockAction } from './actions';
import { saveToLibraryAction } from './library-actions';

/** Input ports of a node that has no NodeDef: an instance's in0…in(k-1) from its block; none otherwise. */
export function docNodePorts(doc: Pick<GraphDoc, 'blocks'>, node: GraphNode): string[] {
  if (node.type !== BLOCK_TYPE) return [];
  const def = instanceBlock(doc, node);
  return def ? blockInputPorts(def) : [];
}

/** The context menu's block items for node `id` (`targets`: the selection it belongs to, or the node alone). */
export function blockMenuItems(id: string, targets: string[]) {
  const { doc, scope } = useEditor.getState();
  const node = doc.nodes.find((n) => n.id === id);
  const items: { label: string; key: string; handler(): void }[] = [];
  if (!scope) items.push({ label: targets.length > 1 ? `Make block of ${targets.length} nodes` : 'Make block', key: 'make-block', handler: () => void makeBlockAction(targets) });
  if (node && isInstance(node)) {
    items.push(
      { label: 'Open block', key: 'open-block', handler: () => void openBlockAction(id) },
      { label: 'Detach (own copy of its nodes)', key: 'detach-block', handler: () => void detachAction(id) },
      { label: 'Save block to library', key: 'save-block', handler: () => void saveToLibraryAction(id) },
    );
  }
  return items;
}

/** Two picks of the same node within this many ms are a double-click. */
const DOUBLE_MS = 400;
let lastPick = { id: '', at: 0 };

/**
 * A double-click on an instance opens its block. Counted from Rete's node picks (pointer downs),
 * not the DOM's dblclick: picking a node moves its element to the top of the canvas, and the
 * browser then does not see the two clicks as one double-click.
 */
export function openBlockOnSecondPick(id: string, now = performance.now()) {
  const double = lastPick.id === id && now - lastPick.at < DOUBLE_MS;
  lastPick = double ? { id: '', at: 0 } : { id, at: now };
  if (!double) return;
  const node = useEditor.getState().doc.nodes.find((n) => n.id === id);
  if (node && isInstance(node)) openBlockAction(id);
}
