/**
 * The probe: pick a test image, draw one with the mouse, or drop an image file; the prediction and
 * every node's feature maps update at once, trained or not. It loads the graph's dataset itself (a
 * fresh page, a just-opened model file), and nothing above the drawing pad changes size, so the pad
 * never moves under the pen; strokes are joined lines through every (coalesced) pointer position.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { initTrainer, loadDataset, predict, samples, setProbe } from '../training/client';
import { graphDatasetName, graphDatasetSpec } from '../training/graph-dataset';
import { useTraining } from '../training/store';
import { ImageThumb } from '../viz/SampleGrid';
import type { Sample } from '../training/protocol';
import type { TaskPrediction } from '../training/task-probe';
import { rootDoc, useEditor } from './store';
import { analyzeGraph } from '../graph/analyze';
import { setProbeSource, showTestImage, useProbe } from './probe-store';
import { CameraSource, recordingTarget } from './labs/CameraSource';
import { ExplainLab } from './labs/ExplainLab';
import { InvarianceLab } from './labs/InvarianceLab';
import { KernelLabButton } from './labs/KernelLab';
import { TaskProbe } from './labs/TaskProbe';
import { TrackingLab } from './labs/TrackingLab';

const DRAW = 196;
/** Pen width on the 196-pixel pad: about 2.5 pixels of a 28×28 image, like an MNIST stroke. */
const PEN = 18;

/** Loads the graph's dataset (initialising the worker first if needed) unless one is loaded or loading. */
function useGraphDataset() {
  const { dataset, phase, datasetError } = useTraining(useShallow((s) => ({ dataset: s.dataset, phase: s.phase, datasetError: s.datasetError })));
  const doc = useEditor((s) => s.doc);
  const name = graphDatasetName(doc);
  const wanted = name !== 'custom' && dataset?.name !== name;
  useEffect(() => {
    if (!wanted || phase === 'loading' || datasetError) return;
    let live = true;
    void (async () => {
      if (!useTraining.getState().backend) await initTrainer();
      const now = useTraining.getState();
      // The Train tab may have started the same load meanwhile.
      if (!live || now.phase === 'loading' || now.dataset?.name === name) return;
      const spec = graphDatasetSpec(useEditor.getState().doc);
      if (spec) await loadDataset(spec);
    })();
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wanted, name, phase, datasetError]);
  return { dataset: name === 'custom' || !wanted ? dataset : null, custom: name === 'custom', phase, datasetError };
}

