/**
 * The Rete view of the graph document: setup of the editor and its plugins, and the one module
 * that syncs both ways. Document -> Rete: after every store change, Rete's nodes, ports,
 * connections and positions are brought in line with the document. Rete -> document: wires
 * drawn or picked up, nodes dragged and nodes picked become store actions (which check them
 * first). Rete never changes the graph on its own.
 */
import { createRoot } from 'react-dom/client';
import { ClassicPreset, NodeEditor } from 'rete';
import { AreaExtensions, AreaPlugin } from 'rete-area-plugin';
import type { AutoArrangePlugin } from 'rete-auto-arrange-plugin';
import { ConnectionPlugin, Presets as ConnectionPresets, type SocketData } from 'rete-connection-plugin';
import { ContextMenuPlugin } from 'rete-context-menu-plugin';
import { MinimapPlugin } from 'rete-minimap-plugin';
import { Presets, ReactPlugin } from 'rete-react-plugin';
import { NODE_DEFS, getNodeDef } from '../../../nodes/registry';
import { inputPorts } from '../../../nodes/types';
import { edgeKey } from '../../graph/edit';
import type { GraphDoc } from '../../graph/types';
import { addNodeAction, connectAction, deleteNodesAction, disconnectAction, duplicateAction, moveNodesAction } from '../actions';
import { useEditor } from '../store';
import { ContextMenuSearch } from './ContextMenuSearch';
import { NodeView } from './NodeView';
import { LLConnection, LLNode, tensorSocket, type AreaExtra, type Schemes } from './types';

/**
 * An input port in the view. It is marked as taking several wires only so that Rete's connection
 * flow does not delete the existing wire before the store has checked a new one; the document
 * (edit.connect) is what allows exactly one wire per input and explains a refusal.
 */
const viewInput = (key: string) => new ClassicPreset.Input(tensorSocket, key, true);

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
  const minimap = new MinimapPlugin<Schemes>({ boundViewport: true });
  // Auto-arrange (elkjs, about 1.2 MB) is loaded the first time it is used.
  let arrange: AutoArrangePlugin<Schemes> | undefined;
  const pointer = { x: 0, y: 0 };

  const toArea = (clientX: number, clientY: number): [number, number] => {
    const rect = container.getBoundingClientRect();
    const { x, y, k } = area.area.transform;
    return [(clientX - rect.left - x) / k, (clientY - rect.top - y) / k];
  };

  const contextMenu = new ContextMenuPlugin<Schemes>({
    items(context) {
      if (context === 'root') {
        const at = toArea(pointer.x, pointer.y);
        return {
          searchBar: true,
          list: NODE_DEFS.filter((d) => d.role !== 'input' || !useEditor.getState().doc.nodes.some((n) => n.type === 'input')).map((d) => ({
            label: d.title,
            key: d.type,
            handler: () => void addNodeAction(d.type, at),
          })),
        };
      }
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
        ],
      };
    },
  });

  const selector = AreaExtensions.selector();
  const selectable = AreaExtensions.selectableNodes(area, selector, { accumulating: AreaExtensions.accumulateOnCtrl() });
  AreaExtensions.simpleNodesOrder(area);

  render.addPreset(Presets.classic.setup({ customize: { node: () => NodeView as never } }));
  render.addPreset(Presets.contextMenu.setup({ delay: 400, customize: { search: () => ContextMenuSearch } }));
  render.addPreset(Presets.minimap.setup({ size: 160 }));
  connection.addPreset(ConnectionPresets.classic.setup());

  editor.use(area);
  area.use(connection);
  area.use(render);
  area.use(contextMenu);
  area.use(minimap);

  // --- Rete -> document -------------------------------------------------------------------
  const edgeOf = (c: LLConnection) => ({ from: [c.source, c.sourceOutput] as [string, string], to: [c.target, c.targetInput] as [string, string] });

  editor.addPipe((ctx) => {
    if (ctx.type === 'connectioncreate') {
      const c = ctx.data as LLConnection;
      if (c.fromDoc) return ctx;
      // A wire the user drew: the store checks it (cycle, taken port, shapes) and the sync adds it.
      connectAction(c.source, c.target, c.targetInput, { ...pointer });
      return undefined;
    }
    if (ctx.type === 'connectionremove') {
      const c = ctx.data as LLConnection;
      if (!c.removingByDoc) disconnectAction(edgeOf(c)); // picked up from an input socket
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

  area.addPipe((ctx) => {
    switch (ctx.type) {
      case 'pointermove':
        pointer.x = ctx.data.event.clientX;
        pointer.y = ctx.data.event.clientY;
        break;
      case 'pointerdown':
        pointer.x = ctx.data.event.clientX;
        pointer.y = ctx.data.event.clientY;
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
  let running: Promise<void> = Promise.resolve();
  let queued = false;

  async function syncTo(doc: GraphDoc) {
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
      const ports = def ? inputPorts(def, d.params.inputs) : [];
      let node = editor.getNode(d.id);
      if (!node) {
        node = new LLNode(d.id, d.type);
        for (const p of ports) node.addInput(p, viewInput(p));
        node.addOutput('out', new ClassicPreset.Output(tensorSocket, 'out'));
        await editor.addNode(node);
        const [x, y] = d.position ?? [0, 0];
        await area.translate(node.id, { x, y });
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
      await editor.addConnection(c);
    }
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
  const unsubscribe = useEditor.subscribe((s) => {
    if (s.doc !== lastDoc) {
      lastDoc = s.doc;
      void requestSync();
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
      unsubscribe();
      container.removeEventListener('dblclick', onDblClick);
      area.destroy();
    },
    async fit(ids) {
      await running;
      const nodes = ids ? ids.map((id) => editor.getNode(id)).filter((n): n is LLNode => !!n) : editor.getNodes();
      if (!nodes.length) return;
      await AreaExtensions.zoomAt(area, nodes, { scale: 0.9 });
      // Never magnify past 100%: a lone node should not fill the screen.
      if (area.area.transform.k > 1) await handle.zoomBy(1 / area.area.transform.k);
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
    async zoomBy(factor) {
      // Zoom around the centre of the view: the point under it stays put.
      const rect = container.getBoundingClientRect();
      const { k, x, y } = area.area.transform;
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
  };
  return handle;
}
