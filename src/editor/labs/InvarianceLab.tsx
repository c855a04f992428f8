/**
 * The invariance lab (issue 10, part 3), a collapsible section of the Probe tab: sliders that shift,
 * rotate, scale and brighten the probe image (the prediction and every node's feature maps follow
 * live), a sweep that plots the probability of the true class and the test accuracy against one
 * transform's amount, and pinned models ("Keep this model for comparison") drawn on the same plot.
 * Nothing runs while the section is closed; closing it puts the probe image back as it was.
 */
import * as Comlink from 'comlink';
import { useCallback, useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { IDENTITY_TRANSFORM, isIdentityTransform, TRANSFORM_KINDS, TRANSFORM_SPECS, type ProbeTransform, type TransformKind } from '../../labs/transforms';
import { remote, setProbeTransform } from '../../training/client';
import { createRunGuard } from '../../training/run-guard';
import type { PinnedModelInfo, SweepResult } from '../../training/labs/invariance';
import type { DatasetInfo } from '../../training/protocol';
import { useTraining } from '../../training/store';
import { ImageThumb } from '../../viz/SampleGrid';
import { rootAnalysis, rootDoc, useEditor } from '../store';
import { useLabEvents } from '../../lessons/lab-events';

/** One colour per model: the current one first, then the pins (distinct, readable on white). */
export const SERIES_COLORS = ['#3558d4', '#d9480f', '#2b8a3e', '#9c36b5'];

const TIPS: Record<TransformKind, string> = {
  'shift-x': 'Moves the image right (left when negative) by whole or part pixels; what leaves the frame is lost, black comes in. Convolutions and pooling make a CNN fairly tolerant of small shifts.',
  'shift-y': 'Moves the image down (up when negative). Compare how far a CNN and a plain MLP let a digit move before they change their mind.',
  rotate: 'Turns the image about its centre, counter-clockwise for positive angles. Nothing in a CNN is rotation invariant by construction: it learns that only from rotated training images (augmentation).',
  scale: 'Enlarges (above 1) or shrinks (below 1) the image about its centre. Pooling gives some tolerance to size; beyond that it must be learned from data.',
  brightness: 'Multiplies every pixel by this factor (clipped to 0–1). Not built into a CNN either: dark or washed-out images are learned, or not.',
};

const fmt = (kind: TransformKind, v: number) => {
  const s = TRANSFORM_SPECS[kind];
  const n = s.step < 1 ? v.toFixed(2) : String(v);
  return s.unit === '×' ? `${n}×` : `${n} ${s.unit}`.replace(' °', '°');
};

const RUNNING = new Set(['loading', 'training', 'paused', 'evaluating']);

/** The transform the worker has now (module-wide: the section may close and reopen). */
let workerTransform: ProbeTransform = IDENTITY_TRANSFORM;

export function InvarianceLab({ dataset, refresh }: { dataset: DatasetInfo; refresh(): Promise<void> }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="inv-lab" data-testid="invariance-lab" open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary data-testid="invariance-lab-toggle" title="Shift, rotate, scale and brighten the probe image and watch the prediction; sweep a transform over the test set; compare models">
        <h3>Invariance lab</h3>
      </summary>
      {open && <InvarianceBody dataset={dataset} refresh={refresh} />}
    </details>
  );
}

