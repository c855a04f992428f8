/**
 * The node's large view, made explorable: hovering (or moving with the arrow keys over) an output
 * position of a channel shows the region of the input image that can influence it (its receptive
 * field, through the whole graph) and, for the node itself, the window of its input with the
 * arithmetic: a convolution's products and sum, max pooling's chosen maximum, average pooling's
 * mean; for a Flatten, where an entry of its vector comes from.
 */
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { WindowReport } from '../../training/labs/window';
import { remote } from '../../training/client';
import type { FeatureMap } from '../../training/feature-maps';
import { FeatureMapView } from '../../viz/FeatureMapView';
import { useTraining } from '../../training/store';
import { rootAnalysis, rootDoc, useEditor } from '../store';

/** Largest tile side of the large view's grid (the worker's nodeDetail samples bigger maps down). */
const LARGE_TILE = 112;

interface Spot {
  y: number;
  x: number;
  channel: number;
}

const fmt = (v: number | null | undefined): string => {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e4 || a < 1e-3) ? v.toExponential(2) : v.toFixed(a >= 100 ? 1 : 3);
};

const ACT_NAMES: Record<string, string> = {
  relu: 'ReLU', relu6: 'ReLU6', elu: 'ELU', selu: 'SELU', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax', leakyRelu: 'leaky ReLU',
};

/** The part of a canvas's box that its bitmap is drawn in (object-fit: contain centres it). */
function drawnRect(c: HTMLCanvasElement) {
  const r = c.getBoundingClientRect();
  const scale = Math.min(r.width / c.width, r.height / c.height);
  const w = c.width * scale;
  const h = c.height * scale;
  return { left: r.left + (r.width - w) / 2, top: r.top + (r.height - h) / 2, width: w, height: h, scale };
}

/** The receptive field on the probe image: outside dimmed and blue, inside warm (red above blue). */
function paintReceptive(canvas: HTMLCanvasElement, r: WindowReport) {
  const [H, W, C] = r.imageShape;
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of r.image) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi > lo ? hi - lo : 1;
  const img = ctx.createImageData(W, H);
  for (let i = 0; i < H * W; i++) {
    const px = [0, 1, 2].map((k) => (r.image[i * C + (C >= 3 ? k : 0)]! - lo) / span);
    const inside = r.receptive.mask[i] === 1;
    const o = i * 4;
    if (inside) {
      img.data[o] = 70 + px[0]! * 185;
      img.data[o + 1] = 45 + px[1]! * 185;
      img.data[o + 2] = px[2]! * 60;
    } else {
      img.data[o] = px[0]! * 70;
      img.data[o + 1] = px[1]! * 70;
      img.data[o + 2] = 80 + px[2]! * 90;
    }
    img.data[o + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function ReceptiveImage({ report }: { report: WindowReport }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current) paintReceptive(ref.current, report);
  }, [report]);
  const { box, count, height, width } = report.receptive;
  const rows = box ? box.bottom - box.top + 1 : 0;
  const cols = box ? box.right - box.left + 1 : 0;
  return (
    <figure className="nw-rf" data-testid="nw-rf" data-rows={rows} data-cols={cols} data-count={count}>
      <div className="nw-rf-frame">
        <canvas ref={ref} data-testid="nw-rf-canvas" aria-label="The probe image with the receptive field highlighted" />
        {box && (
          <div
            className="nw-rf-box"
            style={{ top: `${(box.top / height) * 100}%`, left: `${(box.left / width) * 100}%`, height: `${(rows / height) * 100}%`, width: `${(cols / width) * 100}%` }}
          />
        )}
      </div>
      <figcaption data-testid="nw-rf-size" title="Every input pixel whose change can change this value, through every path of the graph (skip connections included). Outside it, nothing this value depends on.">
        Receptive field: {rows}×{cols} ({count} of {height * width} pixels)
      </figcaption>
    </figure>
  );
}

