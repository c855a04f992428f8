/**
 * Which nodes draw their full face. A node far outside the view (more than a margin around it)
 * draws a light face instead: its header and footer (title, id, problem, output shape), no
 * controls, sockets or feature map. Until it first comes near, that face is a cold one (plain
 * DOM, face.ts); after, NodeView's. editor.ts decides which nodes are near after every pan, zoom,
 * move and sync; NodeView subscribes to its own node only, so a pan re-renders just the nodes
 * that cross the margin. Opening ResNet-50 (177 nodes) then mounts React for the few dozen in view.
 */
import { useSyncExternalStore } from 'react';

export interface NearSet {
  isNear(id: string): boolean;
  /** Replaces the set of near nodes (`'all'`: every node); notifies only nodes whose state changed. */
  set(ids: Iterable<string> | 'all'): void;
  subscribe(id: string, cb: () => void): () => void;
}

export function createNearSet(): NearSet {
  let all = true;
  let near = new Set<string>();
  const listeners = new Map<string, Set<() => void>>();
  const has = (id: string) => all || near.has(id);
  return {
    isNear: has,
    set(ids) {
      const wasAll = all;
      const before = near;
      all = ids === 'all';
      near = ids === 'all' ? new Set() : new Set(ids);
      const changed: string[] = [];
      if (wasAll || all) {
        for (const id of listeners.keys()) if (has(id) !== (wasAll || before.has(id))) changed.push(id);
      } else {
        for (const id of near) if (!before.has(id)) changed.push(id);
        for (const id of before) if (!near.has(id)) changed.push(id);
      }
      for (const id of changed) for (const cb of [...(listeners.get(id) ?? [])]) cb();
    },
    subscribe(id, cb) {
      let set = listeners.get(id);
      if (!set) listeners.set(id, (set = new Set()));
      set.add(cb);
      return () => {
        set.delete(cb);
        if (!set.size) listeners.delete(id);
      };
    },
  };
}

/** The near set of the editor on the page (one editor per page). */
export const nearNodes: NearSet = createNearSet();

export function useNear(id: string): boolean {
  const store = nearNodes;
  return useSyncExternalStore(
    (cb) => store.subscribe(id, cb),
    () => store.isNear(id),
  );
}

/** Box in graph coordinates. */
export interface AreaBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The ids of the boxes that meet `view` grown by `margin` of its size on every side. */
export function nearIds(boxes: Iterable<[string, AreaBox]>, view: AreaBox, margin: number): string[] {
  const mx = (view.right - view.left) * margin;
  const my = (view.bottom - view.top) * margin;
  const l = view.left - mx;
  const r = view.right + mx;
  const t = view.top - my;
  const b = view.bottom + my;
  const out: string[] = [];
  for (const [id, box] of boxes) if (box.right >= l && box.left <= r && box.bottom >= t && box.top <= b) out.push(id);
  return out;
}
