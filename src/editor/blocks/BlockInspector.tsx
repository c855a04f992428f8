/**
 * The inspector for a block instance: the block's name (renaming it renames every use), what is
 * inside, its shapes and weights, its wiring, and its block params — each with the control of the
 * inner param it feeds (same kind, bounds and doc), set per instance.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { getNodeDef } from '../../../nodes/registry';
import { formatShape } from '../../../nodes/shape';
import type { ParamSpec } from '../../../nodes/types';
import { nodeInfo } from '../../graph/analyze';
import { findBlock, instanceBlock, isInstance, paramRef } from '../../graph/blocks';
import type { BlockDef, GraphDoc } from '../../graph/types';
import { renameAction, setParamAction } from '../actions';
import { DiagnosticList } from '../DiagnosticList';
import { ParamControl } from '../ParamControl';
import { rootDoc, useEditor } from '../store';
import { detachAction, openBlockAction, renameBlockAction } from './actions';
import { BLOCK_COLOR } from './face';
import { saveToLibraryAction } from './library-actions';

/**
 * The spec of the first inner param that block param `name` feeds ("$name"), looking into inner
 * instances that pass it on; undefined when no inner param uses it.
 */
export function blockParamSpec(doc: Pick<GraphDoc, 'blocks'>, def: BlockDef, name: string, depth = 0): { spec: ParamSpec; where: string } | undefined {
  if (depth > 8) return undefined;
  for (const n of def.nodes) {
    for (const [key, value] of Object.entries(n.params)) {
      if (paramRef(value) !== name) continue;
      if (isInstance(n)) {
        const inner = instanceBlock(doc, n);
        const found = inner && blockParamSpec(doc, inner, key, depth + 1);
        if (found) return { spec: found.spec, where: `${n.id}/${found.where}` };
        continue;
      }
      const spec = getNodeDef(n.type)?.params[key];
      if (spec) return { spec, where: `${n.id}.${key}` };
    }
  }
  return undefined;
}

/** A param no inner param uses: a plain field (numbers stay numbers). */
function PlainParam({ id, name, value }: { id: string; name: string; value: unknown }) {
  const shown = String(value ?? '');
  const [text, setText] = useState(shown);
  useEffect(() => setText(shown), [shown]);
  const commit = () => {
    if (text === shown) return;
    const v = typeof value === 'number' && Number.isFinite(Number(text)) ? Number(text) : typeof value === 'boolean' ? text === 'true' : text;
    setParamAction(id, name, v);
  };
  return (
    <input
      className="ll-text"
      aria-label={`${id} ${name}`}
      data-testid={`param-inspector-${id}-${name}`}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
    />
  );
}

function BlockNameField({ blockId, name }: { blockId: string; name: string }) {
  const [text, setText] = useState(name);
  useEffect(() => setText(name), [name]);
  const inBlock = useEditor((s) => !!s.scope);
  return (
    <input
      className="ll-text"
      aria-label="Block name"
      data-testid="inspector-block-name"
      value={text}
      disabled={inBlock}
      title="The name every use of this block shows"
      onChange={(e) => setText(e.target.value)}
      onBlur={() => text.trim() && text.trim() !== name ? !renameBlockAction(blockId, text.trim()) && setText(name) : setText(name)}
      onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
    />
  );
}

function IdField({ id }: { id: string }) {
  const [text, setText] = useState(id);
  useEffect(() => setText(id), [id]);
  return (
    <input
      className="ll-text ll-id-input"
      aria-label="Node id"
      data-testid="inspector-id"
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => text !== id && !renameAction(id, text.trim()) && setText(id)}
      onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
    />
  );
}

