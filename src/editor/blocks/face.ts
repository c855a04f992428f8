/** What a block instance's face shows: the block's name, its inner node count and its params. */
import { BLOCK_SEP, findBlock, instanceValues, isInstance, outputOf } from '../../graph/blocks';
import type { GraphDoc } from '../../graph/types';

/** Blocks have no category: one colour of their own on the canvas. */
export const BLOCK_COLOR = '#6d5bd0';

export interface BlockFace {
  blockId: string;
  name: string;
  /** Nodes directly inside the block (an inner instance counts as one). */
  innerCount: number;
  /** The instance's block params and their values, "filters 64". */
  params: [string, unknown][];
  /** False when the definition is missing (the instance shows the problem). */
  defined: boolean;
}

export function blockFace(doc: Pick<GraphDoc, 'nodes' | 'blocks'>, id: string): BlockFace | null {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node || !isInstance(node)) return null;
  const blockId = typeof node.params.block === 'string' ? node.params.block : '';
  const def = findBlock(doc, blockId);
  if (!def) return { blockId, name: blockId || 'Block', innerCount: 0, params: [], defined: false };
  return { blockId, name: def.name, innerCount: def.nodes.length, params: Object.entries(instanceValues(def, node)), defined: true };
}

/** "filters 64 · stride 2" */
export const blockParamsText = (f: BlockFace) => f.params.map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('×') : String(v)}`).join(' · ');

/**
 * Where a canvas node's feature map is kept (training keys maps by flat id): an instance shows its
 * block's output node's map; inside a block opened from an instance, inner node `c1` shows
 * `instance/c1`.
 */
export function mapKeyFor(doc: Pick<GraphDoc, 'nodes' | 'blocks'>, instanceId: string | undefined, id: string): string {
  const prefix = instanceId ? `${instanceId}${BLOCK_SEP}` : '';
  const node = doc.nodes.find((n) => n.id === id);
  return node && isInstance(node) ? outputOf(doc, prefix, node, 0) : prefix + id;
}