function InvarianceBody({ dataset, refresh }: { dataset: DatasetInfo; refresh(): Promise<void> }) {
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  const [t, setT] = useState<ProbeTransform>(workerTransform);
  const [seen, setSeen] = useState<Float32Array | null>(null);
  const prediction = useTraining((s) => s.prediction);

  // Coalesced: while one predict is in flight, only the latest slider position waits for the next.
  const pending = useRef<ProbeTransform | null>(null);
  const busy = useRef(false);
  const apply = useCallback(async (next: ProbeTransform) => {
    pending.current = next;
    if (busy.current) return;
    busy.current = true;
    try {
      while (pending.current) {
        const now = pending.current;
        pending.current = null;
        workerTransform = now;
        await setProbeTransform(now);
        await refreshRef.current();
      }
    } finally {
      busy.current = false;
    }
  }, []);

  // Closing the section puts the probe image back as it was (a hidden rotation would only confuse).
  useEffect(
    () => () => {
      if (isIdentityTransform(workerTransform)) return;
      workerTransform = IDENTITY_TRANSFORM;
      void setProbeTransform(IDENTITY_TRANSFORM).then(() => refreshRef.current());
    },
    [],
  );

  // The image as the network sees it, after every prediction (a new image, a slider, training).
  useEffect(() => {
    let live = true;
    void remote()
      .transformedProbe()
      .then((img) => live && setSeen(img));
    return () => {
      live = false;
    };
  }, [prediction]);

  const set = (kind: TransformKind, value: number) => {
    const next = { ...t, [TRANSFORM_SPECS[kind].field]: value };
    setT(next);
    void apply(next);
  };

  return (
    <div className="inv-body">
      <div className="inv-sliders-row">
        <div className="inv-sliders">
          {TRANSFORM_KINDS.map((kind) => {
            const s = TRANSFORM_SPECS[kind];
            const v = t[s.field];
            return (
              <div className="inv-slider" key={kind} title={TIPS[kind]}>
                <label htmlFor={`inv-${kind}`}>{s.label}</label>
                <input
                  id={`inv-${kind}`}
                  type="range"
                  data-testid={`inv-slider-${kind}`}
                  aria-label={`${s.label} (${s.unit})`}
                  min={s.min}
                  max={s.max}
                  step={s.step}
                  value={v}
                  onChange={(e) => set(kind, Number(e.target.value))}
                />
                <output data-testid={`inv-value-${kind}`} htmlFor={`inv-${kind}`}>
                  {fmt(kind, v)}
                </output>
                <button type="button" className="inv-reset" data-testid={`inv-reset-${kind}`} aria-label={`Reset ${s.label.toLowerCase()}`} title={`Back to ${fmt(kind, s.identity)}`} disabled={v === s.identity} onClick={() => set(kind, s.identity)}>
                  ↺
                </button>
              </div>
            );
          })}
        </div>
        <figure className="inv-seen" title="The probe image as the network sees it, with the sliders applied">
          {seen && <ImageThumb image={seen} shape={dataset.shape} testid="inv-seen" />}
          <figcaption>what the network sees</figcaption>
        </figure>
      </div>
      <p className="inv-row">
        <button
          type="button"
          data-testid="inv-reset-all"
          disabled={isIdentityTransform(t)}
          onClick={() => {
            setT(IDENTITY_TRANSFORM);
            void apply(IDENTITY_TRANSFORM);
          }}
        >
          Reset all
        </button>{' '}
        <span className="ll-muted">The prediction above and every node's feature maps follow the sliders.</span>
      </p>
      <Sweep dataset={dataset} />
    </div>
  );
}