export function BlockInspector({ id, inputField }: { id: string; inputField?: (port: string, label: string) => ReactNode }) {
  const node = useEditor((s) => s.doc.nodes.find((n) => n.id === id));
  const root = useEditor((s) => rootDoc(s));
  const info = useEditor((s) => nodeInfo(s.analysis, id));
  const diagnostics = useEditor(useShallow((s) => s.analysis.diagnostics.filter((d) => d.nodeIds.includes(id))));
  const inputShapes = useEditor(useShallow((s) => (info ? info.sources.map((src) => (src ? formatShape(nodeInfo(s.analysis, src)?.outputShape) : 'not connected')) : [])));
  if (!node) return null;
  const blockId = typeof node.params.block === 'string' ? node.params.block : '';
  const def = findBlock(root, blockId);
  const uses = root.nodes.filter((n) => isInstance(n) && n.params.block === blockId).length;
  const ports = info?.ports ?? [];
  const values = info?.params ?? {};
  return (
    <aside className="ll-inspector" data-testid="inspector" style={{ ['--node-color' as string]: BLOCK_COLOR }}>
      <h2 className="ll-inspector-title">
        <span data-testid="inspector-title">{def?.name ?? 'Missing block'}</span> <span className="ll-badge block">block</span>
      </h2>
      <IdField id={id} />
      {def ? (
        <>
          <label className="ll-field">
            <span>Block name</span>
            <BlockNameField blockId={def.id} name={def.name} />
          </label>
          <p className="ll-explain" data-testid="inspector-explain">
            {def.description ? `${def.description} ` : ''}
            {def.nodes.length} node{def.nodes.length === 1 ? '' : 's'} inside; used {uses} time{uses === 1 ? '' : 's'} in this graph. Editing the block (Open, or double-click the node) changes every use;
            Detach gives this one its own copy of the nodes.
          </p>
        </>
      ) : (
        <p className="ll-explain">This node uses a block (“{blockId}”) that this graph does not define.</p>
      )}
      <div className="ll-inspector-actions">
        <button type="button" data-testid="inspector-block-open" disabled={!def} onClick={() => openBlockAction(id)}>
          Open block
        </button>{' '}
        <button type="button" data-testid="inspector-block-detach" disabled={!def} onClick={() => detachAction(id)}>
          Detach
        </button>{' '}
        <button type="button" data-testid="inspector-block-save" disabled={!def} onClick={() => saveToLibraryAction(id)}>
          Save to library
        </button>
      </div>
      <DiagnosticList diagnostics={diagnostics} />
      <dl className="ll-shapes">
        {ports.map((p, i) => (
          <div key={p}>
            <dt>in {def?.inputs[i] ?? p}</dt>
            <dd data-testid={`inspector-input-${p}`}>{inputShapes[i]}</dd>
          </div>
        ))}
        <div>
          <dt>out</dt>
          <dd data-testid="inspector-output">{formatShape(info?.outputShape)}</dd>
        </div>
        <div>
          <dt>weights</dt>
          <dd data-testid="inspector-params">
            {info?.paramCount ? `${(info.paramCount.trainable + info.paramCount.nonTrainable).toLocaleString('en-US')}${info.paramCount.nonTrainable ? ` (${info.paramCount.nonTrainable.toLocaleString('en-US')} not trained)` : ''}` : '?'}
          </dd>
        </div>
      </dl>
      {inputField && ports.length > 0 && (
        <div className="ll-inspector-inputs" role="group" aria-label="Inputs">
          {ports.map((p, i) => inputField(p, ports.length > 1 ? `Input ${def?.inputs[i] ?? p} from` : 'Input from'))}
        </div>
      )}
      {def?.params && Object.keys(def.params).length > 0 && (
        <div className="ll-inspector-params" data-testid="inspector-block-params">
          {Object.keys(def.params).map((key) => {
            const found = blockParamSpec(root, def, key);
            return (
              <label className="ll-field" key={key}>
                <span title={found?.spec.doc}>{key}</span>
                {found ? (
                  <ParamControl nodeId={`inspector-${id}`} name={key} spec={found.spec} value={values[key]} onCommit={(v) => setParamAction(id, key, v)} />
                ) : (
                  <PlainParam id={id} name={key} value={values[key]} />
                )}
                <small className="ll-muted">
                  {found ? `Feeds ${found.where}. ${found.spec.doc}` : 'No node inside uses this parameter.'}
                </small>
              </label>
            );
          })}
        </div>
      )}
    </aside>
  );
}
