/**
 * What the network looks at (issue 10, part 4): a collapsible section of the Probe tab that
 * overlays a saliency map or a Grad-CAM map on the probe image (as the network sees it, with the
 * invariance lab's transform), for the predicted class or any other. The maths is
 * src/labs/explain.ts, run in the worker (src/training/labs/explain.ts). Nothing is computed while
 * the section is closed; open, it recomputes when the prediction changes (a new image, a trained
 * model) or a control moves. `requestExplain` (probe-store.ts), e.g. the confusion matrix's "Why?",
 * opens it and explains that class.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { defaultCamNode, featureMapNodes, type ExplainMethod } from '../../labs/explain';
import { remote } from '../../training/client';
import type { ExplainProbeResult } from '../../training/labs/explain';
import type { DatasetInfo } from '../../training/protocol';
import { useTraining } from '../../training/store';
import { useProbe } from '../probe-store';
import { rootAnalysis, rootDoc, useEditor } from '../store';
import { overlayPixels, turboGradient } from './heat-colors';

/** The last explain request handled (module-wide: the Probe tab may mount after the request). */
let handledRequest = 0;

const VIEW = 196;

const METHOD_TIPS: Record<ExplainMethod, string> = {
  saliency:
    'Saliency: how much each input pixel changes the class score (the score before softmax) when it changes a little: |∂score/∂pixel|, the largest over colour channels. Fine-grained and often noisy.',
  gradcam:
    'Grad-CAM (Selvaraju et al.): weighs each channel of a layer by how much the class score depends on it on average, adds the weighted channels, keeps the positive part and enlarges it to the image. Coarse, but it shows which region of the image speaks for the class.',
};

export function ExplainLab({ dataset }: { dataset: DatasetInfo }) {
  const [open, setOpen] = useState(false);
  const [method, setMethod] = useState<ExplainMethod>('gradcam');
  /** null: the predicted class. */
  const [classIndex, setClassIndex] = useState<number | null>(null);
  /** null: the default node (the last conv). */
  const [layer, setLayer] = useState<string | null>(null);
  const section = useRef<HTMLDetailsElement>(null);
  const request = useProbe((s) => s.explainRequest);

  useEffect(() => {
    if (!request || request.seq <= handledRequest) return;
    handledRequest = request.seq;
    setOpen(true);
    setClassIndex(request.classIndex);
    // After the section has opened (and the tab has rendered), bring it into view.
    requestAnimationFrame(() => section.current?.scrollIntoView({ block: 'nearest' }));
  }, [request]);

  return (
    <details ref={section} className="xp-lab" data-testid="explain-lab" open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary title="Saliency and Grad-CAM: which parts of the probe image the network's decision rests on">
        <h3>What the network looks at</h3>
      </summary>
      {open && (
        <ExplainBody dataset={dataset} method={method} setMethod={setMethod} classIndex={classIndex} setClassIndex={setClassIndex} layer={layer} setLayer={setLayer} />
      )}
    </details>
  );
}

