/**
 * Draws one node's feature map: a grid of channels (greyscale, painted small with putImageData and
 * scaled up with CSS), a bar strip for vectors, or class probabilities for the output.
 */
import { useEffect, useRef } from 'react';
import type { FeatureMap } from '../training/feature-maps';

function paintGrid(canvas: HTMLCanvasElement, m: Extract<FeatureMap, { kind: 'grid' }>) {
  canvas.width = m.width;
  canvas.height = m.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(m.width, m.height);
  for (let i = 0; i < m.pixels.length; i++) {
    const v = m.pixels[i]!;
    img.data[i * 4] = v;
    img.data[i * 4 + 1] = v;
    img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function paintBars(canvas: HTMLCanvasElement, values: ArrayLike<number>, highlight = -1) {
  const n = values.length;
  const w = Math.max(n * 2, 60);
  const h = 32;
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = '#f1f3f6';
  ctx.fillRect(0, 0, w, h);
  const bw = w / Math.max(n, 1);
  for (let i = 0; i < n; i++) {
    const v = Math.max(0, Math.min(1, values[i]!));
    ctx.fillStyle = i === highlight ? '#16a34a' : '#3558d4';
    ctx.fillRect(i * bw, h - v * h, Math.max(bw - (bw > 3 ? 1 : 0), 1), v * h);
  }
}

export function FeatureMapView({ map, classes, large = false }: { map: FeatureMap; classes?: string[]; large?: boolean }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    if (map.kind === 'grid') paintGrid(c, map);
    else if (map.kind === 'bars') paintBars(c, map.values);
    else {
      let best = 0;
      map.values.forEach((v, i) => v > map.values[best]! && (best = i));
      paintBars(c, map.values, best);
    }
  }, [map]);
  const title =
    map.kind === 'grid'
      ? `${map.shown} of ${map.channels} channels, values ${map.min.toFixed(2)} to ${map.max.toFixed(2)}`
      : map.kind === 'bars'
        ? `${map.count} values from ${map.min.toFixed(2)} to ${map.max.toFixed(2)}`
        : 'class probabilities';
  let top: string | null = null;
  if (map.kind === 'probs') {
    let best = 0;
    map.values.forEach((v, i) => v > map.values[best]! && (best = i));
    top = `${classes?.[best] ?? best} · ${(map.values[best]! * 100).toFixed(1)}%`;
  }
  // A grid keeps its own aspect ratio: as wide as there is room for, no taller than the limit
  // (60% of the window when large, 56 px on a node), never letterboxed.
  const gridStyle =
    map.kind === 'grid'
      ? { aspectRatio: `${map.width} / ${map.height}`, width: `min(100%, calc(${large ? '60vh' : '56px'} * ${map.width / Math.max(1, map.height)}))`, height: 'auto', maxHeight: 'none', margin: '0 auto' }
      : undefined;
  return (
    <div className={`ll-fmap ${map.kind}${large ? ' large' : ''}`} data-testid="feature-map" data-kind={map.kind} title={title}>
      <canvas ref={ref} style={gridStyle} />
      {top && (
        <span className="ll-fmap-top" data-testid="feature-map-top">
          {top}
        </span>
      )}
    </div>
  );
}
