/**
 * The LayerLab editor: toolbar, palette, canvas (Rete), inspector and totals. On start it
 * restores the autosaved graph (or opens LeNet-5), then applies a shared link if the URL has
 * one. Every change is autosaved to IndexedDB with its undo history.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { getNodeDef } from '../../nodes/registry';
import { emptyGraph, typesAccepting } from '../graph/edit';
import { serializeGraph } from '../graph/serialize';
import type { GraphDoc } from '../graph/types';
import { DEFAULT_PRESET, findPreset } from '../app/presets';
import { addNodeAction, copyAction, deleteNodesAction, duplicateAction, loadAction, pasteAction } from './actions';
import { keepAside, readAutosave, recordVersion, saveSnapshot } from './autosave';
import { AutosaveBanner, useAutosaveProblem, VersionsDialog } from './Versions';
import { ExportDialog } from './ExportDialog';
import { currentShareUrl, exportPng, exportSvg, openFiles, saveFile } from './files';
import { LoadErrorBanner, NoticeToast } from './Notices';
import { Palette, PALETTE_MIME } from './Palette';
import { PresetGallery } from './PresetGallery';
import { QuickAdd, type QuickAddRequest } from './QuickAdd';
import { createEditor, type EditorHandle, type WireDrop } from './rete/editor';
import { readShareHash } from './share';
import { readLessonHash } from '../lessons/links';
import { openLesson, restoreOpenLesson } from '../lessons/session';
import { ShareDialog } from './ShareDialog';
import { SidePanel } from './SidePanel';
import { NodeDetailModal } from './NodeDetail';
import { KernelLabModal } from './labs/KernelLab';
import { ShortcutSheet } from './ShortcutSheet';
import { isTyping, SHORTCUTS, type ShortcutAction } from './shortcuts';
import { rootDoc, useEditor } from './store';
import { BlockBreadcrumb } from './blocks/BlockBreadcrumb';
import { isBlockRef, makeBlockAction } from './blocks/actions';
import { Toolbar } from './Toolbar';
import { TotalsBar } from './TotalsBar';
import './editor.css';

/**
 * For a big graph, open on a readable region rather than fitting everything (ResNet-50 fitted
 * whole is unreadable): the nodes within about one screen to the right of the input node.
 */
function readableStart(doc: GraphDoc): string[] | undefined {
  const input = doc.nodes.find((n) => n.type === 'input')?.position ?? doc.nodes[0]?.position;
  if (!input) return undefined;
  const [x0, y0] = input;
  const near = doc.nodes.filter((n) => n.position && n.position[0] >= x0 - 50 && n.position[0] <= x0 + 1500 && Math.abs(n.position[1] - y0) <= 250);
  return near.length ? near.map((n) => n.id) : undefined;
}

let started: Promise<void> | null = null;

/**
 * Restores the autosave (or LeNet-5), then applies a shared link from the URL — once per page:
 * React StrictMode runs the start-up effect twice in development, and a second run used to
 * restore the autosave over the link the first had just opened (and removed from the URL).
 */
function startUp(): Promise<void> {
  started ??= restoreAndOpenLink();
  return started;
}

/** True when an unreadable autosave could not be set aside: then nothing may be saved over it. */
let autosaveBlocked = false;

