/**
 * The probe's answer for a segmentation or a detection network, in place of the class bars: the
 * predicted mask painted over the image beside the ground truth (per-class colours, a legend with
 * each class's share of the pixels, an opacity slider), or the predicted boxes over the image with
 * their class and score, the true boxes dashed, and a score-threshold slider. The worker sends the
 * boxes down to a low score (TASK_PROBE_MIN_SCORE), already through non-maximum suppression, so the
 * slider only hides the weaker ones (the same boxes as decoding at that threshold).
 */
import { useEffect, useRef, useState } from 'react';
import type { TaskPrediction } from '../../training/task-probe';
import { TASK_PROBE_MIN_SCORE } from '../../training/task-probe';
import { classShares, cssColor, maskClassColor, maskOverlay, objectColor } from '../../viz/mask-colors';

type Seg = Extract<TaskPrediction, { task: 'segmentation' }>;
type Det = Extract<TaskPrediction, { task: 'detection' }>;

/** On-screen width of the mask canvases (their pixels are the image's, scaled up crisp). */
const MASK_VIEW = 132;
/** The detection canvas is drawn at this width, so that labels are readable. */
const BOX_VIEW = 264;

const pct = (v: number) => `${(v * 100).toFixed(v > 0 && v < 0.01 ? 1 : 0)}%`;

/** A canvas of w×h pixels showing `pixels` (RGBA), scaled up without smoothing. */
function PixelCanvas({ pixels, width, height, testid, label }: { pixels: Uint8ClampedArray; width: number; height: number; testid: string; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    c.width = width;
    c.height = height;
    ctx.putImageData(new ImageData(Uint8ClampedArray.from(pixels), width, height), 0, 0);
  }, [pixels, width, height]);
  return <canvas ref={ref} data-testid={testid} role="img" aria-label={label} style={{ width: MASK_VIEW, height: (MASK_VIEW * height) / width, imageRendering: 'pixelated', display: 'block', background: '#000' }} />;
}

