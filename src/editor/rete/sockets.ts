/**
 * Where wires end. Rete's stock watcher measures each socket as it is drawn, which forces one
 * layout per node while a graph is being built (a second per node for its size). Here every
 * read is queued and done in one pass a moment later (`afterWrites`: one layout for all), and a
 * node drawn with its light face (no sockets, visibility.ts) gets its wires' ends from its box
 * until it is drawn in full and measured.
 */
import type { NodeEditor } from 'rete';
import { BaseSocketPosition } from 'rete-render-utils';
import type { Schemes } from './types';

type Position = { x: number; y: number };

let reads: (() => void)[] = [];
let timer: ReturnType<typeof setTimeout> | 0 = 0;

/** Runs `read` (DOM reads only) with the other queued reads, in one pass after the current task's writes. */
export function afterWrites(read: () => void) {
  reads.push(read);
  if (!timer)
    timer = setTimeout(() => {
      timer = 0;
      const now = reads;
      reads = [];
      for (const r of now) {
        try {
          r();
        } catch (e) {
          console.error(e);
        }
      }
    }, 0);
}

/** The centre of `child` relative to `parent` (an ancestor), as Rete's getElementCenter, synchronously; null when not laid out. */
function centreIn(child: HTMLElement, parent: HTMLElement): Position | null {
  if (!child.offsetParent) return null;
  let x = child.offsetLeft;
  let y = child.offsetTop;
  let el = child.offsetParent as HTMLElement | null;
  while (el && el !== parent) {
    x += el.offsetLeft + el.clientLeft;
    y += el.offsetTop + el.clientTop;
    el = el.offsetParent as HTMLElement | null;
  }
  return { x: x + child.offsetWidth / 2, y: y + child.offsetHeight / 2 };
}

/** Rete's wires start and end this far outside the socket's centre. */
const OUTSET = 12;

export class BatchedSocketPosition extends BaseSocketPosition<Schemes, never> {
  constructor(private readonly editor: () => NodeEditor<Schemes>) {
    super();
  }

  calculatePosition(nodeId: string, side: 'input' | 'output', _key: string, element: HTMLElement): Promise<Position | null> {
    return new Promise((resolve) => {
      let tries = 0;
      const read = () => {
        const view = this.area?.nodeViews.get(nodeId);
        if (!view?.element || !element.isConnected) return resolve(null);
        const c = centreIn(element, view.element);
        if (!c) return ++tries < 20 ? afterWrites(read) : resolve(null);
        resolve({ x: c.x + OUTSET * (side === 'input' ? -1 : 1), y: c.y });
      };
      afterWrites(read);
    });
  }

  /** A socket's place from its node's box (relative to the node), for a node whose sockets are not drawn. */
  private estimate(nodeId: string, side: 'input' | 'output', key: string): Position | null {
    const node = this.editor().getNode(nodeId);
    if (!node) return null;
    if (side === 'output') return { x: node.width + OUTSET, y: node.height / 2 };
    const keys = Object.keys(node.inputs);
    const i = Math.max(0, keys.indexOf(key));
    return { x: -OUTSET, y: node.height / 2 + (i - (keys.length - 1) / 2) * 20 };
  }

  override listen(nodeId: string, side: 'input' | 'output', key: string, change: (p: Position) => void): () => void {
    const fromBox = () => {
      if (this.sockets.getPosition({ nodeId, side, key })) return; // measured: Rete's own listener moves it
      const p = this.estimate(nodeId, side, key);
      const view = this.area?.nodeViews.get(nodeId);
      if (p && view) change({ x: p.x + view.position.x, y: p.y + view.position.y });
    };
    const unlistenBox = this.emitter.listen((data) => {
      if (data.nodeId === nodeId) fromBox();
    });
    const unlisten = super.listen(nodeId, side, key, change);
    fromBox();
    return () => {
      unlisten();
      unlistenBox();
    };
  }
}