/** One k×k grid of a window (values, or value × weight = product), padding cells marked. */
function WindowGrid(props: { report: WindowReport; row: number; mode: 'values' | 'products' }) {
  const w = props.report.window!;
  const [, kw] = w.kernel;
  const values = w.values[props.row]!;
  return (
    <div className="nw-grid" style={{ gridTemplateColumns: `repeat(${kw}, auto)` }} data-testid="nw-grid">
      {w.taps.map((t, j) => {
        const v = values[j];
        const isMax = w.op === 'max' && w.maxTap === j;
        const where = t.padding ? `padding (row ${t.iy}, column ${t.ix} is outside the ${w.inputShape[0]}×${w.inputShape[1]} input)` : `${w.sourceId} row ${t.iy}, column ${t.ix}`;
        const title =
          props.mode === 'products' && w.products ? `${where}: ${fmt(v ?? 0)} × ${fmt(w.weights![props.row]![j])} = ${fmt(w.products[props.row]![j])}` : where;
        return (
          <span key={j} className={`nw-cell${t.padding ? ' pad' : ''}${isMax ? ' max' : ''}`} title={title} data-testid={isMax ? 'nw-max' : undefined}>
            {props.mode === 'products' && w.weights ? (
              <>
                <span className="nw-v">{fmt(v ?? 0)}</span>
                <span className="nw-w">×{fmt(w.weights[props.row]![j])}</span>
              </>
            ) : t.padding && w.op !== 'conv'
                ? 'pad'
                : fmt(v ?? 0)}
          </span>
        );
      })}
    </div>
  );
}

