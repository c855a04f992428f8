/**
 * The Rete view of the graph document: setup of the editor and its plugins, and the one module
 * that syncs both ways. Document -> Rete: after every store change, Rete's nodes, ports,
 * connections and positions are brought in line with the document. Rete -> document: wires
 * drawn or picked up, nodes dragged and nodes picked become store actions (which check them
 * first). Rete never changes the graph on its own.
 */
import { createRoot } from 'react-dom/client';
import { NodeEditor } from 'rete';
import { AreaExtensions, AreaPlugin, Zoom } from 'rete-area-plugin';
import type { AutoArrangePlugin } from 'rete-auto-arrange-plugin';
import { ConnectionPlugin, Presets as ConnectionPresets, type SocketData } from 'rete-connection-plugin';
import { ContextMenuPlugin } from 'rete-context-menu-plugin';
import { MinimapPlugin } from 'rete-minimap-plugin';
import { Presets, ReactPlugin } from 'rete-react-plugin';
import { NODE_DEFS, getNodeDef } from '../../../nodes/registry';
import { inputPorts } from '../../../nodes/types';
import { edgeKey } from '../../graph/edit';
import type { GraphDoc } from '../../graph/types';
import { addNodeAction, connectAction, deleteNodesAction, disconnectAction, duplicateAction, moveNodesAction, setEdgeLockAction, settleNewNodeAction } from '../actions';
import { boxAt, freeCentre, placeBox, unstack, type Box, type Point, type Size } from '../placement';
import { useEditor } from '../store';
import { isBlockRef } from '../blocks/actions';
import { addBlockRefAction } from '../blocks/library-actions';
import { blockMenuItems, docNodePorts, openBlockOnSecondPick } from '../blocks/canvas';
import { ContextMenuSearch } from './ContextMenuSearch';
import { NodeView } from './NodeView';
import { WireView } from './WireView';
import { ColdFaces } from './face';
import { BatchedSocketPosition } from './sockets';
import { nearIds, nearNodes, type AreaBox } from './visibility';
import { LLConnection, LLNode, viewInput, viewOutput, type AreaExtra, type Schemes } from './types';

/** Below this zoom the nodes show their compact face (title and output shape in type that stays readable). */
export const LOD_COMPACT_BELOW = 0.5;
/** Zoom to fit never goes below this (the compact face's titles are ≥ 12 px on screen there): a bigger graph shows its start. */
export const FIT_MIN_ZOOM = 0.45;
/**
 * Graphs up to this many nodes draw every node in full. A bigger one draws in full only the nodes
 * in the view or within NEAR_MARGIN (of the view's size) around it; the others show a light face
 * until a pan or zoom brings them near (visibility.ts).
 */
export const ALL_NEAR_UP_TO = 60;
export const NEAR_MARGIN = 0.5;
/** A sync gives the page back (a frame, input) after this long, so that no task runs much past 50 ms. */
const SYNC_SLICE_MS = 40;
/** Drawing cold nodes with React gives the page back after this long (a node takes a few ms). */
const PROMOTE_SLICE_MS = 25;

/** The zoom range of the wheel, pinch and the + / - keys. */
export const MIN_ZOOM = 0.08;
export const MAX_ZOOM = 2.5;
/** One wheel notch (or one + / - key press) zooms by this factor. */
export const ZOOM_STEP = 1.15;

/**
 * Wheel and pinch zoom in even steps: one mouse-wheel notch zooms by ZOOM_STEP whatever pixel
 * size the browser gives a notch (53, 100, 120 px, or 3 lines), a trackpad's small deltas zoom in
 * proportion (100 px of scrolling = one notch) and a pinch (a wheel event with ctrlKey) follows
 * the fingers as the browser's own page zoom does. Rete's stock Zoom caps every event at 10% and
 * scales small ones down, so a fine-grained wheel barely zoomed.
 */
class StepZoom extends Zoom {
  constructor(private readonly getK: () => number) {
    super(0.1);
    this.wheel = (e: WheelEvent) => {
      e.preventDefault();
      const px = e.deltaMode === 1 ? e.deltaY * 40 : e.deltaMode === 2 ? e.deltaY * 800 : e.deltaY;
      if (!px) return;
      let factor: number;
      if (e.ctrlKey) factor = Math.exp(-px / 100);
      else if (Math.abs(px) >= 50) factor = ZOOM_STEP ** (-Math.sign(px) * Math.min(3, Math.max(1, Math.round(Math.abs(px) / 100))));
      else factor = ZOOM_STEP ** (-px / 100);
      const k = this.getK();
      const next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k * factor));
      if (next === k) return;
      const delta = next / k - 1;
      const { left, top } = this.element.getBoundingClientRect();
      this.onzoom(delta, (left - e.clientX) * delta, (top - e.clientY) * delta, 'wheel');
    };
    // A double-click on the canvas adds a layer there (EditorHooks.onBackgroundDoubleClick); it
    // must not also zoom (Rete's default), which moved the spot the user had pointed at.
    this.dblclick = (e: MouseEvent) => e.preventDefault();
  }
}

