/**
 * The tracking lab (issue 11), a collapsible section of the Probe tab shown for detectors: a seeded
 * clip of moving, sometimes crossing shapes goes through the current network frame by frame; its
 * boxes are linked into tracks by overlap from one frame to the next, and the clip plays with each
 * track's box, number and trail (its last centres), scored with MOTA against the clip's truth.
 * The work is the worker's (src/training/labs/tracking.ts, maths in src/tasks/tracking.ts); the
 * page only plays the frames it got back. Nothing runs while the section is closed or while
 * training runs; it tracks again when training ends, the network changes or a control moves.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { remote } from '../../training/client';
import type { TrackClipResult } from '../../training/labs/tracking';
import { useTraining } from '../../training/store';
import { rootAnalysis, rootDoc, useEditor } from '../store';

const VIEW = 256;
const FRAMES = 60;
/** Frames per second while playing. */
const FPS = 8;
/** Centres in a trail (this frame's included). */
const TRAIL = 8;
const RUNNING = new Set(['loading', 'training', 'paused', 'evaluating']);
/** One colour per track (by id), readable over the grey frames. */
const TRACK_COLORS = ['#ff6b6b', '#4dabf7', '#69db7c', '#ffd43b', '#da77f2', '#ffa94d', '#3bc9db', '#f783ac'];
export const trackColor = (id: number) => TRACK_COLORS[(id - 1) % TRACK_COLORS.length]!;

const MOTA_TIP =
  'MOTA (multiple object tracking accuracy) = 1 − (missed boxes + false boxes + identity switches) ÷ boxes in the clip. A box counts as found when it overlaps the true one by at least half (IoU ≥ 0.5); an identity switch is an object that changes track. 100% is perfect; it can drop below 0.';

export function TrackingLab() {
  const detector = useEditor((s) => rootDoc(s).training?.task === 'detection');
  const [open, setOpen] = useState(false);
  if (!detector) return null;
  return (
    <details className="xp-lab" data-testid="tracking-lab" open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary data-testid="tracking-lab-toggle" title="Run the detector on every frame of a clip of moving shapes and follow each shape from frame to frame">
        <h3>Tracking</h3>
      </summary>
      {open && <TrackingBody />}
    </details>
  );
}

