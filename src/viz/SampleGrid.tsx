/**
 * A preview grid of dataset samples with their labels, and the same samples augmented (so a
 * learner sees what shift, rotation, zoom, brightness and flip do to the images).
 */
import { useEffect, useRef, useState } from 'react';
import { samples } from '../training/client';
import { augmentBatch, type Augmentation } from '../training/data/augment';
import { mulberry32 } from '../training/data/rng';
import type { Sample } from '../training/protocol';
import { useTraining } from '../training/store';

/** Paints one image (floats 0–1, h*w*c with c = 1 or 3) on a small canvas. */
export function ImageThumb({ sample, caption, image, shape: ownShape, testid = 'sample' }: { sample?: Sample; caption?: string; image?: Float32Array; shape?: readonly [number, number, number]; testid?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const datasetShape = useTraining((s) => s.dataset?.shape);
  const shape = ownShape ?? datasetShape;
  const data = image ?? sample?.image;
  useEffect(() => {
    const c = ref.current;
    if (!c || !shape || !data) return;
    const [h, w, ch] = shape;
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(w, h);
    for (let i = 0; i < h * w; i++) {
      const r = data[i * ch]!;
      const g = ch === 3 ? data[i * ch + 1]! : r;
      const b = ch === 3 ? data[i * ch + 2]! : r;
      img.data[i * 4] = r * 255;
      img.data[i * 4 + 1] = g * 255;
      img.data[i * 4 + 2] = b * 255;
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [data, shape]);
  return (
    <figure className="ll-thumb" data-testid={testid}>
      <canvas ref={ref} />
      {caption && <figcaption>{caption}</figcaption>}
    </figure>
  );
}

export function SampleGrid({ classes, augmentation }: { classes: string[]; augmentation?: Augmentation }) {
  const [items, setItems] = useState<Sample[]>([]);
  const [seed, setSeed] = useState(1);
  const dataset = useTraining((s) => s.dataset);
  useEffect(() => {
    if (!dataset) return;
    const rng = mulberry32(seed);
    const idx = Array.from({ length: 12 }, () => Math.floor(rng() * dataset.trainCount));
    void samples('train', idx).then(setItems);
  }, [dataset, seed]);
  const augmented =
    augmentation && dataset && items.length && (augmentation.shift || augmentation.rotation || augmentation.zoom || augmentation.brightness || augmentation.flip)
      ? (() => {
          const size = dataset.shape[0] * dataset.shape[1] * dataset.shape[2];
          const batch = new Float32Array(items.length * size);
          items.forEach((s, i) => batch.set(s.image, i * size));
          augmentBatch(batch, items.length, dataset.shape, augmentation, mulberry32(seed + 7));
          return items.map((_, i) => batch.subarray(i * size, (i + 1) * size));
        })()
      : null;
  return (
    <details className="ll-samples" data-testid="sample-grid">
      <summary>Preview samples</summary>
      <div className="ll-sample-grid">
        {items.map((s) => (
          <ImageThumb key={s.index} sample={s} caption={classes[s.label]} />
        ))}
      </div>
      {augmented && (
        <>
          <p className="ll-muted">The same images as training sees them (augmented):</p>
          <div className="ll-sample-grid" data-testid="augmented-grid">
            {augmented.map((img, i) => (
              <ImageThumb key={i} image={img} caption={classes[items[i]!.label]} />
            ))}
          </div>
        </>
      )}
      <button type="button" onClick={() => setSeed((s) => s + 1)}>
        Other samples
      </button>
    </details>
  );
}