export function ProbePanel() {
  const { prediction, phase } = useTraining(useShallow((s) => ({ prediction: s.prediction, phase: s.phase })));
  const { dataset, custom, datasetError } = useGraphDataset();
  // The whole network, also while a block is open (its inner nodes then show this use's maps).
  const { doc, viewOk, inBlock } = useEditor(useShallow((s) => ({ doc: rootDoc(s), viewOk: s.analysis.ok, inBlock: !!s.scope })));
  const ok = useMemo(() => (inBlock ? analyzeGraph(doc).ok : viewOk), [doc, inBlock, viewOk]);
  const { index, source } = useProbe(useShallow((s) => ({ index: s.index, source: s.source })));
  const setIndex = (f: (i: number) => number) => showTestImage(f(useProbe.getState().index));
  const setSource = setProbeSource;
  const [sample, setSample] = useState<Sample | null>(null);
  /** Segmentation or detection: the mask or boxes of the latest prediction. */
  const [taskPrediction, setTaskPrediction] = useState<TaskPrediction | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  /** The last pen position (canvas pixels) while a stroke is under way, else null. */
  const pen = useRef<{ x: number; y: number; id: number } | null>(null);

  const refresh = useCallback(async () => {
    if (!ok || !dataset) return;
    const p = await predict(doc);
    setTaskPrediction(p?.task ?? null);
  }, [doc, ok, dataset]);

  useEffect(() => {
    if (!dataset || source !== 'test') return;
    void samples('test', [index]).then(async ([s]) => {
      setSample(s ?? null);
      await setProbe({ split: 'test', index });
      await refresh();
    });
  }, [dataset, index, source, refresh]);

  // Refresh after training finishes, so the probe shows the trained model.
  useEffect(() => {
    if (phase === 'done' || phase === 'stopped') void refresh();
  }, [phase, refresh]);

  const useImage = async (image: Float32Array, from: 'drawing' | 'file' | 'camera') => {
    setSource(from);
    await setProbe({ image });
    await refresh();
  };

  /** The drawing, scaled down to the dataset's shape (MNIST-like: white strokes on black). */
  const drawnImage = (): Float32Array | null => {
    const c = canvas.current;
    if (!c || !dataset) return null;
    const [h, w, ch] = dataset.shape;
    const small = document.createElement('canvas');
    small.width = w;
    small.height = h;
    const ctx = small.getContext('2d')!;
    ctx.drawImage(c, 0, 0, w, h);
    const px = ctx.getImageData(0, 0, w, h).data;
    const out = new Float32Array(h * w * ch);
    for (let i = 0; i < h * w; i++) for (let k = 0; k < ch; k++) out[i * ch + k] = px[i * 4 + (ch === 3 ? k : 0)]! / 255;
    return out;
  };

  const clear = () => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, DRAW, DRAW);
  };
  // The pad appears once the dataset is there: paint it black then (a transparent pad hides white strokes).
  const hasDataset = !!dataset;
  useEffect(() => {
    if (hasDataset) clear();
  }, [hasDataset]);

  /** Pointer position in the pad's own pixels. */
  const at = (c: HTMLCanvasElement, e: { clientX: number; clientY: number }) => {
    const r = c.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * DRAW, y: ((e.clientY - r.top) / r.height) * DRAW };
  };

  /** Draws the stroke on to every position the pointer passed (coalesced events included), as one joined line. */
  const stroke = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const c = canvas.current;
    const last = pen.current;
    if (!c || !last || e.pointerId !== last.id) return;
    const ctx = c.getContext('2d')!;
    const events = e.nativeEvent.getCoalescedEvents?.() ?? [];
    const points = (events.length ? events : [e.nativeEvent]).map((p) => at(c, p));
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = PEN;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    for (const p of points) ctx.lineTo(p.x, p.y);
    ctx.stroke();
    const end = points[points.length - 1]!;
    pen.current = { ...end, id: last.id };
  };

  const startStroke = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const c = canvas.current;
    if (!c || e.button !== 0) return;
    e.preventDefault();
    c.setPointerCapture(e.pointerId);
    const p = at(c, e);
    pen.current = { ...p, id: e.pointerId };
    // A click without a move still leaves a dot.
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.beginPath();
    ctx.arc(p.x, p.y, PEN / 2, 0, Math.PI * 2);
    ctx.fill();
  };

  const endStroke = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (!pen.current || e.pointerId !== pen.current.id) return;
    if (e.type === 'pointerup') stroke(e);
    pen.current = null;
    const img = drawnImage();
    if (img) void useImage(img, 'drawing');
  };

  const onDropFile = async (file: File) => {
    if (!dataset) return;
    try {
      const bitmap = await createImageBitmap(file);
      const c = canvas.current!;
      const ctx = c.getContext('2d')!;
      clear();
      ctx.drawImage(bitmap, 0, 0, DRAW, DRAW);
      const img = drawnImage();
      if (img) await useImage(img, 'file');
    } catch {
      useEditor.getState().notify('error', `${file.name} is not an image this browser can read.`);
    }
  };

  if (!dataset) {
    if (datasetError) return <p className="ll-error" data-testid="probe-dataset-error">The dataset could not be loaded: {datasetError}</p>;
    if (custom)
      return (
        <div className="ll-probe">
          <p className="ll-muted" data-testid="probe-no-dataset">
            This graph learns from your own images: choose their folder in the Train tab, or record them from the camera.
          </p>
          <CameraSource dataset={recordingTarget(doc)} active={false} recordOnly onFrame={async () => undefined} />
        </div>
      );
    return (
      <p className="ll-muted" data-testid="probe-loading">
        Loading the {graphDatasetName(doc)} test images…
      </p>
    );
  }
  const best = prediction?.length ? prediction.indexOf(Math.max(...prediction)) : -1;
  const task = dataset.task ?? 'classification';
  return (
    <div className="ll-probe" data-testid="probe-panel">
      <section>
        <h3>Test image</h3>
        <div className="ll-probe-pick">
          <button type="button" data-testid="probe-prev" aria-label="Previous test image" onClick={() => (setSource('test'), setIndex((i) => Math.max(0, i - 1)))}>
            ‹
          </button>
          <input
            type="number"
            className="ll-num"
            data-testid="probe-index"
            aria-label="Test image number"
            min={0}
            max={dataset.testCount - 1}
            value={index}
            onChange={(e) => showTestImage(Math.max(0, Math.min(dataset.testCount - 1, Number(e.target.value) || 0)))}
          />
          <button type="button" data-testid="probe-next" aria-label="Next test image" onClick={() => (setSource('test'), setIndex((i) => Math.min(dataset.testCount - 1, i + 1)))}>
            ›
          </button>
          <button type="button" data-testid="probe-random" onClick={() => showTestImage(Math.floor(Math.random() * dataset.testCount))}>
            Random
          </button>
        </div>
        {/* A fixed-height slot: the pad below must never move (a stroke in progress would land elsewhere). */}
        <div className={`ll-probe-sample${source === 'test' ? '' : ' unused'}`} data-testid="probe-sample" title={source === 'test' ? undefined : 'Not in use: the probe looks at your drawing or file'}>
          {sample && <ImageThumb sample={sample} caption={task === 'classification' ? `#${sample.index}: ${dataset.classes[sample.label]}` : `#${sample.index}`} />}
        </div>
      </section>
      <section>
        <h3>Draw or drop an image</h3>
        <canvas
          ref={canvas}
          width={DRAW}
          height={DRAW}
          className="ll-draw"
          data-testid="probe-draw"
          onPointerDown={startStroke}
          onPointerMove={stroke}
          onPointerUp={endStroke}
          onPointerCancel={endStroke}
          onLostPointerCapture={endStroke}
          onDragOver={(e) => e.preventDefault()}
          onDrop={(e) => {
            e.preventDefault();
            e.stopPropagation();
            const f = e.dataTransfer.files[0];
            if (f) void onDropFile(f);
          }}
        />
        <p>
          <button type="button" data-testid="probe-clear" onClick={clear}>
            Clear
          </button>{' '}
          <span className="ll-muted">white on black, like MNIST</span>
        </p>
      </section>
      <section>
        <h3>Prediction</h3>
        {!ok && <p className="ll-muted">Fix the graph's errors to see its prediction.</p>}
        {task !== 'classification' ? (
          prediction && taskPrediction?.task === task ? (
            <TaskProbe prediction={taskPrediction} />
          ) : (
            ok && (
              <p className="ll-muted" data-testid="task-probe-waiting">
                {prediction ? `This graph's output cannot be read as ${task === 'segmentation' ? 'a mask' : 'boxes'}: see its problems in the Train tab.` : 'Working out the prediction…'}
              </p>
            )
          )
        ) : (
          <ol className="ll-prediction" data-testid="probe-prediction">
            {prediction?.map((p, i) => (
              <li key={i} className={i === best ? 'best' : undefined}>
                <span>{dataset.classes[i]}</span>
                <span className="ll-bar" style={{ width: `${p * 100}%` }} />
                <span>{(p * 100).toFixed(1)}%</span>
              </li>
            ))}
          </ol>
        )}
        <p className="ll-muted">Every node on the canvas now shows what it sees for this image; its ⤢ button opens all its channels.</p>
      </section>
      <CameraSource dataset={dataset} active={source === 'camera'} onFrame={(image) => useImage(image, 'camera')} />
      {task === 'classification' ? (
        <>
          <InvarianceLab dataset={dataset} refresh={refresh} />
          <ExplainLab dataset={dataset} />
        </>
      ) : (
        // Both read one class score per image (accuracy under a transform, the gradient of a class logit).
        <p className="ll-muted" data-testid="probe-classification-labs-note">
          The invariance and “what the network looks at” labs read one class per image: they open for classification graphs.
        </p>
      )}
      <TrackingLab />
      <section>
        <h3>Kernel lab</h3>
        <KernelLabButton />
      </section>
    </div>
  );
}
