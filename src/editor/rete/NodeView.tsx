/**
 * How a node looks on the canvas, generated from its definition: category colour, title, id,
 * the parameter controls of its face, output shape, parameter count and a badge naming any
 * problem. Data comes from the editor store (by node id); Rete supplies position and sockets.
 * A node far from the view (visibility.ts) draws a light face: the same box, header and footer,
 * without sockets, controls or feature map, at the height its full face had (or is expected to have).
 */
import { memo, useLayoutEffect, useRef } from 'react';
import { Drag, Presets, type RenderEmit } from 'rete-react-plugin';
import { useShallow } from 'zustand/react/shallow';
import { faceParams, paramLabel } from '../../../nodes/params';
import { useEditor } from '../store';
import { useTraining } from '../../training/store';
import { FeatureMapView } from '../../viz/FeatureMapView';
import { openNodeDetail } from '../NodeDetail';
import { ParamControl } from '../ParamControl';
import { setParamAction } from '../actions';
import { handleNodeKey } from '../keyboard';
import { ariaLabel, countText, faceColor, faceData, faceKind, faceTitle, guessHeight, heightOf, shortMessage } from './face';
import { mapKeyFor } from '../blocks/face';
import { openBlockAction } from '../blocks/actions';
import { afterWrites } from './sockets';
import type { LLNode, Schemes } from './types';
import { useNear } from './visibility';

/**
 * Sockets only re-render when their own props change: each render of Rete's RefSocket re-registers
 * the socket, which measures its position (a forced layout) and redraws its wires. Without this a
 * node re-rendering for its selection (Ctrl+A on ResNet-50: 177 nodes) took seconds.
 */
const RefSocket = memo(Presets.classic.RefSocket) as unknown as typeof Presets.classic.RefSocket;

function useNodeData(id: string) {
  return useEditor(useShallow((s) => faceData(s, id)));
}

/** The node's locks as its face shows them (graph/locks.ts): param lists joined, so that equal ones compare equal. */
function useLockView(id: string) {
  return useEditor(
    useShallow((s) => {
      const n = s.doc.nodes.find((m) => m.id === id);
      return { learner: s.mode === 'learner', locked: !!n?.locked, lockedParams: n?.lockedParams?.join(' ') ?? '', hidden: n?.hiddenParams?.join(' ') ?? '' };
    }),
  );
}
type LockView = ReturnType<typeof useLockView>;
const listed = (list: string, key: string) => list.split(' ').includes(key);

/** What the full face has under its header: sockets, the parameter controls, the feature map. */
function NodeBody({ data, emit, v, face, socketLayout, lock }: { data: LLNode; emit: RenderEmit<Schemes>; v: ReturnType<typeof useNodeData>; face: string[]; socketLayout: string; lock: LockView }) {
  const id = data.id;
  const def = v.def;
  const inputs = Object.entries(data.inputs);
  const controlsRef = useRef<HTMLDivElement>(null);
  Drag.useNoDrag(controlsRef);
  return (
    <div className="ll-node-body">
      <div className="ll-node-inputs">
        {inputs.map(([key, input]) =>
          input ? (
            <div className="ll-port in" key={key} data-testid={`input-${key}`}>
              <RefSocket name="input-socket" side="input" socketKey={key} nodeId={id} emit={emit} payload={input.socket} data-testid="input-socket" data-layout={socketLayout} />
              {inputs.length > 1 && <span className="ll-port-label">{key}</span>}
            </div>
          ) : null,
        )}
      </div>
      <div className="ll-node-controls" ref={controlsRef}>
        {v.blockName !== null && (
          <div className="ll-block-face" data-testid="block-face">
            <span className="ll-block-inner" data-testid="block-inner-count">
              {v.innerCount} node{v.innerCount === 1 ? '' : 's'} inside
            </span>
            {v.blockParams && <span className="ll-block-params" data-testid="block-params">{v.blockParams}</span>}
            <button type="button" className="ll-block-open" data-testid="block-open" title="Open the block to edit it (every use changes)" onClick={() => openBlockAction(id)}>
              Open
            </button>
          </div>
        )}
        {def &&
          face.map((key) => {
            const why = lock.locked || listed(lock.lockedParams, key) ? `The instructor locked “${key}” of ${id}.` : undefined;
            const locked = lock.learner ? why : undefined;
            return (
              <label className="ll-control" key={key} title={def.params[key]!.doc}>
                <span className="ll-control-label">
                  {paramLabel(key, def.params[key]!)}
                  {why && (
                    <span className="ll-lock-badge" data-testid={`face-lock-${key}`} role="img" aria-label="locked" title={why}>
                      🔒
                    </span>
                  )}
                </span>
                <ParamControl
                  nodeId={id}
                  name={key}
                  spec={def.params[key]!}
                  value={v.node?.params[key]}
                  onCommit={(value) => setParamAction(id, key, value)}
                  compact
                  locked={locked}
                  onLocked={() => locked && useEditor.getState().notify('error', locked)}
                />
              </label>
            );
          })}
      </div>
      <div className="ll-node-outputs">
        {data.outputs.out && (
          <div className="ll-port out" data-testid="output-out">
            <RefSocket name="output-socket" side="output" socketKey="out" nodeId={id} emit={emit} payload={data.outputs.out.socket} data-testid="output-socket" data-layout={socketLayout} />
          </div>
        )}
      </div>
    </div>
  );
}