function SegmentationProbe({ p }: { p: Seg }) {
  const [opacity, setOpacity] = useState(0.6);
  const shape = [p.height, p.width, p.channels] as const;
  const k = p.classes.length;
  const predicted = classShares(p.mask, k);
  const truth = p.truth ? classShares(p.truth, k) : null;
  let agree = 0;
  if (p.truth) for (let i = 0; i < p.mask.length; i++) if (p.mask[i] === p.truth[i]) agree++;
  let sure = 0;
  for (const v of p.confidence) sure += v;
  return (
    <div data-testid="task-probe" data-task="segmentation">
      <div style={{ display: 'flex', gap: 10, flexWrap: 'wrap' }}>
        <figure style={{ margin: 0 }}>
          <PixelCanvas pixels={maskOverlay(p.image, shape, p.mask, opacity)} width={p.width} height={p.height} testid="task-mask-pred" label="The predicted mask over the image" />
          <figcaption className="ll-muted">Predicted</figcaption>
        </figure>
        <figure style={{ margin: 0 }}>
          {p.truth ? (
            <PixelCanvas pixels={maskOverlay(p.image, shape, p.truth, opacity)} width={p.width} height={p.height} testid="task-mask-truth" label="The true mask over the image" />
          ) : (
            <p className="ll-muted" data-testid="task-no-truth" style={{ width: MASK_VIEW, margin: 0 }}>
              No true mask: this image is not one of the dataset's as it was (your drawing, a file, the camera, or moved by the invariance lab).
            </p>
          )}
          <figcaption className="ll-muted">Truth</figcaption>
        </figure>
      </div>
      <label style={{ display: 'flex', gap: 6, alignItems: 'center', margin: '6px 0' }}>
        Mask opacity
        <input type="range" min={0} max={1} step={0.05} value={opacity} data-testid="task-mask-opacity" onChange={(e) => setOpacity(Number(e.target.value))} />
        <span>{pct(opacity)}</span>
      </label>
      <table className="ll-task-legend" data-testid="task-legend">
        <thead>
          <tr>
            <th>Class</th>
            <th title="Share of the pixels the network gives this class">Predicted</th>
            {truth && <th title="Share of the pixels the true mask gives this class">Truth</th>}
          </tr>
        </thead>
        <tbody>
          {p.classes.map((name, c) => (
            <tr key={c} data-testid="task-legend-class">
              <td>
                <span aria-hidden style={{ display: 'inline-block', width: 12, height: 12, marginRight: 6, verticalAlign: 'middle', background: cssColor(maskClassColor(c)), border: '1px solid #888' }} />
                {name}
                {c === 0 ? ' (no colour)' : ''}
              </td>
              <td>{pct(predicted[c]!)}</td>
              {truth && <td>{pct(truth[c]!)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="ll-muted" data-testid="task-mask-summary" data-agreement={p.truth ? agree / p.mask.length : undefined} data-confidence={sure / p.confidence.length}>
        {p.truth ? `${pct(agree / p.mask.length)} of the pixels agree with the truth. ` : ''}
        On average the network gives a pixel's class {pct(sure / p.confidence.length)} probability.
      </p>
    </div>
  );
}

function DetectionProbe({ p }: { p: Det }) {
  const [threshold, setThreshold] = useState(0.25);
  const ref = useRef<HTMLCanvasElement>(null);
  const shown = p.detections.filter((d) => d.score >= threshold);
  const scale = BOX_VIEW / p.width;
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    c.width = BOX_VIEW;
    c.height = Math.round(p.height * scale);
    const small = document.createElement('canvas');
    small.width = p.width;
    small.height = p.height;
    const img = small.getContext('2d')!.createImageData(p.width, p.height);
    for (let i = 0; i < p.width * p.height; i++) {
      for (let k = 0; k < 3; k++) img.data[i * 4 + k] = p.image[i * p.channels + (p.channels === 3 ? k : 0)]! * 255 * 0.75;
      img.data[i * 4 + 3] = 255;
    }
    small.getContext('2d')!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, c.width, c.height);
    ctx.lineWidth = 2;
    ctx.font = '11px sans-serif';
    ctx.textBaseline = 'top';
    ctx.setLineDash([5, 4]);
    ctx.strokeStyle = '#fff';
    for (const b of p.truth ?? []) ctx.strokeRect(b.x * scale, b.y * scale, b.w * scale, b.h * scale);
    ctx.setLineDash([]);
    // Weakest first, so the strongest box and its label end up on top.
    for (const d of [...shown].reverse()) {
      const colour = cssColor(objectColor(d.class));
      ctx.strokeStyle = colour;
      ctx.strokeRect(d.x * scale, d.y * scale, d.w * scale, d.h * scale);
      const text = `${p.classes[d.class] ?? d.class} ${d.score.toFixed(2)}`;
      const tw = ctx.measureText(text).width + 4;
      const ty = Math.max(0, d.y * scale - 14);
      ctx.fillStyle = colour;
      ctx.fillRect(d.x * scale, ty, tw, 14);
      ctx.fillStyle = '#000';
      ctx.fillText(text, d.x * scale + 2, ty + 1);
    }
  }, [p, shown.length, threshold, scale]);
  return (
    <div data-testid="task-probe" data-task="detection">
      <canvas ref={ref} data-testid="task-boxes" role="img" aria-label={`${shown.length} predicted boxes over the image${p.truth ? ', the true boxes dashed' : ''}`} style={{ width: BOX_VIEW, display: 'block', background: '#000' }} />
      <label style={{ display: 'flex', gap: 6, alignItems: 'center', margin: '6px 0' }}>
        Score threshold
        <input
          type="range"
          min={TASK_PROBE_MIN_SCORE}
          max={0.95}
          step={0.05}
          value={threshold}
          data-testid="task-score-threshold"
          onChange={(e) => setThreshold(Number(e.target.value))}
        />
        <span>{threshold.toFixed(2)}</span>
      </label>
      <p data-testid="task-box-count" data-count={shown.length}>
        {shown.length === 1 ? '1 box' : `${shown.length} boxes`} score {threshold.toFixed(2)} or more
        {p.truth ? `; the image has ${p.truth.length === 1 ? '1 true box' : `${p.truth.length} true boxes`} (dashed)` : ''}.
      </p>
      <ul className="ll-task-legend" data-testid="task-legend" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {p.classes.map((name, c) => (
          <li key={c} data-testid="task-legend-class">
            <span aria-hidden style={{ display: 'inline-block', width: 12, height: 12, marginRight: 6, verticalAlign: 'middle', background: cssColor(objectColor(c)) }} />
            {name}: {shown.filter((d) => d.class === c).length} shown
          </li>
        ))}
      </ul>
      <p className="ll-muted">A box's score is how sure the network is that an object's centre lies in that cell, times how sure it is of the class. Overlapping boxes of the same class are merged (non-maximum suppression).</p>
    </div>
  );
}

/** The mask or the boxes of the probe image (see the module comment). */
export function TaskProbe({ prediction }: { prediction: TaskPrediction }) {
  return prediction.task === 'segmentation' ? <SegmentationProbe p={prediction} /> : <DetectionProbe p={prediction} />;
}
