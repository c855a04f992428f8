/**
 * The selected node in full: every parameter (controls generated from the definition, with
 * their docs), the learner's explanation, input and output shapes, weights and problems.
 * With nothing selected it shows the graph's name and description.
 */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { categoryColor } from '../../nodes/categories';
import { paramLabel } from '../../nodes/params';
import { formatShape } from '../../nodes/shape';
import { renameAction, setEdgeLockAction, setNodeLockAction, setParamAction, setParamHiddenAction, setParamLockAction } from './actions';
import { isEdgeLocked, isParamHidden, lockProblem, paramLockMessage } from '../graph/locks';
import type { GraphEdge, GraphNode } from '../graph/types';
import { connectInputAction, inputSources, type InputSource } from './keyboard';
import { DiagnosticList } from './DiagnosticList';
import { GraphInfo } from './GraphInfo';
import { ParamControl } from './ParamControl';
import { useEditor } from './store';
import { nodeInfo } from '../graph/analyze';
import { BLOCK_TYPE } from '../graph/blocks';
import { BlockInspector } from './blocks/BlockInspector';

function RenameField({ id }: { id: string }) {
  const [text, setText] = useState(id);
  useEffect(() => setText(id), [id]);
  // In learner mode a locked node (or one whose params or wires are locked) keeps its name.
  const locked = useEditor((s) => (s.mode === 'learner' ? lockProblem(s.doc, { kind: 'renameNode', nodeId: id }) : undefined));
  const commit = () => {
    if (text !== id && !renameAction(id, text.trim())) setText(id);
  };
  return (
    <input
      className={`ll-text ll-id-input${locked ? ' ll-locked' : ''}`}
      aria-label="Node id"
      data-testid="inspector-id"
      value={text}
      readOnly={!!locked}
      title={locked}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
        else if (locked && (e.key.length === 1 || e.key === 'Backspace' || e.key === 'Delete') && !e.ctrlKey && !e.metaKey) useEditor.getState().notify('error', locked);
      }}
    />
  );
}