async function restoreAndOpenLink() {
  const store = useEditor.getState();
  const read = await readAutosave();
  if (read.kind === 'ok') {
    if (read.dropped) {
      // Some undo steps no longer read: keep the whole stored value before the next save drops them.
      const kept = await keepAside(read.raw, `${read.dropped} undo/redo step${read.dropped > 1 ? 's' : ''} could not be read`);
      if (!kept) autosaveBlocked = true;
      store.notify('error', `${read.dropped} undo step${read.dropped > 1 ? 's' : ''} of your last session could not be read; they are kept under Versions.`);
    }
    const entry = (doc: GraphDoc) => ({ doc, label: 'earlier change' });
    store.restore(read.snapshot.doc, read.snapshot.past.map(entry), read.snapshot.future.map(entry));
  } else {
    if (read.kind === 'unreadable') {
      const kept = await keepAside(read.raw, read.reason);
      if (!kept) autosaveBlocked = true;
      useAutosaveProblem.getState().set({
        kept,
        message: kept
          ? `Your last autosaved graph could not be read (${read.reason}). It is kept as it was, and LeNet-5 is open instead.`
          : `Your last autosaved graph could not be read (${read.reason}), and this browser would not let LayerLab set it aside, so autosave is off for now to keep it. Save your work as a file.`,
      });
    } else if (read.kind === 'failed') {
      store.notify('error', `Autosave is not available in this browser (${read.reason}). Save your graph as a file.`);
    }
    const preset = findPreset(DEFAULT_PRESET);
    store.restore(preset?.ok ? preset.doc : emptyGraph(), [], []);
  }
  const lessonLink = readLessonHash(window.location.hash);
  const link = readShareHash(window.location.hash);
  if (link) {
    const same = link.ok && serializeGraph(link.doc) === serializeGraph(useEditor.getState().doc);
    if (!same) loadAction(link, 'Shared link');
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  // A lesson link (#lesson=…) opens its lesson; otherwise the lesson open last time comes back.
  if (lessonLink) {
    if (lessonLink.ok) openLesson(lessonLink.lesson, { course: lessonLink.course });
    else store.setLoadError(`Lesson link: ${lessonLink.message}`);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  } else restoreOpenLesson();
  if (!autosaveBlocked) void recordVersion(useEditor.getState().doc);
}

function useAutosave(enabled: boolean) {
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = { doc: useEditor.getState().doc, past: useEditor.getState().past, future: useEditor.getState().future };
    const save = () => {
      if (autosaveBlocked) return;
      const s = useEditor.getState();
      // The whole graph, also while a block is open (the history holds whole graphs too).
      void recordVersion(rootDoc(s));
      void saveSnapshot({ doc: rootDoc(s), past: s.past.map((e) => e.doc), future: s.future.map((e) => e.doc), savedAt: Date.now() }).then((ok) => {
        if (!ok) useEditor.getState().notify('error', 'Autosave failed: this browser does not let LayerLab store data. Save your graph as a file.');
      });
    };
    const unsubscribe = useEditor.subscribe((s) => {
      if (s.doc === last.doc && s.past === last.past && s.future === last.future) return;
      last = { doc: s.doc, past: s.past, future: s.future };
      clearTimeout(timer);
      timer = setTimeout(save, 120);
    });
    const flush = () => {
      if (timer) {
        clearTimeout(timer);
        save();
      }
    };
    // Save what start-up showed at once (a shared link's graph, say): a reload must not lose it.
    save();
    window.addEventListener('pagehide', flush);
    return () => {
      unsubscribe();
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [enabled]);
}

export function EditorApp() {
  const [ready, setReady] = useState(false);
  const [quickAdd, setQuickAdd] = useState<QuickAddRequest | null>(null);
  const [modal, setModal] = useState<null | 'presets' | 'help' | 'export' | 'versions' | { share: string }>(null);
  const canvasRef = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const handleRef = useRef<EditorHandle | null>(null);
  const loads = useEditor((s) => s.loads);

  useEffect(() => {
    let cancelled = false;
    startUp()
      .catch((e) => useEditor.getState().setLoadError(`LayerLab could not restore your last graph (${(e as Error).message}).`))
      .finally(() => !cancelled && setReady(true));
    return () => {
      cancelled = true;
    };
  }, []);
  useAutosave(ready);

  const onWireDrop = useCallback((drop: WireDrop) => {
    const { doc, analysis } = useEditor.getState();
    if (drop.from.side === 'output') {
      setQuickAdd({
        client: drop.client,
        area: drop.area,
        types: typesAccepting(doc, drop.from.nodeId, analysis),
        title: `Add a layer after ${drop.from.nodeId}`,
        // The new node is centred where the wire was let go (kept inside the free canvas).
        onPick: (type) => void handleRef.current?.addNodeAt(type, drop.client, { connectFrom: drop.from.nodeId }),
      });
    } else {
      setQuickAdd({
        client: drop.client,
        area: drop.area,
        title: `Add a layer before ${drop.from.nodeId}`,
        onPick: (type) => void handleRef.current?.addNodeAt(type, drop.client, { connectTo: [drop.from.nodeId, drop.from.key] }),
      });
    }
  }, []);

  // Mount Rete once the store holds the graph to show. `editorUp` lets the fit below wait for it.
  const [editorUp, setEditorUp] = useState(false);
  useEffect(() => {
    if (!ready || !canvasRef.current) return;
    let cancelled = false;
    let handle: EditorHandle | null = null;
    void createEditor(canvasRef.current, {
      onWireDrop,
      onBackgroundDoubleClick: (client, area) =>
        setQuickAdd({ client, area, title: 'Add a layer', onPick: (type) => void handleRef.current?.addNodeAt(type, client) }),
    }).then((h) => {
      if (cancelled) return h.destroy();
      handle = h;
      handleRef.current = h;
      setEditorUp(true);
    });
    return () => {
      cancelled = true;
      handle?.destroy();
      handleRef.current = null;
      setEditorUp(false);
    };
  }, [ready, onWireDrop]);

  // Zoom to a readable region whenever a whole graph is loaded. `fitted` (data-fitted on the
  // canvas) tells people who automate LayerLab when the view has settled.
  const [fitted, setFitted] = useState(false);
  useEffect(() => {
    if (!ready || !editorUp) return;
    setFitted(false);
    let cancelled = false;
    const t = setTimeout(async () => {
      const h = handleRef.current;
      if (!h) return;
      await h.synced();
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      const { doc } = useEditor.getState();
      await h.fit(doc.nodes.length > 40 ? readableStart(doc) : undefined);
      if (!cancelled) setFitted(true);
    }, 0);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }, [ready, loads, editorUp]);

  // Palette click / Enter: the centre of the visible free canvas (moved along if a node is already there).
  const addAtCenter = useCallback((type: string) => {
    const h = handleRef.current;
    if (!getNodeDef(type) && !isBlockRef(type)) return;
    if (h) void h.addNodeAt(type, null);
    else addNodeAction(type, [0, 0]);
  }, []);

  const run = useCallback((action: ShortcutAction) => {
    const s = useEditor.getState();
    const h = handleRef.current;
    switch (action) {
      case 'undo':
        return s.undo();
      case 'redo':
        return s.redo();
      case 'delete':
        return deleteNodesAction(s.selection);
      case 'copy':
        if (copyAction(s.selection)) s.notify('info', `Copied ${s.selection.length} node${s.selection.length > 1 ? 's' : ''}`);
        return;
      case 'paste':
        return void pasteAction();
      case 'duplicate':
        return void duplicateAction(s.selection);
      case 'selectAll':
        return s.setSelection(s.doc.nodes.map((n) => n.id));
      case 'open':
        return fileInput.current?.click();
      case 'save':
        return saveFile();
      case 'exportModel':
        return setModal('export');
      case 'new':
        return loadAction({ ok: true, doc: emptyGraph() }, 'New graph');
      case 'fit':
        return void h?.fit();
      case 'arrange':
        return void h?.arrange();
      case 'zoomIn':
        return void h?.zoomBy(1.2);
      case 'zoomOut':
        return void h?.zoomBy(1 / 1.2);
      case 'help':
        return setModal('help');
      case 'escape':
        setQuickAdd(null);
        // Inside a block with nothing selected, Esc goes back to the whole graph.
        if (s.scope && !s.selection.length) return s.leaveBlock();
        return s.setSelection([]);
      case 'makeBlock':
        return void makeBlockAction(s.selection);
    }
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e) && e.key !== 'Escape') return;
      if (modal && e.key !== 'Escape') return;
      const sc = SHORTCUTS.find((x) => x.match(e));
      if (!sc) return;
      e.preventDefault();
      if (sc.run) sc.run();
      else run(sc.action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run, modal]);

  const onDrop = (e: React.DragEvent) => {
    e.preventDefault();
    const type = e.dataTransfer.getData(PALETTE_MIME);
    if (type && handleRef.current) {
      // Centred on the drop point (kept inside the free canvas).
      void handleRef.current.addNodeAt(type, { x: e.clientX, y: e.clientY });
      return;
    }
    const files = [...e.dataTransfer.files];
    if (files.length) void openFiles(files);
  };

  return (
    <div className="ll-app">
      <Toolbar
        onNew={() => run('new')}
        onOpen={() => run('open')}
        onSave={() => run('save')}
        onPresets={() => setModal('presets')}
        onShare={() => setModal({ share: currentShareUrl() })}
        onExportSvg={() => handleRef.current && exportSvg(handleRef.current.nodeSizes())}
        onExportPng={() => handleRef.current && void exportPng(handleRef.current.nodeSizes())}
        onExportModel={() => setModal('export')}
        onFit={() => run('fit')}
        onArrange={() => run('arrange')}
        onHelp={() => setModal('help')}
        onVersions={() => setModal('versions')}
      />
      <input
        ref={fileInput}
        type="file"
        accept=".json,.zip,.bin,.png,.svg,application/json,application/zip,image/png,image/svg+xml"
        multiple
        hidden
        data-testid="open-file"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length) void openFiles(files);
        }}
      />
      <LoadErrorBanner />
      <AutosaveBanner onOpenVersions={() => setModal('versions')} />
      <main className="ll-main">
        <Palette onAdd={addAtCenter} />
        <div
          className="ll-canvas"
          ref={canvasRef}
          data-testid="canvas"
          data-fitted={fitted}
          onDragOver={(e) => {
            if ([...e.dataTransfer.types].some((t) => t === PALETTE_MIME || t === 'Files')) {
              e.preventDefault();
              e.dataTransfer.dropEffect = 'copy';
            }
          }}
          onDrop={onDrop}
        >
          {!ready && <div className="ll-loading">Restoring your graph…</div>}
          <BlockBreadcrumb />
        </div>
        <SidePanel />
      </main>
      <TotalsBar />
      <NoticeToast />
      <NodeDetailModal />
      <KernelLabModal />
      {quickAdd && <QuickAdd request={quickAdd} onClose={() => setQuickAdd(null)} />}
      {modal === 'presets' && (
        <PresetGallery
          onClose={() => setModal(null)}
          onPick={(key) => {
            const p = findPreset(key);
            if (p) loadAction(p.ok ? { ok: true, doc: p.doc } : { ok: false, message: p.message }, `Preset ${p.ok ? p.doc.name : key}`);
            setModal(null);
          }}
        />
      )}
      {modal === 'help' && <ShortcutSheet onClose={() => setModal(null)} />}
      {modal === 'export' && <ExportDialog onClose={() => setModal(null)} />}
      {modal === 'versions' && <VersionsDialog onClose={() => setModal(null)} />}
      {modal && typeof modal === 'object' && <ShareDialog url={modal.share} onClose={() => setModal(null)} />}
    </div>
  );
}

