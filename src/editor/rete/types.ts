/** Rete's view-model types for LayerLab: one Rete node per graph node, ids shared. */
import { ClassicPreset, type GetSchemes } from 'rete';
import type { ContextMenuExtra } from 'rete-context-menu-plugin';
import type { MinimapExtra } from 'rete-minimap-plugin';
import type { ReactArea2D } from 'rete-react-plugin';

export const tensorSocket = new ClassicPreset.Socket('tensor');

/**
 * A port of the view, made without ClassicPreset.Port's constructor, which draws a random id
 * (crypto.getRandomValues, a few µs; 370 ports for ResNet-50) that nothing reads: Rete and its
 * plugins name a port by its node and key. Its id is its key. The same fields as the constructor's.
 */
function viewPort<P extends ClassicPreset.Input<ClassicPreset.Socket> | ClassicPreset.Output<ClassicPreset.Socket>>(proto: P, key: string, multipleConnections: boolean, extra: object): P {
  return Object.assign(Object.create(proto) as P, { socket: tensorSocket, label: key, multipleConnections, id: key, ...extra });
}
/**
 * An input port. It is marked as taking several wires only so that Rete's connection flow does
 * not delete the existing wire before the store has checked a new one; the document
 * (edit.connect) is what allows exactly one wire per input and explains a refusal.
 */
export const viewInput = (key: string) => viewPort(ClassicPreset.Input.prototype, key, true, { control: null, showControl: true });
export const viewOutput = (key: string) => viewPort(ClassicPreset.Output.prototype, key, true, {});

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