function TrackingBody() {
  const { doc, ok } = useEditor(useShallow((s) => ({ doc: rootDoc(s), ok: rootAnalysis(s).ok })));
  const { phase, epochs, loadedWeights } = useTraining(useShallow((s) => ({ phase: s.phase, epochs: s.epochs.length, loadedWeights: s.loadedWeights })));
  const running = RUNNING.has(phase);
  const [seed, setSeed] = useState(1);
  const [threshold, setThreshold] = useState(0.25);
  const [result, setResult] = useState<TrackClipResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [showTruth, setShowTruth] = useState(false);
  const canvas = useRef<HTMLCanvasElement>(null);
  const docRef = useRef(doc);
  docRef.current = doc;
  // Track again when the network changes, not when a node is dragged or renamed.
  const structure = useMemo(() => JSON.stringify([doc.nodes.map((n) => [n.id, n.type, n.params]), doc.edges]), [doc]);

  useEffect(() => {
    if (!ok || running) return;
    let live = true;
    setBusy(true);
    remote()
      .trackClip(docRef.current, { frames: FRAMES, seed, threshold })
      .then(
        (r) => {
          if (!live) return;
          setResult(r);
          setError(null);
        },
        (e: unknown) => {
          if (!live) return;
          setError(e instanceof Error ? e.message : String(e));
        },
      )
      .finally(() => live && setBusy(false));
    return () => {
      live = false;
    };
  }, [structure, ok, running, epochs, loadedWeights, seed, threshold]);

  const frames = result?.frames ?? 0;
  const at = frames ? Math.min(frame, frames - 1) : 0;

  useEffect(() => {
    if (!playing || !frames) return;
    const timer = setInterval(() => setFrame((f) => (Math.min(f, frames - 1) + 1) % frames), 1000 / FPS);
    return () => clearInterval(timer);
  }, [playing, frames]);

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, VIEW, VIEW);
    if (!result) return;
    const [h, w] = result.shape;
    const small = document.createElement('canvas');
    small.width = w;
    small.height = h;
    const sctx = small.getContext('2d')!;
    const img = sctx.createImageData(w, h);
    for (let i = 0; i < h * w; i++) {
      const v = result.pixels[at * h * w + i]!;
      img.data[i * 4] = v;
      img.data[i * 4 + 1] = v;
      img.data[i * 4 + 2] = v;
      img.data[i * 4 + 3] = 255;
    }
    sctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, VIEW, VIEW);
    const sx = VIEW / w;
    const sy = VIEW / h;
    const centre = (b: { x: number; y: number; w: number; h: number }) => [(b.x + b.w / 2) * sx, (b.y + b.h / 2) * sy] as const;
    if (showTruth) {
      // The true boxes, dashed white: what the tracks should cover.
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1;
      ctx.setLineDash([4, 3]);
      for (const b of result.truth[at] ?? []) ctx.strokeRect(b.x * sx + 0.5, b.y * sy + 0.5, b.w * sx - 1, b.h * sy - 1);
      ctx.setLineDash([]);
    }
    ctx.lineWidth = 2;
    ctx.font = 'bold 12px sans-serif';
    ctx.textBaseline = 'bottom';
    for (const b of result.tracks[at] ?? []) {
      const color = trackColor(b.trackId);
      // The trail: this track's centres in the last frames.
      const trail: (readonly [number, number])[] = [];
      for (let f = Math.max(0, at - TRAIL + 1); f <= at; f++) {
        const p = result.tracks[f]?.find((q) => q.trackId === b.trackId);
        if (p) trail.push(centre(p));
      }
      ctx.strokeStyle = color;
      ctx.globalAlpha = 0.7;
      ctx.beginPath();
      trail.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.stroke();
      for (const [x, y] of trail) ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
      ctx.globalAlpha = 1;
      ctx.strokeRect(b.x * sx, b.y * sy, b.w * sx, b.h * sy);
      const label = `#${b.trackId} ${result.classes[b.class] ?? b.class}`;
      const tw = ctx.measureText(label).width + 4;
      const ty = Math.max(14, b.y * sy);
      ctx.fillStyle = color;
      ctx.fillRect(b.x * sx - 1, ty - 14, tw, 14);
      ctx.fillStyle = '#000';
      ctx.fillText(label, b.x * sx + 1, ty);
    }
  }, [result, at, showTruth]);

  const m = result?.mota;
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const tracksNow = result?.tracks[at]?.length ?? 0;
  const caption = result ? `Frame ${at + 1} of ${frames} · ${tracksNow} track${tracksNow === 1 ? '' : 's'} in view · ${result.truth[at]?.length ?? 0} shape${result.truth[at]?.length === 1 ? '' : 's'} to find` : null;

  return (
    <div className="xp-body">
      <div className="xp-controls">
        <button type="button" data-testid="tracking-play" disabled={!frames} onClick={() => setPlaying((p) => !p)} aria-pressed={playing}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <label className="xp-field" title="Pick a frame (pauses the clip)">
          <span>Frame</span>
          <input
            type="range"
            min={0}
            max={Math.max(0, frames - 1)}
            step={1}
            value={at}
            disabled={!frames}
            onChange={(e) => (setPlaying(false), setFrame(Number(e.target.value)))}
            aria-label="Frame"
            data-testid="tracking-frame"
          />
        </label>
        <button type="button" data-testid="tracking-new-clip" title="Another clip: other shapes, other paths" onClick={() => (setSeed((s) => s + 1), setFrame(0))}>
          New clip
        </button>
        <label className="xp-field" title="A box is kept when the network's confidence (objectness × class probability) is at least this">
          <span>Score ≥ {threshold.toFixed(2)}</span>
          <input type="range" min={0.05} max={0.95} step={0.05} value={threshold} onChange={(e) => setThreshold(Number(e.target.value))} aria-label="Score threshold" data-testid="tracking-threshold" />
        </label>
        <label className="xp-field" title="Draw the true boxes (dashed white) under the tracks">
          <input type="checkbox" checked={showTruth} onChange={(e) => setShowTruth(e.target.checked)} data-testid="tracking-truth" />
          <span>True boxes</span>
        </label>
      </div>
      {!ok && <p className="ll-muted">Fix the graph's errors to track the clip.</p>}
      {running && <p className="ll-muted">Training is running: the clip is tracked again when it ends.</p>}
      <canvas
        ref={canvas}
        width={VIEW}
        height={VIEW}
        className="xp-canvas"
        style={{ width: VIEW, height: VIEW }}
        data-testid="tracking-canvas"
        data-frame={result ? at : undefined}
        role="img"
        aria-label={caption ? `${caption}: the clip with each track's box, number and trail` : 'No clip yet'}
      />
      <p className="xp-caption" data-testid="tracking-caption" aria-live="off">
        {caption ?? (busy ? 'Tracking the clip…' : '\u00a0')}
        {busy && result ? <span className="ll-muted"> · updating…</span> : null}
      </p>
      {m && (
        <p data-testid="tracking-mota" title={MOTA_TIP}>
          <strong>MOTA {Number.isFinite(m.mota) ? pct(m.mota) : '—'}</strong> · missed {m.misses} · false boxes {m.falsePositives} · identity switches {m.idSwitches}{' '}
          <span className="ll-muted">(of {m.gt} boxes in the clip)</span>
        </p>
      )}
      {error && (
        <p className="ll-error" data-testid="tracking-error">
          {error}
        </p>
      )}
      <p className="ll-muted xp-hint">
        Each box is linked to the track whose last box it overlaps most (IoU ≥ 0.3); a box that overlaps none starts a new track, and a track unseen for more than 2 frames ends. Where shapes cross, boxes merge or swap and tracks can change
        objects: an identity switch. {MOTA_TIP}
      </p>
    </div>
  );
}
