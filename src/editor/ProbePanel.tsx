/**
 * The probe: pick a test image, draw one with the mouse, or drop an image file; the prediction and
 * every node's feature maps update at once, trained or not.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { predict, samples, setProbe } from '../training/client';
import { useTraining } from '../training/store';
import { ImageThumb } from '../viz/SampleGrid';
import type { Sample } from '../training/protocol';
import { useEditor } from './store';

const DRAW = 196;

export function ProbePanel() {
  const { dataset, prediction, phase } = useTraining(useShallow((s) => ({ dataset: s.dataset, prediction: s.prediction, phase: s.phase })));
  const { doc, ok } = useEditor(useShallow((s) => ({ doc: s.doc, ok: s.analysis.ok })));
  const [index, setIndex] = useState(0);
  const [sample, setSample] = useState<Sample | null>(null);
  const [source, setSource] = useState<'test' | 'drawing' | 'file'>('test');
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);

  const refresh = useCallback(async () => {
    if (ok && dataset) await predict(doc);
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

  const useImage = async (image: Float32Array, from: 'drawing' | 'file') => {
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
  useEffect(clear, []);

  const stroke = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const c = canvas.current;
    if (!c || !drawing.current) return;
    const r = c.getBoundingClientRect();
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.beginPath();
    ctx.arc(((e.clientX - r.left) / r.width) * DRAW, ((e.clientY - r.top) / r.height) * DRAW, 9, 0, Math.PI * 2);
    ctx.fill();
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

  if (!dataset) return <p className="ll-muted">Choose a dataset in the Train tab first.</p>;
  const best = prediction?.length ? prediction.indexOf(Math.max(...prediction)) : -1;
  return (
    <div className="ll-probe" data-testid="probe-panel">
      <section>
        <h3>Test image</h3>
        <div className="ll-probe-pick">
          <button type="button" data-testid="probe-prev" onClick={() => (setSource('test'), setIndex((i) => Math.max(0, i - 1)))}>
            ‹
          </button>
          <input
            type="number"
            className="ll-num"
            data-testid="probe-index"
            min={0}
            max={dataset.testCount - 1}
            value={index}
            onChange={(e) => (setSource('test'), setIndex(Math.max(0, Math.min(dataset.testCount - 1, Number(e.target.value) || 0))))}
          />
          <button type="button" data-testid="probe-next" onClick={() => (setSource('test'), setIndex((i) => Math.min(dataset.testCount - 1, i + 1)))}>
            ›
          </button>
          <button type="button" data-testid="probe-random" onClick={() => (setSource('test'), setIndex(Math.floor(Math.random() * dataset.testCount)))}>
            Random
          </button>
        </div>
        {sample && source === 'test' && <ImageThumb sample={sample} caption={`#${sample.index}: ${dataset.classes[sample.label]}`} />}
      </section>
      <section>
        <h3>Draw or drop an image</h3>
        <canvas
          ref={canvas}
          width={DRAW}
          height={DRAW}
          className="ll-draw"
          data-testid="probe-draw"
          onPointerDown={(e) => {
            drawing.current = true;
            (e.target as HTMLCanvasElement).setPointerCapture(e.pointerId);
            stroke(e);
          }}
          onPointerMove={stroke}
          onPointerUp={() => {
            drawing.current = false;
            const img = drawnImage();
            if (img) void useImage(img, 'drawing');
          }}
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
        <ol className="ll-prediction" data-testid="probe-prediction">
          {prediction?.map((p, i) => (
            <li key={i} className={i === best ? 'best' : undefined}>
              <span>{dataset.classes[i]}</span>
              <span className="ll-bar" style={{ width: `${p * 100}%` }} />
              <span>{(p * 100).toFixed(1)}%</span>
            </li>
          ))}
        </ol>
        <p className="ll-muted">Every node on the canvas now shows what it sees for this image; its ⤢ button opens all its channels.</p>
      </section>
    </div>
  );
}