export const NodeView = memo(function NodeView({ data, emit }: { data: LLNode; emit: RenderEmit<Schemes> }) {
  const id = data.id;
  const v = useNodeData(id);
  const near = useNear(id);
  // Selection comes from the store (Rete's selector is mirrored into it): a selection change
  // re-renders only this node's face, not Rete's whole node (sockets, wires, minimap).
  const selected = useEditor((s) => s.selection.includes(id));
  // Training keys maps by flat id: an instance shows its block's output, a node inside an open block that instance's.
  const mapKey = useEditor((s) => (s.scope || v.blockName !== null ? mapKeyFor({ nodes: s.doc.nodes, blocks: s.scope?.root.blocks ?? s.doc.blocks }, s.scope?.instanceId, id) : id));
  const map = useTraining((s) => s.maps.get(mapKey));
  const classes = useTraining((s) => s.dataset?.classes);
  const ref = useRef<HTMLDivElement>(null);

  const def = v.def;
  const color = faceColor(v);
  const lock = useLockView(id);
  // Hidden params are not on a learner's face.
  const face = def ? faceParams(def, v.params).filter((k) => !(lock.learner && listed(lock.hidden, k))) : [];
  const inputs = Object.entries(data.inputs);

  // Rete's minimap, zoom-to-fit and auto-arrange need each node's size. Reading it forces a
  // layout, so only when something that changes the size changed (not on every render), and
  // together with the other nodes' reads (afterWrites). A light face is given its size.
  const kind = faceKind(v.node?.type, face.length + (v.blockName !== null ? 1 : 0), inputs.length, !!map);
  const lightHeight = near ? undefined : (data.measured === kind ? data.height : (heightOf.get(kind) ?? guessHeight(face.length, inputs.length)));
  if (lightHeight !== undefined) data.height = lightHeight;
  useLayoutEffect(() => {
    if (!near) return;
    afterWrites(() => {
      const el = ref.current;
      if (!el?.isConnected || !el.offsetWidth) return;
      data.width = el.offsetWidth;
      data.height = el.offsetHeight;
      data.measured = kind;
      heightOf.set(kind, data.height);
    });
  }, [data, near, kind, v.severity, v.message]);
  // What moves the sockets: the rows of the face and the header. When it changes, the sockets
  // re-register (data-layout is a new prop) and Rete re-measures them and redraws their wires.
  const socketLayout = `${face.join(',')}|${inputs.length}|${v.severity ?? ''}`;
  const message = shortMessage(v, id);

  return (
    <div
      ref={ref}
      className={`ll-node${selected ? ' selected' : ''}${v.severity ? ` has-${v.severity}` : ''}${near ? '' : ' light'}`}
      data-testid="node"
      data-node-id={id}
      data-face={near ? 'full' : 'light'}
      style={{ ['--node-color' as string]: color, height: lightHeight }}
      tabIndex={0}
      role="group"
      aria-roledescription="layer"
      aria-label={ariaLabel(v, id, selected)}
      onKeyDown={(e) => handleNodeKey(id, e) && (e.preventDefault(), e.stopPropagation())}
    >
      <div className="ll-node-header" title={v.blockName !== null ? `Block “${v.blockName}”: ${v.innerCount} nodes inside. Double-click to open it.` : def ? `${def.summary}\n\n${def.explain}` : `Unknown node type "${v.node?.type}"`}>
        <span className="ll-node-title" data-testid="title">
          {faceTitle(v)}
        </span>
        {v.blockName !== null && (
          <span className="ll-badge block" data-testid="block-badge">
            block
          </span>
        )}
        <span className="ll-node-id">{id}</span>
        {lock.locked && (
          <span className="ll-lock-badge" data-testid="node-lock" role="img" aria-label="locked" title="The instructor locked this node: it cannot be deleted, renamed or have its parameters changed">
            🔒
          </span>
        )}
        {v.severity && (
          <span className={`ll-badge ${v.severity}`} data-testid="node-badge" title={v.message} role="img" aria-label={`${v.problemCount} ${v.severity === 'error' ? 'error' : 'warning'}(s)`}>
            {v.severity === 'error' ? '!' : '⚠'}
          </span>
        )}
      </div>
      {near && <NodeBody data={data} emit={emit} v={v} face={face} socketLayout={socketLayout} lock={lock} />}
      {near && map && (
        <div className="ll-node-map" data-testid="node-map" title="What this node sees">
          <FeatureMapView map={map} classes={classes} />
          <button
            type="button"
            className="ll-map-open"
            data-testid="node-map-open"
            title="Open every channel large (and the learned kernels)"
            aria-label={`Open what ${id} sees`}
            onPointerDown={(e) => e.stopPropagation()}
            onClick={() => openNodeDetail(mapKey)}
          >
            ⤢
          </button>
        </div>
      )}
      {/* A problem is told in the footer, one line (the full text in its tooltip, the badge's and
          the inspector's), so a node never grows over the node below when an error comes and goes. */}
      <div className={`ll-node-footer${v.severity ? ` has-${v.severity}` : ''}`}>
        <span className="ll-shape" data-testid="node-shape" title="Output shape (height×width×channels)">
          {v.shape ?? '?'}
        </span>
        {v.severity && (
          <span className={`ll-node-message ${v.severity}`} data-testid="node-message" title={v.count === null ? v.message : `${v.message}\n\n${v.count.toLocaleString('en-US')} params`}>
            {message}
          </span>
        )}
        <span className="ll-count" data-testid="node-params" title="Weights in this layer" hidden={!!v.severity}>
          {countText(v.count)}
        </span>
      </div>
      {/* The compact face, shown only when zoomed out (editor.css, data-lod on the canvas): title
          and output shape in type that stays readable on screen. */}
      <div className="ll-node-lod" data-testid="node-lod" aria-hidden="true">
        <span className="ll-node-lod-title">{def?.shortTitle ?? faceTitle(v)}</span>
        <span className="ll-node-lod-shape">{v.shape ?? '?'}</span>
      </div>
    </div>
  );
});