function Sweep({ dataset }: { dataset: DatasetInfo }) {
  const doc = useEditor((s) => rootDoc(s));
  const ok = useEditor((s) => rootAnalysis(s).ok);
  const phase = useTraining((s) => s.phase);
  const epochs = useTraining((s) => s.epochs.length);
  const loadedWeights = useTraining((s) => s.loadedWeights);
  const stoppedAt = useTraining((s) => (s.phase === 'stopped' && s.progress ? `epoch ${s.progress.epoch}, batch ${s.progress.batch}` : null));
  const running = RUNNING.has(phase);

  const [kind, setKind] = useState<TransformKind>('rotate');
  const [valuesText, setValuesText] = useState(TRANSFORM_SPECS.rotate.sweep.join(', '));
  const [count, setCount] = useState(Math.min(500, dataset.testCount));
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<SweepResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pins, setPins] = useState<PinnedModelInfo[]>([]);
  const [label, setLabel] = useState<string | null>(null);
  const sweepRuns = useRef(createRunGuard());

  const suggested = `${doc.name}, ${loadedWeights ? `from ${loadedWeights}` : (stoppedAt ?? (epochs ? `epoch ${epochs}` : 'untrained'))}`;

  useEffect(() => {
    let live = true;
    void remote()
      .pinnedModels()
      .then((p) => live && setPins(p));
    return () => {
      live = false;
    };
  }, []);

  const parsed = valuesText
    .split(/[,\s]+/)
    .filter(Boolean)
    .map(Number);
  const valuesOk = parsed.length > 0 && parsed.every((v) => Number.isFinite(v) && (kind !== 'scale' || v > 0) && (kind !== 'brightness' || v >= 0));

  const run = async () => {
    // Progress travels on its own channel and can arrive after the sweep's result: only the
    // sweep still running may move the bar (a late one would leave Cancel up for good).
    const ticket = sweepRuns.current.start();
    const live = ticket.live;
    setError(null);
    setProgress(0);
    try {
      const r = await remote().sweepProbe(
        doc,
        kind,
        parsed,
        count,
        Comlink.proxy((done: number, total: number) => {
          if (live()) setProgress(done / total);
        }),
      );
      if (live()) {
        setResult(r);
        useLabEvents.getState().record({ kind: 'sweep', transform: kind }); // for lesson goals
      }
    } catch (e) {
      if (live()) setError((e as Error).message);
    } finally {
      if (ticket.end()) setProgress(null);
    }
  };

  const pin = async () => {
    setError(null);
    try {
      setPins(await remote().pinModel(doc, label ?? suggested));
      setLabel(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const unpin = async (id: string) => setPins(await remote().unpinModel(id));

  const spec = TRANSFORM_SPECS[kind];
  return (
    <div className="inv-sweep">
      <h4>Sweep</h4>
      <div className="inv-sweep-form">
        <label>
          Transform{' '}
          <select
            data-testid="inv-sweep-kind"
            value={kind}
            onChange={(e) => {
              const k = e.target.value as TransformKind;
              setKind(k);
              setValuesText(TRANSFORM_SPECS[k].sweep.join(', '));
            }}
          >
            {TRANSFORM_KINDS.map((k) => (
              <option key={k} value={k}>
                {TRANSFORM_SPECS[k].label} ({TRANSFORM_SPECS[k].unit})
              </option>
            ))}
          </select>
        </label>
        <label title="The amounts to try, separated by commas">
          Values{' '}
          <input className="inv-values" data-testid="inv-sweep-values" aria-invalid={!valuesOk} value={valuesText} onChange={(e) => setValuesText(e.target.value)} />
        </label>
        <label title="The accuracy is measured on the first N test images (the same ones for every model)">
          Test images{' '}
          <input
            type="number"
            className="ll-num"
            data-testid="inv-sweep-count"
            min={1}
            max={dataset.testCount}
            value={count}
            onChange={(e) => setCount(Math.max(1, Math.min(dataset.testCount, Math.floor(Number(e.target.value)) || 1)))}
          />
        </label>
      </div>
      <p className="inv-row">
        {progress === null ? (
          <button
            type="button"
            className="primary"
            data-testid="inv-sweep-run"
            disabled={!ok || !valuesOk || running}
            title={running ? 'Wait until training is over' : !ok ? "Fix the graph's errors first" : `Try every value on the probe image and on ${count} test images${pins.length ? ', for this model and the kept ones' : ''}`}
            onClick={() => void run()}
          >
            Sweep
          </button>
        ) : (
          <button type="button" data-testid="inv-sweep-cancel" onClick={() => void remote().cancelSweep()}>
            Cancel
          </button>
        )}
        {progress !== null && (
          <span className="inv-progress" role="progressbar" aria-label="Sweep progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress * 100)} data-testid="inv-sweep-progress">
            <span style={{ transform: `scaleX(${progress})` }} />
          </span>
        )}
        {!valuesOk && <span className="ll-error">Values: numbers separated by commas{kind === 'scale' ? ', above 0' : ''}.</span>}
      </p>
      {error && (
        <p className="ll-error" role="alert" data-testid="inv-error">
          {error}
        </p>
      )}
      {result && <SweepView result={result} dataset={dataset} />}

      <h4>Compare models</h4>
      <div className="inv-pin-form">
        <input aria-label="Name of the kept model" data-testid="inv-pin-label" value={label ?? suggested} onChange={(e) => setLabel(e.target.value)} />
        <button
          type="button"
          data-testid="inv-pin"
          disabled={!ok || running || pins.length >= 3}
          title={pins.length >= 3 ? 'Three models are kept: remove one first' : 'Keep a copy of the current weights; the next sweep draws it too. Then change the graph or its training and compare.'}
          onClick={() => void pin()}
        >
          Keep this model for comparison
        </button>
      </div>
      {pins.length > 0 && (
        <ul className="inv-pins" data-testid="inv-pins">
          {pins.map((p, i) => (
            <li key={p.id}>
              <span className="inv-swatch" style={{ background: SERIES_COLORS[(i + 1) % SERIES_COLORS.length] }} aria-hidden="true" />
              <span className="inv-pin-name">{p.label}</span>
              <span className="ll-muted">
                {p.dataset}, {p.params.toLocaleString('en-US')} params
              </span>
              <button type="button" aria-label={`Remove ${p.label}`} title="Forget this model" onClick={() => void unpin(p.id)}>
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      {pins.length === 0 && <p className="ll-muted">Keep a trained model, then train another (or the same with augmentation) and sweep again: both curves on one plot.</p>}
      <p className="ll-muted inv-hint">{spec.label}: {TIPS[kind]}</p>
    </div>
  );
}

function SweepView({ result, dataset }: { result: SweepResult; dataset: DatasetInfo }) {
  const box = useRef<HTMLDivElement>(null);
  const spec = TRANSFORM_SPECS[result.kind];
  const target = result.target === null ? null : (dataset.classes[result.target] ?? String(result.target));
  // Pins keep their colour: the current model is first, pins follow in the order kept.
  const color = (i: number) => SERIES_COLORS[i % SERIES_COLORS.length]!;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = result.values;
    const at = (points: { value: number; accuracy: number; probability?: number }[], key: 'accuracy' | 'probability') => xs.map((_, i) => points[i]?.[key] ?? null);
    const data: uPlot.AlignedData = [xs, ...result.series.flatMap((s) => [at(s.points, 'probability'), at(s.points, 'accuracy')])];
    const series: uPlot.Series[] = [
      {},
      ...result.series.flatMap((s, i) => [
        { label: `${s.label}: probability`, stroke: color(i), width: 2, points: { show: true, size: 5 } },
        { label: `${s.label}: accuracy`, stroke: color(i), width: 1.5, dash: [5, 4], points: { show: true, size: 4 } },
      ]),
    ];
    const plot = new uPlot(
      {
        width: Math.max(el.clientWidth, 240),
        height: 190,
        legend: { show: false },
        cursor: { show: true },
        scales: { x: { time: false }, y: { range: [0, 1] } },
        axes: [
          { label: `${spec.label} (${spec.unit})`, size: 30, font: '10px sans-serif', labelFont: '10px sans-serif' },
          { size: 40, font: '10px sans-serif', values: (_u, v) => v.map((x) => `${Math.round(x * 100)}%`) },
        ],
        series,
      },
      data,
      el,
    );
    return () => plot.destroy();
  }, [result, spec]);

  const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : `${(x * 100).toFixed(1)}%`);
  return (
    <figure className="inv-chart" data-testid="inv-chart" data-points={result.values.length} data-series={result.series.length}>
      <figcaption>
        <span className="inv-key">
          <span className="inv-line" aria-hidden="true" /> probability of {target === null ? 'the class' : <b>“{target}”</b>}
          {result.targetFrom === 'prediction' ? ' (predicted at identity: your image has no label)' : ' (the image’s label)'}
        </span>
        <span className="inv-key">
          <span className="inv-line dashed" aria-hidden="true" /> accuracy on {result.count.toLocaleString('en-US')} test images
        </span>
        <span className="inv-legend" data-testid="inv-legend">
          {result.series.map((s, i) => (
            <span key={s.id} className="inv-legend-item" data-testid="inv-legend-item">
              <span className="inv-swatch" style={{ background: color(i) }} aria-hidden="true" />
              {s.label}
            </span>
          ))}
        </span>
        {result.cancelled && <span className="ll-muted"> Cancelled: the values done so far.</span>}
        {result.skipped.map((s) => (
          <span key={s.id} className="ll-muted">
            {' '}
            {s.label} is not drawn: {s.reason}.
          </span>
        ))}
      </figcaption>
      <div ref={box} className="inv-plot" />
      <details className="inv-numbers">
        <summary>Numbers</summary>
        <table data-testid="inv-table">
          <thead>
            <tr>
              <th scope="col">{spec.unit === '×' ? spec.label : `${spec.label} (${spec.unit})`}</th>
              {result.series.map((s) => (
                <th key={s.id} scope="col" colSpan={2}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.values.map((v, i) => (
              <tr key={i}>
                <th scope="row">{v}</th>
                {result.series.flatMap((s) => [
                  <td key={`${s.id}-p`} title="probability of the class">
                    {pct(s.points[i]?.probability)}
                  </td>,
                  <td key={`${s.id}-a`} title="test accuracy">
                    {pct(s.points[i]?.accuracy)}
                  </td>,
                ])}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
