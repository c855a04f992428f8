/** Rete's view-model types for LayerLab: one Rete node per graph node, ids shared. */
import { ClassicPreset, type GetSchemes } from 'rete';
import type { ContextMenuExtra } from 'rete-context-menu-plugin';
import type { MinimapExtra } from 'rete-minimap-plugin';
import type { ReactArea2D } from 'rete-react-plugin';

export const tensorSocket = new ClassicPreset.Socket('tensor');

export class LLNode extends ClassicPreset.Node {
  width = 220;
  height = 120;
  /** What the size was last measured for (NodeView), so a light face keeps it. */
  measured = '';
  constructor(
    id: string,
    readonly nodeType: string,
  ) {
    super(nodeType);
    this.id = id;
  }
}

export class LLConnection extends ClassicPreset.Connection<LLNode, LLNode> {
  /** Set for connections created by the document sync (the user's own are checked first). */
  fromDoc = false;
  /** Set just before the sync removes it. */
  removingByDoc = false;
  isPseudo?: boolean;
}

export type Schemes = GetSchemes<LLNode, LLConnection>;
export type AreaExtra = ReactArea2D<Schemes> | ContextMenuExtra | MinimapExtra;
