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
import { renameAction, setParamAction } from './actions';
import { connectInputAction, inputSources, type InputSource } from './keyboard';
import { GraphInfo } from './GraphInfo';
import { ParamControl } from './ParamControl';
import { useEditor } from './store';

function RenameField({ id }: { id: string }) {
  const [text, setText] = useState(id);
  useEffect(() => setText(id), [id]);
  const commit = () => {
    if (text !== id && !renameAction(id, text.trim())) setText(id);
  };
  return (
    <input
      className="ll-text ll-id-input"
      aria-label="Node id"
      data-testid="inspector-id"
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
    />
  );
}

/**
 * "Input from…": wires an input from the keyboard. The outputs that fit (no cycle, shapes that
 * work) are worked out when the list gets the focus; Connect draws the chosen wire (replacing the
 * one there) or removes it.
 */
function InputSourceField({ id, port, label }: { id: string; port: string; label: string }) {
  const current = useEditor((s) => s.doc.edges.find((e) => e.to[0] === id && e.to[1] === port)?.from[0] ?? '');
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
        <button type="button" data-testid={`inspector-connect-${port}`} disabled={choice === current} onClick={() => connectInputAction(choice || null, id, port)}>
          {choice ? 'Connect' : 'Disconnect'}
        </button>
      </div>
      {sources && sources.length === 0 && !current && <small className="ll-muted">No output fits this input yet.</small>}
    </div>
  );
}

export function Inspector() {
  const selection = useEditor((s) => s.selection);
  const id = selection.length === 1 ? selection[0]! : undefined;
  const n = useEditor((s) => (id ? s.analysis.nodes.get(id) : undefined));
  const diagnostics = useEditor(useShallow((s) => (id ? s.analysis.diagnostics.filter((d) => d.nodeIds.includes(id)) : [])));
  const inputShapes = useEditor(useShallow((s) => (n ? n.sources.map((src) => (src ? formatShape(s.analysis.nodes.get(src)?.outputShape) : 'not connected')) : [])));

  if (selection.length > 1) {
    return (
      <aside className="ll-inspector" data-testid="inspector">
        <h2>{selection.length} nodes selected</h2>
        <p className="ll-muted">Delete, copy or duplicate them together, or drag one to move them all.</p>
      </aside>
    );
  }
  if (!id || !n) {
    return (
      <aside className="ll-inspector" data-testid="inspector">
        <h2>Graph</h2>
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
      </h2>
      <RenameField id={id} />
      {def && <p className="ll-explain" data-testid="inspector-explain">{def.explain}</p>}
      {diagnostics.length > 0 && (
        <ul className="ll-diagnostics">
          {diagnostics.map((d, i) => (
            <li key={i} className={d.severity} data-testid="inspector-diagnostic">
              {d.message}
            </li>
          ))}
        </ul>
      )}
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
            .filter(([key]) => visible[key] !== false)
            .map(([key, spec]) => (
              <label className="ll-field" key={key}>
                <span title={spec.doc}>{paramLabel(key, spec)}</span>
                <ParamControl nodeId={`inspector-${id}`} name={key} spec={spec} value={n.node.params[key]} onCommit={(v) => setParamAction(id, key, v)} />
                <small className="ll-muted">{spec.doc}</small>
              </label>
            ))}
        </div>
      )}
    </aside>
  );
}