function ExplainBody(props: {
  dataset: DatasetInfo;
  method: ExplainMethod;
  setMethod(m: ExplainMethod): void;
  classIndex: number | null;
  setClassIndex(c: number | null): void;
  layer: string | null;
  setLayer(l: string | null): void;
}) {
  const { dataset, method, classIndex, layer } = props;
  const { doc, analysis } = useEditor(useShallow((s) => ({ doc: rootDoc(s), analysis: rootAnalysis(s) })));
  const prediction = useTraining((s) => s.prediction);
  const [result, setResult] = useState<ExplainProbeResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [opacity, setOpacity] = useState(0.6);
  const canvas = useRef<HTMLCanvasElement>(null);
  // Explain again when the network changes, not when a node is dragged or renamed.
  const docRef = useRef(doc);
  docRef.current = doc;
  const structure = useMemo(() => JSON.stringify([doc.nodes.map((n) => [n.id, n.type, n.params]), doc.edges]), [doc]);

  const mapNodes = analysis.ok ? featureMapNodes(analysis) : [];
  const defaultNode = analysis.ok ? defaultCamNode(analysis) : null;
  // A chosen node that no longer exists (the graph was edited) falls back to the default.
  const node = layer && mapNodes.includes(layer) ? layer : defaultNode;
  const cls = classIndex !== null && classIndex < dataset.classes.length ? classIndex : null;
  const predicted = prediction?.length ? prediction.indexOf(Math.max(...prediction)) : null;

  useEffect(() => {
    if (!analysis.ok) return;
    if (method === 'gradcam' && !node) {
      setResult(null);
      setError('Grad-CAM needs a node with a feature map (a Conv 2D, for example); this graph has none. Saliency works on any network.');
      return;
    }
    let live = true;
    setBusy(true);
    remote()
      .explainProbe(docRef.current, { method, nodeId: method === 'gradcam' ? node : null, classIndex: cls })
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
    // `prediction` changes after every new probe image and after training: explain again then.
  }, [structure, analysis.ok, method, node, cls, prediction]);

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    ctx.clearRect(0, 0, VIEW, VIEW);
    if (!result) return;
    const [h, w] = result.shape;
    const small = document.createElement('canvas');
    small.width = w;
    small.height = h;
    const sctx = small.getContext('2d')!;
    const img = sctx.createImageData(w, h);
    img.data.set(overlayPixels(result.image, result.shape, result.heatmap, opacity));
    sctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, VIEW, VIEW);
  }, [result, opacity]);

  const name = (k: number) => dataset.classes[k] ?? String(k);
  const caption = result
    ? `${result.method === 'saliency' ? 'Saliency' : `Grad-CAM on ${result.layer}`} for class ${name(result.class)}` +
      ` · predicted ${name(result.predicted)}${prediction?.[result.predicted] !== undefined ? ` (${(prediction[result.predicted]! * 100).toFixed(0)}%)` : ''}`
    : null;

  return (
    <div className="xp-body">
      <div className="xp-controls">
        <fieldset className="xp-methods">
          <legend className="xp-sr">Method</legend>
          {(['gradcam', 'saliency'] as const).map((m) => (
            <label key={m} title={METHOD_TIPS[m]}>
              <input type="radio" name="xp-method" value={m} checked={method === m} onChange={() => props.setMethod(m)} data-testid={`explain-method-${m}`} />
              {m === 'gradcam' ? 'Grad-CAM' : 'Saliency'}
            </label>
          ))}
        </fieldset>
        <label className="xp-field" title="The class whose score is explained: the predicted one, or any other (“why not a 7?”)">
          <span>Class</span>
          <select data-testid="explain-class" aria-label="Class to explain" value={cls === null ? '' : String(cls)} onChange={(e) => props.setClassIndex(e.target.value === '' ? null : Number(e.target.value))}>
            <option value="">Predicted{predicted !== null ? ` (${name(predicted)})` : ''}</option>
            {dataset.classes.map((c, i) => (
              <option key={i} value={i}>
                {c}
              </option>
            ))}
          </select>
        </label>
        {method === 'gradcam' && (
          <label className="xp-field" title="The node whose feature maps Grad-CAM weighs: the last convolution by default (the most abstract features that still know where they are). Any node with a feature map works; early ones are sharper but less about the class.">
            <span>Layer</span>
            <select data-testid="explain-layer" aria-label="Grad-CAM layer" value={node ?? ''} onChange={(e) => props.setLayer(e.target.value === defaultNode ? null : e.target.value)} disabled={!mapNodes.length}>
              {mapNodes.map((id) => (
                <option key={id} value={id}>
                  {id}
                  {id === defaultNode ? ' (last conv)' : ''}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {!analysis.ok && <p className="ll-muted">Fix the graph's errors to see what it looks at.</p>}
      <div className="xp-view">
        <canvas
          ref={canvas}
          width={VIEW}
          height={VIEW}
          className="xp-canvas"
          data-testid="explain-canvas"
          role="img"
          aria-label={caption ? `${caption}: the heatmap over the image` : 'No explanation yet'}
          title={METHOD_TIPS[method]}
        />
        <div className="xp-side">
          <div className="xp-legend" title="Colours of the heatmap: each map is divided by its largest value">
            <span className="xp-legend-bar" style={{ background: turboGradient('to top') }} />
            <span className="xp-legend-labels">
              <span>most</span>
              <span>none</span>
            </span>
          </div>
          <label className="xp-opacity" title="How strongly the heatmap covers the image">
            <span>Overlay</span>
            <input type="range" min={0} max={1} step={0.05} value={opacity} onChange={(e) => setOpacity(Number(e.target.value))} aria-label="Heatmap opacity" data-testid="explain-opacity" />
          </label>
        </div>
      </div>
      <p className="xp-caption" data-testid="explain-caption" aria-live="polite">
        {caption ?? (busy ? 'Computing…' : '\u00a0')}
        {busy && result ? <span className="ll-muted"> · updating…</span> : null}
      </p>
      {error && (
        <p className="ll-error" data-testid="explain-error">
          {error}
        </p>
      )}
      <p className="ll-muted xp-hint">{METHOD_TIPS[method]}</p>
    </div>
  );
}
