/** The toolbar: files and sharing, undo/redo, view, help. */
import { useEditor } from './store';
import { hasLocks } from '../graph/locks';
import { openSideTab } from './SidePanel';

export interface ToolbarProps {
  onNew(): void;
  onOpen(): void;
  onSave(): void;
  onPresets(): void;
  onShare(): void;
  onExportSvg(): void;
  onExportPng(): void;
  onExportModel(): void;
  onFit(): void;
  onArrange(): void;
  onHelp(): void;
  onVersions(): void;
}

/**
 * Learner or instructor mode (graph/locks.ts). Shown while the graph locks or hides anything, or
 * in learner mode; one click switches. A teaching aid, not security, and the titles say so.
 */
function ModeSwitch() {
  const mode = useEditor((s) => s.mode);
  const locks = useEditor((s) => hasLocks(s.doc));
  const setMode = useEditor((s) => s.setMode);
  if (mode === 'author' && !locks) return null;
  const learner = mode === 'learner';
  return (
    <div className={`ll-tool-group ll-mode ${mode}`} role="group" aria-label="Mode" data-testid="mode-indicator" data-mode={mode}>
      <span
        className="ll-mode-label"
        title={
          learner
            ? 'Locked parts (🔒) cannot be changed and hidden parameters are not shown. This is a teaching aid, not security: anyone can switch to instructor mode.'
            : 'Everything is editable; lock nodes, parameters and wires and hide parameters in the side panel.'
        }
      >
        {learner ? (
          <>
            <span className="ll-lock-badge" aria-hidden="true">
              🔒
            </span>{' '}
            Learner mode
          </>
        ) : (
          'Instructor mode'
        )}
      </span>
      <B
        id="mode"
        label={learner ? 'Switch to instructor mode' : 'Switch to learner mode'}
        title={
          learner
            ? 'Unlock everything to edit the graph and its locks. Locks are a teaching aid, not security: they guide learners, they do not stop anyone.'
            : 'See and use the graph as a learner does: locks hold, hidden parameters are hidden.'
        }
        onClick={() => setMode(learner ? 'author' : 'learner')}
      />
    </div>
  );
}

/** A toolbar button (defined once, outside render, so buttons keep their focus across updates). */
function B(props: { id: string; label: string; title: string; onClick(): void; disabled?: boolean; ariaLabel?: string }) {
  return (
    <button type="button" data-testid={`btn-${props.id}`} title={props.title} aria-label={props.ariaLabel} onClick={props.onClick} disabled={props.disabled}>
      {props.label}
    </button>
  );
}

export function Toolbar(p: ToolbarProps) {
  const undoLabel = useEditor((s) => s.past[s.past.length - 1]?.label);
  const redoLabel = useEditor((s) => s.future[0]?.label);
  const undo = useEditor((s) => s.undo);
  const redo = useEditor((s) => s.redo);
  const name = useEditor((s) => s.doc.name);
  return (
    <header className="ll-toolbar">
      <h1 className="ll-brand">LayerLab</h1>
      <span className="ll-graph-name" data-testid="graph-title" title="The graph's name (edit it in the side panel with nothing selected)">
        {name}
      </span>
      <ModeSwitch />
      <div className="ll-tool-group" role="group" aria-label="Files">
        <B id="new" label="New" title="New graph (Alt N)" onClick={p.onNew} />
        <B id="open" label="Open…" title="Open a graph file or a trained model (.zip, or model.json + weights) (Ctrl/⌘ O), or drop it on the canvas" onClick={p.onOpen} />
        <B id="save" label="Save" title="Save the graph as a .json file (Ctrl/⌘ S)" onClick={p.onSave} />
        <B id="versions" label="Versions…" title="Earlier versions of your graph, kept in this browser (and any autosave that could not be read)" onClick={p.onVersions} />
        <B id="presets" label="Presets" title="Example graphs: LeNet-5, ResNet, Inception…" onClick={p.onPresets} />
        <B id="lessons" label="Lessons" title="The built-in course and the open lesson: steps with goals that tick off as you meet them" onClick={() => openSideTab('lesson', true)} />
        <B id="share" label="Share link" title="A link that opens this exact graph" onClick={p.onShare} />
        <B id="export-svg" label="SVG" title="Export the diagram as SVG for slides" onClick={p.onExportSvg} />
        <B id="export-png" label="PNG" title="Export the diagram as PNG for slides" onClick={p.onExportPng} />
        <B id="export-model" label="Export model…" title="Download the (trained) model: TensorFlow.js files, Keras code, PyTorch code + weights (Ctrl/⌘ E)" onClick={p.onExportModel} />
      </div>
      <div className="ll-tool-group" role="group" aria-label="Undo and redo">
        <B id="undo" label="↶ Undo" title={undoLabel ? `Undo ${undoLabel} (Ctrl/⌘ Z)` : 'Nothing to undo'} onClick={undo} disabled={!undoLabel} />
        <B id="redo" label="↷ Redo" title={redoLabel ? `Redo ${redoLabel} (Ctrl/⌘ Shift Z)` : 'Nothing to redo'} onClick={redo} disabled={!redoLabel} />
      </div>
      <div className="ll-tool-group" role="group" aria-label="View and help">
        <B id="fit" label="Fit" title="Zoom to fit (F)" onClick={p.onFit} />
        <B id="arrange" label="Arrange" title="Auto-arrange the layout (Shift A)" onClick={p.onArrange} />
        <B id="help" label="?" title="Keyboard shortcuts (?)" ariaLabel="Keyboard shortcuts" onClick={p.onHelp} />
      </div>
    </header>
  );
}