/**
 * Rete's selectableNodes without its per-node re-render: Rete's version marks the node selected
 * and calls area.update('node'), which re-renders the node, re-measures its sockets, redraws its
 * wires and the minimap — 3.5 s for Ctrl+A on ResNet-50. Here the selector (which drags the
 * selected nodes together) is kept as Rete keeps it, and the node's face shows its selection from
 * the store, into which the selector is mirrored (NodeView). Same events, same behaviour.
 */
function selectableNodes(area: AreaPlugin<Schemes, AreaExtra>, editor: NodeEditor<Schemes>, selector: ReturnType<typeof AreaExtensions.selector>, accumulating: { active(): boolean }) {
  let twitch: number | null = 0;
  const select = async (nodeId: string, accumulate: boolean) => {
    const node = editor.getNode(nodeId);
    if (!node) return;
    await selector.add(
      {
        label: 'node',
        id: node.id,
        translate: async (dx: number, dy: number) => {
          const view = area.nodeViews.get(node.id);
          if (view) await view.translate(view.position.x + dx, view.position.y + dy);
        },
        unselect: () => {
          node.selected = false;
        },
      },
      accumulate,
    );
    node.selected = true;
  };
  area.addPipe(async (context) => {
    if (!context || typeof context !== 'object' || !('type' in context)) return context;
    if (context.type === 'nodepicked') {
      selector.pick({ id: context.data.id, label: 'node' });
      twitch = null;
      await select(context.data.id, accumulating.active());
    } else if (context.type === 'nodetranslated') {
      const { id, position, previous } = context.data;
      if (selector.isPicked({ id, label: 'node' })) await selector.translate(position.x - previous.x, position.y - previous.y);
    } else if (context.type === 'pointerdown') {
      twitch = 0;
    } else if (context.type === 'pointermove') {
      if (twitch !== null) twitch++;
    } else if (context.type === 'pointerup') {
      if (twitch !== null && twitch < 4) await selector.unselectAll();
      twitch = null;
    }
    return context;
  });
  return { select };
}

export interface WireDrop {
  /** The socket the wire was dragged from. */
  from: { nodeId: string; side: 'input' | 'output'; key: string };
  client: { x: number; y: number };
  area: [number, number];
}

export interface EditorHandle {
  destroy(): void;
  /** Zoom so that these nodes (default: all) fill the view. */
  fit(ids?: string[]): Promise<void>;
  arrange(): Promise<void>;
  zoomBy(factor: number): Promise<void>;
  /** Client (page) coordinates -> area (graph) coordinates. */
  toArea(clientX: number, clientY: number): [number, number];
  /** The graph coordinates at the centre of the view. */
  viewCenter(): [number, number];
  nodeSizes(): Map<string, { width: number; height: number }>;
  /** Resolves once the view shows the current document. */
  synced(): Promise<void>;
  /**
   * Adds a node centred on `client` (a drop, a double-click, a wire's end; page px) or, when null,
   * on the centre of the free canvas (moved off a node already there), and always wholly inside
   * the visible free canvas: never under the minimap or past the canvas' edges, where the
   * palette, side panel, toolbar and totals bar are. Returns the new node's id.
   */
  addNodeAt(type: string, client: Point | null, opts?: { connectFrom?: string; connectTo?: [string, string] }): Promise<string | undefined>;
}

export interface EditorHooks {
  onWireDrop(drop: WireDrop): void;
  onBackgroundDoubleClick(client: { x: number; y: number }, area: [number, number]): void;
}