function ConvArithmetic({ report }: { report: WindowReport }) {
  const w = report.window!;
  const [open, setOpen] = useState<number | null>(w.channels.length === 1 ? 0 : null);
  useEffect(() => {
    if (w.channels.length === 1) setOpen(0);
    else if (open !== null && open >= w.channels.length) setOpen(null);
  }, [w.channels.length, open]);
  const act = w.activation ?? 'linear';
  const padded = w.taps.filter((t) => t.padding).length;
  return (
    <div className="nw-arith" data-testid="nw-arith" data-op="conv">
      <p className="ll-muted">
        {w.kernel[0]}×{w.kernel[1]} window of {w.sourceId} over {w.channels.length} input channel{w.channels.length > 1 ? 's' : ''}
        {padded ? `, ${padded} position${padded > 1 ? 's' : ''} in the padding (zeros)` : ''}: each value × its weight, all added up.
      </p>
      <table className="nw-sums">
        <thead>
          <tr>
            <th scope="col">input channel</th>
            <th scope="col" title="Σ value × weight over this channel's window">Σ products</th>
          </tr>
        </thead>
        <tbody>
          {w.channels.map((c, i) => (
            <tr key={c} className={open === i ? 'open' : undefined}>
              <td>
                <button type="button" className="nw-expand" aria-expanded={open === i} onClick={() => setOpen(open === i ? null : i)} title="Show this channel's products">
                  {open === i ? '▾' : '▸'} {c + 1}
                </button>
              </td>
              <td data-testid="nw-channel-sum">{fmt(w.channelSums![i])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {open !== null && (
        <div className="nw-products" tabIndex={0} role="group" aria-label={`Products of input channel ${w.channels[open]! + 1}`}>
          <div className="ll-muted">Input channel {w.channels[open]! + 1}: each cell is the value (top) × its weight (below); hover a cell for the product.</div>
          <WindowGrid report={report} row={open} mode="products" />
        </div>
      )}
      <p className="nw-equation" data-testid="nw-equation">
        <span data-testid="nw-sum">{fmt(w.sum)}</span> + bias <span data-testid="nw-bias">{fmt(w.bias)}</span> = <b data-testid="nw-pre">{fmt(w.pre)}</b>
        {act !== 'linear' && (
          <>
            {' '}→ {ACT_NAMES[act] ?? act} → <b data-testid="nw-result">{act === 'softmax' ? '(over all channels)' : fmt(w.result)}</b>
          </>
        )}
      </p>
    </div>
  );
}

function PoolArithmetic({ report }: { report: WindowReport }) {
  const w = report.window!;
  const max = w.op === 'max';
  const t = w.maxTap !== undefined ? w.taps[w.maxTap] : undefined;
  return (
    <div className="nw-arith" data-testid="nw-arith" data-op={w.op}>
      <p className="ll-muted">
        {w.kernel[0]}×{w.kernel[1]} window of {w.sourceId}, channel {w.channels[0]! + 1} only
        {max ? ': the largest value passes, the others are dropped.' : ': the mean of the values (padding not counted).'}
      </p>
      <WindowGrid report={report} row={0} mode="values" />
      <p className="nw-equation" data-testid="nw-equation">
        {max ? (
          <>
            max = <b data-testid="nw-result">{fmt(w.result)}</b>
            {t && ` (row ${t.iy}, column ${t.ix} of ${w.sourceId})`}
          </>
        ) : (
          <>
            mean of {w.count} values = <b data-testid="nw-result">{fmt(w.result)}</b>
          </>
        )}
      </p>
    </div>
  );
}

/** Where the pointer is over the map: (y, x, channel) of the node's output, or null over a gap. */
function spotAt(map: FeatureMap, shape: readonly number[], canvas: HTMLCanvasElement, clientX: number, clientY: number): Spot | null {
  const r = drawnRect(canvas);
  const px = ((clientX - r.left) / r.width) * canvas.width;
  const py = ((clientY - r.top) / r.height) * canvas.height;
  if (px < 0 || py < 0 || px >= canvas.width || py >= canvas.height) return null;
  if (map.kind !== 'grid') {
    const n = map.values.length;
    return { y: 0, x: 0, channel: Math.min(n - 1, Math.floor((px / canvas.width) * n)) };
  }
  const [th, tw] = map.tile;
  const col = Math.floor(px / (tw + 1));
  const row = Math.floor(py / (th + 1));
  const inX = Math.floor(px - col * (tw + 1));
  const inY = Math.floor(py - row * (th + 1));
  const channel = row * map.cols + col;
  if (inX >= tw || inY >= th || col >= map.cols || channel >= map.shown) return null;
  const step = stepOf(map, shape);
  return { y: Math.min(shape[0]! - 1, inY * step), x: Math.min(shape[1]! - 1, inX * step), channel };
}

/** How many map positions one tile pixel stands for (1 unless the map is larger than the tile). */
function stepOf(map: Extract<FeatureMap, { kind: 'grid' }>, shape: readonly number[]): number {
  const step = Math.max(1, Math.ceil(Math.max(shape[0]!, shape[1]!) / LARGE_TILE));
  return Math.ceil(shape[0]! / step) === map.tile[0] ? step : Math.max(1, Math.ceil(shape[0]! / map.tile[0]));
}

/** The marker's box (px, relative to the wrapper) over a spot. */
function markerBox(map: FeatureMap, shape: readonly number[], canvas: HTMLCanvasElement, wrap: HTMLElement, s: Spot) {
  const r = drawnRect(canvas);
  const w = wrap.getBoundingClientRect();
  if (map.kind !== 'grid') {
    const n = map.values.length;
    return { left: r.left - w.left + (s.channel / n) * r.width, top: r.top - w.top, width: Math.max(2, r.width / n), height: r.height };
  }
  const [th, tw] = map.tile;
  const step = stepOf(map, shape);
  const col = s.channel % map.cols;
  const row = Math.floor(s.channel / map.cols);
  const bx = col * (tw + 1) + Math.floor(s.x / step);
  const by = row * (th + 1) + Math.floor(s.y / step);
  return { left: r.left - w.left + bx * r.scale, top: r.top - w.top + by * r.scale, width: r.scale, height: r.scale };
}

export function NodeWindowView({ nodeId, map, classes }: { nodeId: string; map: FeatureMap; classes?: string[] }) {
  const shape = useEditor((s) => rootAnalysis(s).nodes.get(nodeId)?.outputShape);
  const wrap = useRef<HTMLDivElement>(null);
  const [spot, setSpot] = useState<Spot | null>(null);
  const [report, setReport] = useState<WindowReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [marker, setMarker] = useState<{ left: number; top: number; width: number; height: number } | null>(null);
  // One request in flight; the latest spot waits for it (hover events come faster than answers).
  const flight = useRef<{ busy: boolean; next: Spot | null }>({ busy: false, next: null });
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const ask = useCallback(
    (s: Spot) => {
      const f = flight.current;
      if (f.busy) {
        f.next = s;
        return;
      }
      f.busy = true;
      const doc = rootDoc();
      remote()
        .nodeWindow(doc, nodeId, s.y, s.x, s.channel, useTraining.getState().mapsVersion)
        .then((r) => {
          if (!live.current) return;
          setReport(r);
          setError(r ? null : 'Open the Probe tab or train the model first.');
        })
        .catch((e: unknown) => live.current && setError(e instanceof Error ? e.message : String(e)))
        .finally(() => {
          f.busy = false;
          const next = f.next;
          f.next = null;
          if (next && live.current) ask(next);
        });
    },
    [nodeId],
  );

  const canvas = () => wrap.current?.querySelector('canvas') ?? null;
  const show = useCallback(
    (s: Spot) => {
      const c = canvas();
      if (!shape || !c || !wrap.current) return;
      setSpot(s);
      setMarker(markerBox(map, shape, c, wrap.current, s));
      ask(s);
    },
    [map, shape, ask],
  );
  // A new probe image (or new weights) redraws the map: ask again for the same spot.
  useEffect(() => {
    if (spot) show(spot);
  }, [map]);

  const onMove = (e: PointerEvent) => {
    const c = canvas();
    if (!shape || !c) return;
    const s = spotAt(map, shape, c, e.clientX, e.clientY);
    if (s && (s.y !== spot?.y || s.x !== spot?.x || s.channel !== spot?.channel)) show(s);
  };
  const onKey = (e: KeyboardEvent) => {
    if (!shape) return;
    const vector = map.kind !== 'grid';
    const count = map.kind === 'grid' ? map.shown : map.values.length;
    const s = spot ?? { y: 0, x: 0, channel: 0 };
    const step = map.kind === 'grid' ? stepOf(map, shape) : 1;
    const clamp = (v: number, n: number) => Math.max(0, Math.min(n - 1, v));
    let next: Spot | null = null;
    if (vector && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) next = { ...s, channel: clamp(s.channel + (e.key === 'ArrowLeft' ? -1 : 1), count) };
    else if (!vector && e.key === 'ArrowLeft') next = { ...s, x: clamp(s.x - step, shape[1]!) };
    else if (!vector && e.key === 'ArrowRight') next = { ...s, x: clamp(s.x + step, shape[1]!) };
    else if (!vector && e.key === 'ArrowUp') next = { ...s, y: clamp(s.y - step, shape[0]!) };
    else if (!vector && e.key === 'ArrowDown') next = { ...s, y: clamp(s.y + step, shape[0]!) };
    else if (!vector && (e.key === ']' || e.key === 'PageDown')) next = { ...s, channel: clamp(s.channel + 1, count) };
    else if (!vector && (e.key === '[' || e.key === 'PageUp')) next = { ...s, channel: clamp(s.channel - 1, count) };
    else if (e.key === 'Enter' || e.key === ' ') next = s;
    if (!next) return;
    e.preventDefault();
    e.stopPropagation();
    show(next);
  };

  const vector = map.kind !== 'grid';
  const where = !spot
    ? null
    : vector
      ? `entry ${spot.channel} of ${shape?.[0] ?? '?'}`
      : `row ${spot.y}, column ${spot.x}, channel ${spot.channel + 1}`;
  return (
    <div className={`nw ${map.kind === 'grid' ? 'grid' : 'vector'}`} data-testid="node-window">
      <div
        ref={wrap}
        className="nw-map"
        data-testid="nw-map"
        tabIndex={0}
        role="application"
        aria-label={
          vector
            ? `${nodeId}'s values: hover an entry, or use the left and right arrow keys, to see where it comes from`
            : `${nodeId}'s channels: hover a position, or use the arrow keys ([ and ] change the channel), to see its receptive field and its window`
        }
        title="Hover a position (or focus and use the arrow keys) to see which input pixels can influence it and how it is computed"
        onPointerMove={onMove}
        onKeyDown={onKey}
      >
        <FeatureMapView map={map} classes={classes} large />
        {marker && <div className="nw-marker" data-testid="nw-marker" style={{ left: marker.left, top: marker.top, width: marker.width, height: marker.height }} />}
      </div>
      <div className="nw-panel" aria-live="polite">
        {!spot && <p className="ll-muted nw-hint">Hover the map (or focus it and press the arrow keys): the receptive field and the arithmetic of that value appear here.</p>}
        {error && <p className="ll-muted">{error}</p>}
        {spot && report && !error && (
          <>
            <ReceptiveImage report={report} />
            <div className="nw-detail">
              <h4 data-testid="nw-where">
                {nodeId}, {where}
              </h4>
              <p>
                value <b data-testid="nw-value">{fmt(report.value)}</b>
              </p>
              {report.window?.op === 'conv' && <ConvArithmetic report={report} />}
              {(report.window?.op === 'max' || report.window?.op === 'avg') && <PoolArithmetic report={report} />}
              {report.flatten && (
                <p data-testid="nw-flatten" data-y={report.flatten.y} data-x={report.flatten.x} data-channel={report.flatten.channel}>
                  Entry {report.channel} comes from {report.flatten.sourceId} at row {report.flatten.y}, column {report.flatten.x}, channel {report.flatten.channel + 1}{' '}
                  (value {fmt(report.flatten.value)}). Flatten reads the map row by row, each position's channels together: ({report.flatten.y} ×{' '}
                  {report.flatten.sourceShape[1]} + {report.flatten.x}) × {report.flatten.sourceShape[2]} + {report.flatten.channel} = {report.channel}.
                </p>
              )}
            </div>
          </>
        )}
      </div>
    </div>
  );
}