/** A small lock / hide switch of the inspector (instructor mode). */
function Toggle({ testid, checked, label, title, onChange }: { testid: string; checked: boolean; label: string; title: string; onChange(on: boolean): void }) {
  return (
    <label className="ll-lock-toggle" title={title}>
      <input type="checkbox" data-testid={testid} checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

/**
 * "Input from…": wires an input from the keyboard. The outputs that fit (no cycle, shapes that
 * work) are worked out when the list gets the focus; Connect draws the chosen wire (replacing the
 * one there) or removes it.
 */
function InputSourceField({ id, port, label }: { id: string; port: string; label: string }) {
  const current = useEditor((s) => s.doc.edges.find((e) => e.to[0] === id && e.to[1] === port)?.from[0] ?? '');
  const mode = useEditor((s) => s.mode);
  // Is the wire into this input locked (marked so, or joining two locked nodes)?
  const wireLocked = useEditor((s) => {
    const e = s.doc.edges.find((x) => x.to[0] === id && x.to[1] === port);
    return !!e && isEdgeLocked(s.doc, e);
  });
  const lockedWhy = mode === 'learner' && wireLocked ? `The instructor locked the wire ${current} → ${id}: it cannot be removed or replaced.` : undefined;
  const [choice, setChoice] = useState(current);
  const [sources, setSources] = useState<InputSource[] | null>(null);
  useEffect(() => {
    setChoice(current);
    setSources(null);
  }, [current, id, port]);
  const load = () => {
    if (!sources) setSources(inputSources(useEditor.getState().doc, id, port));
  };
  const listed = sources ?? (current ? [{ id: current, shape: '' }] : []);
  const selectId = `inspector-source-${port}`;
  return (
    <div className="ll-field ll-input-source">
      <label htmlFor={selectId}>{label}</label>
      <div className="ll-input-source-row">
        <select
          id={selectId}
          data-testid={`inspector-source-${port}`}
          disabled={!!lockedWhy}
          title={lockedWhy}
          value={choice}
          onFocus={load}
          onPointerDown={load}
          onChange={(e) => setChoice(e.target.value)}
        >
          <option value="">not connected</option>
          {listed.map((s) => (
            <option key={s.id} value={s.id}>
              {s.id}
              {s.shape ? ` (${s.shape})` : ''}
            </option>
          ))}
        </select>
        <button type="button" data-testid={`inspector-connect-${port}`} disabled={choice === current || !!lockedWhy} title={lockedWhy} onClick={() => connectInputAction(choice || null, id, port)}>
          {choice ? 'Connect' : 'Disconnect'}
        </button>
      </div>
      {lockedWhy && (
        <small className="ll-lock-note" data-testid={`locked-wire-note-${port}`}>
          <span className="ll-lock-badge" aria-hidden="true">
            🔒
          </span>{' '}
          wire locked by the instructor
        </small>
      )}
      {sources && sources.length === 0 && !current && <small className="ll-muted">No output fits this input yet.</small>}
    </div>
  );
}

export function Inspector() {
  const selection = useEditor((s) => s.selection);
  const id = selection.length === 1 ? selection[0]! : undefined;
  const n = useEditor((s) => (id ? s.analysis.nodes.get(id) : undefined));
  const diagnostics = useEditor(useShallow((s) => (id ? s.analysis.diagnostics.filter((d) => d.nodeIds.includes(id)) : [])));
  const inputShapes = useEditor(useShallow((s) => (n ? n.sources.map((src) => (src ? formatShape(nodeInfo(s.analysis, src)?.outputShape) : 'not connected')) : [])));
  // A block instance (no NodeDef) has an inspector of its own (blocks/BlockInspector.tsx).
  const isBlock = useEditor((s) => !!id && s.doc.nodes.some((m) => m.id === id && m.type === BLOCK_TYPE));
  const mode = useEditor((s) => s.mode);
  const notify = useEditor((s) => s.notify);
  // The node as the document has it (its locks and hidden params).
  const docNode = useEditor((s) => (id ? s.doc.nodes.find((m) => m.id === id) : undefined));
  const inBlock = useEditor((s) => !!s.scope);

  if (selection.length > 1) {
    return (
      <aside className="ll-inspector" data-testid="inspector">
        <h2>{selection.length} nodes selected</h2>
        <p className="ll-muted">Delete, copy or duplicate them together, or drag one to move them all.</p>
      </aside>
    );
  }
  if (id && isBlock && selection.length === 1) return <BlockInspector id={id} inputField={(p, label) => <InputSourceField key={p} id={id} port={p} label={label} />} />;
  if (!id || !n) {
    return (
      <aside className="ll-inspector" data-testid="inspector">
        <h2>{inBlock ? 'Block' : 'Graph'}</h2>
        <GraphInfo />
      </aside>
    );
  }
  const def = n.def;
  const visible = def?.visible && n.params ? (def.visible(n.params as never) as Record<string, boolean | undefined>) : {};
  return (
    <aside className="ll-inspector" data-testid="inspector" style={{ ['--node-color' as string]: categoryColor(def?.category) }}>
      <h2 className="ll-inspector-title">
        <span data-testid="inspector-title">{def?.title ?? n.type}</span>
        {docNode?.locked && (
          <span className="ll-lock-badge" data-testid="inspector-lock" role="img" aria-label="locked" title="The instructor locked this node: it cannot be deleted, renamed or have its parameters changed">
            🔒
          </span>
        )}
      </h2>
      <RenameField id={id} />

      {def && <p className="ll-explain" data-testid="inspector-explain">{def.explain}</p>}
      <DiagnosticList diagnostics={diagnostics} />
      <dl className="ll-shapes">
        {n.ports.map((p, i) => (
          <div key={p}>
            <dt>in{n.ports.length > 1 ? ` ${p}` : ''}</dt>
            <dd data-testid={`inspector-input-${p}`}>{inputShapes[i]}</dd>
          </div>
        ))}
        <div>
          <dt>out</dt>
          <dd data-testid="inspector-output">{formatShape(n.outputShape)}</dd>
        </div>
        <div>
          <dt>weights</dt>
          <dd data-testid="inspector-params">
            {n.paramCount ? `${(n.paramCount.trainable + n.paramCount.nonTrainable).toLocaleString('en-US')}${n.paramCount.nonTrainable ? ` (${n.paramCount.nonTrainable.toLocaleString('en-US')} not trained)` : ''}` : '?'}
          </dd>
        </div>
      </dl>
      {n.ports.length > 0 && (
        <div className="ll-inspector-inputs" role="group" aria-label="Inputs">
          {n.ports.map((p) => (
            <InputSourceField key={p} id={id} port={p} label={n.ports.length > 1 ? `Input ${p} from` : 'Input from'} />
          ))}
        </div>
      )}
      {def && Object.keys(def.params).length > 0 && (
        <div className="ll-inspector-params">
          {Object.entries(def.params)
            .filter(([key]) => visible[key] !== false && !(mode === 'learner' && isParamHidden(docNode, key)))
            .map(([key, spec]) => {
              const why = paramLockMessage(docNode, key);
              const locked = mode === 'learner' ? why : undefined;
              return (
                <label className="ll-field" key={key}>
                    <span title={spec.doc}>
                      {paramLabel(key, spec)}
                      {why && (
                        <span className="ll-lock-badge" data-testid={`param-lock-${key}`} role="img" aria-label="locked" title={why}>
                          {' '}
                          🔒
                        </span>
                      )}
                    </span>
                    <ParamControl nodeId={`inspector-${id}`} name={key} spec={spec} value={n.node.params[key]} onCommit={(v) => setParamAction(id, key, v)} locked={locked} onLocked={() => locked && notify('error', locked)} />
                    <small className="ll-muted">{spec.doc}</small>
                </label>
              );
            })}
        </div>
      )}
      {mode === 'author' && docNode && <LocksSection node={docNode} params={def ? Object.keys(def.params) : []} ports={n.ports} />}
    </aside>
  );
}

/**
 * Instructor mode: what learners may not change or see of this node — the node, each parameter
 * (lock, hide) and each wire into it. Folded away until opened, so it stays out of everyday editing.
 */
function LocksSection({ node, params, ports }: { node: GraphNode; params: string[]; ports: string[] }) {
  const id = node.id;
  const wires = useEditor(useShallow((s) => ports.map((p) => s.doc.edges.find((e) => e.to[0] === id && e.to[1] === p)).filter((e): e is GraphEdge => !!e)));
  const anyLock = !!(node.locked || node.lockedParams?.length || node.hiddenParams?.length || wires.some((w) => w.locked));
  return (
    <details className="ll-locks" data-testid="inspector-locks" open={anyLock || undefined}>
      <summary title="Lock parts of the graph for learners and hide parameters: a teaching aid, not security (anyone can switch to instructor mode)">🔒 Locks for learners</summary>
      <Toggle
        testid="lock-node"
        checked={!!node.locked}
        label={`Lock ${id}`}
        title="In learner mode this node cannot be deleted, renamed or have its parameters changed"
        onChange={(on) => setNodeLockAction(id, on)}
      />
      {params.length > 0 && (
        <table className="ll-locks-table">
          <thead>
            <tr>
              <th scope="col">Parameter</th>
              <th scope="col">Lock</th>
              <th scope="col">Hide</th>
            </tr>
          </thead>
          <tbody>
            {params.map((key) => (
              <tr key={key}>
                <th scope="row">{key}</th>
                <td>
                  <input type="checkbox" aria-label={`Lock ${key}`} title={`Learners cannot change “${key}”`} data-testid={`lock-param-${key}`} checked={!!node.lockedParams?.includes(key)} onChange={(e) => setParamLockAction(id, key, e.target.checked)} />
                </td>
                <td>
                  <input type="checkbox" aria-label={`Hide ${key}`} title={`Learners do not see “${key}” (on the node or here)`} data-testid={`hide-param-${key}`} checked={isParamHidden(node, key)} onChange={(e) => setParamHiddenAction(id, key, e.target.checked)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {wires.map((w) => (
        <Toggle
          key={w.to[1]}
          testid={`lock-wire-${w.to[1]}`}
          checked={!!w.locked}
          label={`Lock the wire ${w.from[0]} → ${id}${ports.length > 1 ? ` (${w.to[1]})` : ''}`}
          title="Learners cannot remove or replace this wire"
          onChange={(on) => setEdgeLockAction(w, on)}
        />
      ))}
    </details>
  );
}