export async function createEditor(container: HTMLElement, hooks: EditorHooks): Promise<EditorHandle> {
  const editor = new NodeEditor<Schemes>();
  const area = new AreaPlugin<Schemes, AreaExtra>(container);
  const connection = new ConnectionPlugin<Schemes, AreaExtra>();
  const render = new ReactPlugin<Schemes, AreaExtra>({ createRoot });
  // Not bound to the viewport: bound, every pan move rescaled the minimap, so each of its 177
  // little nodes (ResNet-50) was restyled and laid out again on every pointer move.
  const minimap = new MinimapPlugin<Schemes>({ boundViewport: false });
  // Auto-arrange (elkjs, about 1.2 MB) is loaded the first time it is used.
  let arrange: AutoArrangePlugin<Schemes> | undefined;
  const pointer = { x: 0, y: 0 };

  const toArea = (clientX: number, clientY: number): [number, number] => {
    const rect = container.getBoundingClientRect();
    const { x, y, k } = area.area.transform;
    return [(clientX - rect.left - x) / k, (clientY - rect.top - y) / k];
  };

  area.area.setZoomHandler(new StepZoom(() => area.area.transform.k));

  // Level of detail: zoomed out, nodes show their compact face (editor.css), whose type is
  // counter-scaled by --ll-zoom to stay readable. One attribute and one variable on the canvas;
  // the variable only changes while the compact face shows.
  const applyZoomStyle = () => {
    const k = area.area.transform.k;
    const lod = k < LOD_COMPACT_BELOW ? 'compact' : 'full';
    if (container.dataset.lod !== lod) container.dataset.lod = lod;
    if (lod === 'compact') container.style.setProperty('--ll-zoom', k.toFixed(4));
  };
  applyZoomStyle();

  // --- placement of new nodes (placement.ts does the geometry, in page px) ------------------
  /** The canvas' box (within the window) and the boxes inside it that cover the graph. */
  const freeCanvas = (): { free: Box; covers: Box[] } => {
    const r = container.getBoundingClientRect();
    const free = { left: Math.max(0, r.left), top: Math.max(0, r.top), right: Math.min(window.innerWidth, r.right), bottom: Math.min(window.innerHeight, r.bottom) };
    const covers: Box[] = [];
    for (const el of container.querySelectorAll<HTMLElement>('[data-testid="minimap"], [data-canvas-overlay]')) {
      const b = el.getBoundingClientRect();
      if (b.width > 0 && b.height > 0) covers.push({ left: b.left, top: b.top, right: b.right, bottom: b.bottom });
    }
    return { free, covers };
  };
  const toClient = (ax: number, ay: number): Point => {
    const rect = container.getBoundingClientRect();
    const { x, y, k } = area.area.transform;
    return { x: rect.left + x + ax * k, y: rect.top + y + ay * k };
  };
  const onScreen = (s: Size): Size => ({ width: s.width * area.area.transform.k, height: s.height * area.area.transform.k });
  /** A new node's size before it is drawn: that of a node of the same type on the canvas, else Rete's default. */
  const expectedSize = (type: string): Size => {
    const same = editor.getNodes().find((n) => n.nodeType === type);
    return same ? { width: same.width, height: same.height } : { width: 220, height: 120 };
  };
  /** Area coordinates of the top-left corner that puts a node of `size` centred on `centre`, in the free canvas. */
  const placeFor = (size: Size, centre: Point): [number, number] => {
    const { free, covers } = freeCanvas();
    const p = placeBox(onScreen(size), centre, free, covers);
    return toArea(p.x, p.y);
  };

  const edgeOf = (c: LLConnection) => ({ from: [c.source, c.sourceOutput] as [string, string], to: [c.target, c.targetInput] as [string, string] });
  /** A wire's menu: remove it; in instructor mode, lock or unlock it (graph/locks.ts). */
  const wireMenu = (c: LLConnection) => {
    const edge = edgeOf(c);
    const { doc, mode } = useEditor.getState();
    const locked = !!doc.edges.find((e) => edgeKey(e) === edgeKey(edge))?.locked;
    return {
      searchBar: false,
      list: [
        { label: 'Remove wire', key: 'remove-wire', handler: () => void disconnectAction(edge, { ...pointer }) },
        ...(mode === 'author' ? [{ label: locked ? 'Unlock wire' : 'Lock wire', key: 'lock-wire', handler: () => void setEdgeLockAction(edge, !locked) }] : []),
      ],
    };
  };

  const contextMenu = new ContextMenuPlugin<Schemes>({
    items(context) {
      if (context === 'root') {
        const at = { ...pointer };
        return {
          searchBar: true,
          list: NODE_DEFS.filter((d) => d.role !== 'input' || !useEditor.getState().doc.nodes.some((n) => n.type === 'input')).map((d) => ({
            label: d.title,
            key: d.type,
            handler: () => void handle.addNodeAt(d.type, at),
          })),
        };
      }
      if (context instanceof LLConnection) return wireMenu(context);
      const id = context.id;
      const targets = () => {
        const sel = useEditor.getState().selection;
        return sel.includes(id) ? sel : [id];
      };
      return {
        searchBar: false,
        list: [
          { label: 'Duplicate', key: 'duplicate', handler: () => void duplicateAction(targets()) },
          { label: 'Delete', key: 'delete', handler: () => deleteNodesAction(targets()) },
          ...blockMenuItems(id, targets()),
        ],
      };
    },
  });

  const selector = AreaExtensions.selector();
  const selectable = selectableNodes(area, editor, selector, AreaExtensions.accumulateOnCtrl());
  AreaExtensions.simpleNodesOrder(area);

  const sockets = new BatchedSocketPosition(() => editor);
  render.addPreset(Presets.classic.setup({ socketPositionWatcher: sockets as never, customize: { node: () => NodeView as never, connection: () => WireView as never } }));
  render.addPreset(Presets.contextMenu.setup({ delay: 400, customize: { search: () => ContextMenuSearch } }));
  render.addPreset(Presets.minimap.setup({ size: 160 }));
  connection.addPreset(ConnectionPresets.classic.setup());

  // Cold faces (face.ts): a node of a big graph is drawn in plain DOM, without a React root, until
  // it first comes near the view; a wire, until one of its ends is drawn by React. This pipe runs
  // before the React plugin's, which skips what is marked filled.
  const cold = new ColdFaces();
  const mounted = new Set<string>();
  const wired = new Set<string>();
  area.addPipe((ctx) => {
    if (!ctx || typeof ctx !== 'object' || !('type' in ctx)) return ctx;
    if (ctx.type === 'render' && !('filled' in ctx.data && ctx.data.filled)) {
      if (ctx.data.type === 'node') {
        const node = ctx.data.payload as LLNode;
        if (!mounted.has(node.id) && !nearNodes.isNear(node.id)) {
          cold.draw(ctx.data.element, node, useEditor.getState());
          return { ...ctx, data: { ...ctx.data, filled: true } } as typeof ctx;
        }
        cold.drop(node.id);
        mounted.add(node.id);
      } else if (ctx.data.type === 'connection') {
        const c = ctx.data.payload as LLConnection;
        if (!wired.has(c.id) && !mounted.has(c.source) && !mounted.has(c.target)) return { ...ctx, data: { ...ctx.data, filled: true } } as typeof ctx;
        wired.add(c.id);
      }
    } else if (ctx.type === 'noderemoved') {
      cold.drop(ctx.data.id);
      mounted.delete(ctx.data.id);
    } else if (ctx.type === 'connectionremoved') {
      wired.delete(ctx.data.id);
    }
    return ctx;
  });
  /**
   * Draws with React the near nodes that are still cold, and their wires, in the order given (the
   * nodes in view first), a slice at a time: a frame and input get through between slices.
   */
  let promoting: Promise<void> = Promise.resolve();
  /** Promotions queued or running: the minimap waits for them (each drawn node asked it to redraw). */
  let promotions = 0;
  const promote = (ids: string[]) => {
    if (!ids.length) return;
    promotions++;
    promoting = promoting.then(async () => {
      let slice = performance.now();
      for (const id of ids) {
        if (mounted.has(id) || !editor.getNode(id) || !nearNodes.isNear(id)) continue;
        await area.update('node', id);
        for (const c of editor.getConnections()) if ((c.source === id || c.target === id) && !wired.has(c.id)) await area.update('connection', c.id);
        if (performance.now() - slice > PROMOTE_SLICE_MS) {
          await new Promise((r) => setTimeout(r, 0));
          slice = performance.now();
        }
      }
    })
      .catch((e) => console.error('LayerLab: drawing nodes in full failed', e))
      .finally(() => {
        if (--promotions === 0) renderMinimap();
      });
  };

  editor.use(area);
  area.use(connection);
  area.use(render);
  area.use(contextMenu);
  area.use(minimap);

  // The minimap redraws all its nodes (and reads the canvas' size, forcing a layout) on every
  // node render, node move, pan and zoom: a Ctrl+A on ResNet-50 redrew it 177 times in one go,
  // and each pointer move of a pan redrew it. Once per animation frame is enough, and none while
  // nodes are being drawn in full (promote), which redraws it once at the end.
  const minimapRender = (minimap as unknown as { render(): void }).render.bind(minimap);
  let minimapFrame = 0;
  const renderMinimap = () => (minimap as unknown as { render(): void }).render();
  (minimap as unknown as { render(): void }).render = () => {
    if (!minimapFrame && !nearHeld && !promotions)
      minimapFrame = requestAnimationFrame(() => {
        minimapFrame = 0;
        minimapRender();
      });
  };

  // --- which nodes draw in full (visibility.ts) ---------------------------------------------
  let viewSize = { width: container.clientWidth, height: container.clientHeight };
  /** Set while a big graph is being opened: the nodes near the view are chosen once it is fitted. */
  let nearHeld = false;
  let nearHeldTimer: ReturnType<typeof setTimeout> | undefined;
  const updateNear = () => {
    if (nearHeld) return;
    const nodes = editor.getNodes();
    if (nodes.length <= ALL_NEAR_UP_TO) {
      nearNodes.set('all');
      return promote(cold.ids());
    }
    const { x, y, k } = area.area.transform;
    const view: AreaBox = { left: -x / k, top: -y / k, right: (viewSize.width - x) / k, bottom: (viewSize.height - y) / k };
    const boxes = nodes.flatMap((n): [string, AreaBox][] => {
      const p = area.nodeViews.get(n.id)?.position;
      return p ? [[n.id, { left: p.x, top: p.y, right: p.x + n.width, bottom: p.y + n.height }]] : [];
    });
    const ids = nearIds(boxes, view, NEAR_MARGIN);
    nearNodes.set(ids);
    const inView = new Set(nearIds(boxes, view, 0));
    const waiting = ids.filter((id) => !mounted.has(id));
    promote([...waiting.filter((id) => inView.has(id)), ...waiting.filter((id) => !inView.has(id))]);
  };
  let nearFrame = 0;
  const scheduleNear = () => {
    if (!nearFrame)
      nearFrame = requestAnimationFrame(() => {
        nearFrame = 0;
        updateNear();
      });
  };
  const holdNear = () => {
    clearTimeout(nearHeldTimer);
    nearHeld = true;
    nearNodes.set([]);
    // Nothing of the graph is laid out or painted, frame after frame, while it is being built.
    area.area.content.holder.style.display = 'none';
  };
  /** At the end of the sync: fit() releases the hold; if nobody fits the view, it ends a moment later. */
  const releaseNearSoon = () => {
    if (nearHeld) nearHeldTimer = setTimeout(releaseNear, 200);
  };
  let releaseFrame = 0;
  let releaseTimer: ReturnType<typeof setTimeout> | undefined;
  const releaseNear = () => {
    if (!nearHeld) return updateNear();
    clearTimeout(nearHeldTimer);
    nearHeld = false;
    area.area.content.holder.style.display = '';
    // The first frame shows the whole graph in light faces (cheap: face.ts); right after it, the
    // nodes in view are drawn in full, then those near it, and the minimap. The near set that the
    // fit's zoom asked for (scheduleNear) would draw them before that first frame: it waits too.
    cancelAnimationFrame(nearFrame);
    nearFrame = 0;
    cancelAnimationFrame(releaseFrame);
    releaseFrame = requestAnimationFrame(() => {
      releaseFrame = 0;
      releaseTimer = setTimeout(() => {
        updateNear();
        renderMinimap();
      }, 0);
    });
  };
  const resizeObserver = new ResizeObserver(() => {
    viewSize = { width: container.clientWidth, height: container.clientHeight };
    scheduleNear();
  });
  resizeObserver.observe(container);

  // --- Rete -> document -------------------------------------------------------------------
  /**
   * Set when picking up a wire was refused (a lock): Rete then drags a new wire from its output,
   * which must come to nothing — no second message, no quick-add menu where it is dropped.
   */
  let refusedPick = false;

  editor.addPipe((ctx) => {
    if (ctx.type === 'connectioncreate') {
      const c = ctx.data as LLConnection;
      if (c.fromDoc) return ctx;
      if (refusedPick) return undefined;
      // A wire the user drew: the store checks it (cycle, taken port, shapes) and the sync adds it.
      connectAction(c.source, c.target, c.targetInput, { ...pointer });
      return undefined;
    }
    if (ctx.type === 'connectionremove') {
      const c = ctx.data as LLConnection;
      // Picked up from an input socket; a locked wire stays where it is.
      if (!c.removingByDoc && !disconnectAction(edgeOf(c), { ...pointer })) {
        refusedPick = true;
        return undefined;
      }
      return ctx;
    }
    return ctx;
  });

  const mirrorSelection = () => {
    const ids = [...selector.entities.values()].map((e) => e.id).filter((id) => editor.getNode(id));
    useEditor.getState().setSelection(ids);
  };
  // Mirror Rete's selection into the store the moment it changes (the store drives the inspector,
  // Delete, Copy…), by wrapping the selector's three mutating methods.
  let applyingStoreSelection = false;
  for (const method of ['add', 'remove', 'unselectAll'] as const) {
    const original = selector[method].bind(selector) as (...args: unknown[]) => Promise<void>;
    (selector as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      await original(...args);
      if (!applyingStoreSelection) mirrorSelection();
    };
  }

  /** Nodes added quietly (below), and where their view's first move takes them. */
  const placing = new Map<string, Point>();
  area.addPipe((ctx) => {
    switch (ctx.type) {
      case 'nodetranslate': {
        const at = placing.get(ctx.data.id);
        if (at) {
          placing.delete(ctx.data.id);
          return { ...ctx, data: { ...ctx.data, position: { ...at } } };
        }
        break;
      }
      case 'pointermove':
        pointer.x = ctx.data.event.clientX;
        pointer.y = ctx.data.event.clientY;
        break;
      case 'pointerdown':
        pointer.x = ctx.data.event.clientX;
        pointer.y = ctx.data.event.clientY;
        break;
      case 'zoomed':
        applyZoomStyle();
        scheduleNear();
        break;
      case 'translated':
      case 'nodetranslated':
        scheduleNear();
        break;
      case 'nodepicked':
        openBlockOnSecondPick(ctx.data.id); // a double-click on a block instance opens it
        break;
      case 'nodedragged': {
        const ids = new Set([...selector.entities.values()].map((e) => e.id));
        ids.add(ctx.data.id);
        const positions = new Map<string, [number, number]>();
        for (const id of ids) {
          const view = area.nodeViews.get(id);
          if (view) positions.set(id, [view.position.x, view.position.y]);
        }
        moveNodesAction(positions);
        break;
      }
    }
    return ctx;
  });

  connection.addPipe((ctx) => {
    if (ctx.type === 'connectiondrop' && refusedPick) {
      refusedPick = false;
      return ctx;
    }
    if (ctx.type === 'connectiondrop' && !ctx.data.created && !ctx.data.socket) {
      const s: SocketData = ctx.data.initial;
      hooks.onWireDrop({ from: { nodeId: s.nodeId, side: s.side, key: s.key }, client: { ...pointer }, area: toArea(pointer.x, pointer.y) });
    }
    return ctx;
  });

  const onDblClick = (e: MouseEvent) => {
    if ((e.target as HTMLElement).closest('[data-testid="node"]')) return;
    hooks.onBackgroundDoubleClick({ x: e.clientX, y: e.clientY }, toArea(e.clientX, e.clientY));
  };
  container.addEventListener('dblclick', onDblClick);

  // --- document -> Rete -------------------------------------------------------------------
  /**
   * Adding a node or wire through Rete (editor.addNode / addConnection) sends a 'create' and a
   * 'created' signal through every plugin's pipe (a dozen async steps each, 20–50 µs) before the
   * area draws it, and awaiting each item serialises those steps. While a whole graph is being opened
   * (nearHeld) nobody needs those signals — the area draws the item (its 'render' signal still goes
   * through the pipes: cold faces, React), the minimap and the near set wait for the fit, and the
   * store has already checked every wire — so the item is put in the editor's list and drawn by
   * the area directly, as the area plugin does on 'nodecreated' / 'connectioncreated' (with
   * simpleNodesOrder's move of a wire under the nodes). False (the caller takes Rete's way) if
   * Rete's lists are not where this expects them.
   */
  const lists = editor as unknown as { nodes?: LLNode[]; connections?: LLConnection[] };
  const quietly = {
    /**
     * The area's node view moves itself to (0, 0) when it is made (an async translate, through the
     * pipes); the pipe below turns that first move into one to `at`, so the node is placed with
     * the two translate events it has anyway (the minimap and the near set wait for the fit).
     */
    addNode(node: LLNode, at: Point): boolean {
      if (!Array.isArray(lists.nodes) || editor.getNode(node.id)) return false;
      lists.nodes.push(node);
      placing.set(node.id, at);
      area.addNodeView(node);
      return true;
    },
    addConnection(c: LLConnection): boolean {
      if (!Array.isArray(lists.connections) || editor.getConnection(c.id)) return false;
      lists.connections.push(c);
      const view = area.addConnectionView(c);
      const holder = area.area.content.holder;
      holder.insertBefore(view.element, holder.firstChild);
      return true;
    },
  };

  let running: Promise<void> = Promise.resolve();
  let queued = false;

  async function syncTo(doc: GraphDoc) {
    let slice = performance.now();
    const breathe = async () => {
      if (performance.now() - slice < SYNC_SLICE_MS) return;
      await new Promise((r) => setTimeout(r, 0));
      slice = performance.now();
    };
    if (doc.nodes.length <= ALL_NEAR_UP_TO) nearNodes.set('all');
    else if (!doc.nodes.some((d) => editor.getNode(d.id))) holdNear(); // a whole graph being opened: nothing in full until the view is fitted
    const docNodes = new Map(doc.nodes.map((n) => [n.id, n]));
    // Connections that should go: to removed nodes, removed edges or removed ports.
    const wanted = new Map(doc.edges.map((e) => [edgeKey(e), e]));
    for (const c of [...editor.getConnections()]) {
      if (!wanted.has(c.id)) {
        c.removingByDoc = true;
        if (editor.getConnection(c.id)) await editor.removeConnection(c.id);
      }
    }
    for (const node of [...editor.getNodes()]) {
      const d = docNodes.get(node.id);
      if (!d || d.type !== node.nodeType) await editor.removeNode(node.id);
    }
    for (const d of doc.nodes) {
      const def = getNodeDef(d.type);
      const ports = def ? inputPorts(def, d.params.inputs) : docNodePorts(doc, d);
      let node = editor.getNode(d.id);
      if (!node) {
        node = new LLNode(d.id, d.type);
        for (const p of ports) node.addInput(p, viewInput(p));
        node.addOutput('out', viewOutput('out'));
        const [x, y] = d.position ?? [0, 0];
        if (!(nearHeld && quietly.addNode(node, { x, y }))) {
          await editor.addNode(node);
          await area.translate(node.id, { x, y });
        }
        await breathe();
        continue;
      }
      const have = Object.keys(node.inputs);
      if (have.length !== ports.length || have.some((p, i) => p !== ports[i])) {
        for (const p of have) if (!ports.includes(p)) node.removeInput(p);
        for (const p of ports) if (!node.hasInput(p)) node.addInput(p, viewInput(p));
        await area.update('node', node.id);
      }
      const view = area.nodeViews.get(d.id);
      if (d.position && view && (view.position.x !== d.position[0] || view.position.y !== d.position[1])) {
        await area.translate(d.id, { x: d.position[0], y: d.position[1] });
      }
    }
    for (const [key, e] of wanted) {
      if (editor.getConnection(key)) continue;
      const source = editor.getNode(e.from[0]);
      const target = editor.getNode(e.to[0]);
      if (!source || !target || !target.hasInput(e.to[1])) continue;
      const c = new LLConnection(source, 'out', target, e.to[1]);
      c.id = key;
      c.fromDoc = true;
      if (!(nearHeld && quietly.addConnection(c))) await editor.addConnection(c);
      await breathe();
    }
    releaseNearSoon();
    scheduleNear();
  }

  function requestSync(): Promise<void> {
    if (queued) return running;
    queued = true;
    running = running.then(async () => {
      await new Promise((r) => setTimeout(r, 0)); // let Rete finish the user's own operation first
      queued = false;
      try {
        await syncTo(useEditor.getState().doc);
      } catch (e) {
        console.error('LayerLab: view sync failed, retrying', e);
        await syncTo(useEditor.getState().doc).catch((err) => console.error(err));
      }
    });
    return running;
  }

  let lastDoc = useEditor.getState().doc;
  let lastSelection = useEditor.getState().selection;
  let lastAnalysis = useEditor.getState().analysis;
  const unsubscribe = useEditor.subscribe((s) => {
    if (s.doc !== lastDoc) {
      lastDoc = s.doc;
      void requestSync();
    }
    if (s.selection !== lastSelection || s.analysis !== lastAnalysis) {
      lastAnalysis = s.analysis;
      for (const id of cold.ids()) cold.update(id, s);
    }
    if (s.selection !== lastSelection) {
      lastSelection = s.selection;
      const current = [...selector.entities.values()].map((e) => e.id);
      if (current.length !== s.selection.length || current.some((id) => !s.selection.includes(id))) {
        void (async () => {
          await running;
          applyingStoreSelection = true;
          try {
            await selector.unselectAll();
            for (const id of useEditor.getState().selection) if (editor.getNode(id)) await selectable.select(id, true);
          } finally {
            applyingStoreSelection = false;
          }
        })();
      }
    }
  });

  await requestSync();

  const handle: EditorHandle = {
    destroy() {
      cancelAnimationFrame(minimapFrame);
      cancelAnimationFrame(nearFrame);
      cancelAnimationFrame(releaseFrame);
      clearTimeout(releaseTimer);
      clearTimeout(nearHeldTimer);
      resizeObserver.disconnect();
      unsubscribe();
      container.removeEventListener('dblclick', onDblClick);
      area.destroy();
    },
    async fit(ids) {
      await running;
      const nodes = ids ? ids.map((id) => editor.getNode(id)).filter((n): n is LLNode => !!n) : editor.getNodes();
      const boxes = nodes.flatMap((n) => {
        const p = area.nodeViews.get(n.id)?.position;
        return p ? [boxAt(p.x, p.y, { width: n.width, height: n.height })] : [];
      });
      if (!boxes.length) return;
      const left = Math.min(...boxes.map((b) => b.left));
      const top = Math.min(...boxes.map((b) => b.top));
      const width = Math.max(...boxes.map((b) => b.right)) - left;
      const height = Math.max(...boxes.map((b) => b.bottom)) - top;
      const W = container.clientWidth;
      const H = container.clientHeight;
      // Fill 90% of the view, but never magnify past 100% (a lone node should not fill the
      // screen) nor shrink below FIT_MIN_ZOOM (unreadable): a graph too big for that shows its
      // start — its left end, and the row of its Input node — and the minimap shows the rest.
      const k = Math.min(1, Math.max(FIT_MIN_ZOOM, Math.min((0.9 * W) / width, (0.9 * H) / height)));
      const edge = 32;
      // The start: the Input node (else the leftmost), its row centred when the graph is too tall.
      const startNode = nodes.find((n) => n.nodeType === 'input') ?? nodes[boxes.findIndex((b) => b.left === left)];
      const start = startNode && area.nodeViews.get(startNode.id)?.position;
      const startY = start ? start.y + startNode.height / 2 : top + height / 2;
      area.area.transform.x = width * k <= W - 2 * edge ? W / 2 - (left + width / 2) * k : edge - left * k;
      area.area.transform.y = height * k <= H - 2 * edge ? H / 2 - (top + height / 2) * k : H / 2 - startY * k;
      await area.area.zoom(k, 0, 0);
      releaseNear();
    },
    async arrange() {
      await running;
      if (!arrange) {
        const { AutoArrangePlugin, Presets: ArrangePresets } = await import('rete-auto-arrange-plugin');
        arrange = new AutoArrangePlugin<Schemes>();
        arrange.addPreset(ArrangePresets.classic.setup());
        area.use(arrange);
      }
      await arrange.layout({ options: { 'elk.direction': 'RIGHT', 'elk.spacing.nodeNode': '40', 'elk.layered.spacing.nodeNodeBetweenLayers': '60' } });
      const positions = new Map<string, [number, number]>();
      for (const [id, view] of area.nodeViews) positions.set(id, [view.position.x, view.position.y]);
      moveNodesAction(positions, 'Auto-arrange');
    },
    async zoomBy(wanted) {
      // Zoom around the centre of the view: the point under it stays put.
      const rect = container.getBoundingClientRect();
      const { k, x, y } = area.area.transform;
      const factor = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k * wanted)) / k;
      await area.area.zoom(k * factor, (rect.width / 2 - x) * (1 - factor), (rect.height / 2 - y) * (1 - factor));
    },
    toArea,
    viewCenter() {
      const rect = container.getBoundingClientRect();
      return toArea(rect.left + rect.width / 2, rect.top + rect.height / 2);
    },
    nodeSizes() {
      return new Map(editor.getNodes().map((n) => [n.id, { width: n.width, height: n.height }]));
    },
    synced: () => running,
    // The node is added synchronously (callers such as the palette's keyboard path look for it
    // right away); only the exact re-centring waits for it to be drawn.
    async addNodeAt(type, client, opts = {}) {
      const expected = expectedSize(type);
      let centre = client;
      if (!centre) {
        // The centre of the free canvas, moved along if a node already sits right there.
        const { free } = freeCanvas();
        const taken = editor.getNodes().flatMap((n) => {
          const p = area.nodeViews.get(n.id)?.position;
          if (!p) return [];
          const c = toClient(p.x, p.y);
          return [boxAt(c.x, c.y, onScreen({ width: n.width, height: n.height }))];
        });
        centre = unstack(freeCentre(free), onScreen(expected), taken, free, 32);
      }
      const id = isBlockRef(type) ? addBlockRefAction(type, placeFor(expected, centre)) : addNodeAction(type, placeFor(expected, centre), opts);
      if (!id) return undefined;
      // Once it is drawn, centre it exactly on its real size, in the same undo step (the size can
      // still change in the frames after it is first drawn: measure until it holds still).
      let last = expected;
      for (let frame = 0; frame < 4; frame++) {
        await handle.synced();
        await new Promise((r) => requestAnimationFrame(r));
        const el = area.nodeViews.get(id)?.element;
        if (!el) break;
        const size = { width: el.offsetWidth, height: el.offsetHeight };
        if (frame > 0 && size.width === last.width && size.height === last.height) break;
        last = size;
        if (!settleNewNodeAction(id, placeFor(size, centre)) && frame > 0) break;
      }
      await handle.synced();
      return id;
    },
  };
  return handle;
}
