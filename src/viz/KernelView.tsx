/**
 * A convolution's learned kernels, one tile per filter, on a diverging colour scale: negative
 * weights blue, zero white, positive red, symmetric about zero (so white always means 0 and equal
 * strengths look equally strong), with a legend giving the numbers. The picture arrives as 8-bit
 * levels over [min, max] (tileChannels); the weights are recovered from them here.
 */
import { useEffect, useRef } from 'react';

export interface KernelPicture {
  width: number;
  height: number;
  cols: number;
  tile: [number, number];
  shown: number;
  /** Levels 0–255 over [min, max], width*height; the 1-pixel gaps between tiles are not weights. */
  pixels: Uint8ClampedArray;
  min?: number;
  max?: number;
}

const NEG: [number, number, number] = [33, 102, 172]; // blue
const POS: [number, number, number] = [178, 24, 43]; // red
const GAP: [number, number, number] = [203, 208, 216];

/** The colour of t in [-1, 1]: blue at -1, white at 0, red at 1. */
export function divergingColour(t: number): [number, number, number] {
  const c = Math.max(-1, Math.min(1, t));
  const end = c < 0 ? NEG : POS;
  const a = Math.abs(c);
  return [Math.round(255 + (end[0] - 255) * a), Math.round(255 + (end[1] - 255) * a), Math.round(255 + (end[2] - 255) * a)];
}

/** The symmetric bound of the scale: the largest weight magnitude (1 when unknown or all zero). */
export function scaleBound(min: number | undefined, max: number | undefined): number {
  const m = Math.max(Math.abs(min ?? 0), Math.abs(max ?? 0));
  return m > 0 ? m : 1;
}

/** RGBA for the picture: each weight level mapped back to its value and coloured by value / bound. */
export function paintKernels(k: KernelPicture): Uint8ClampedArray {
  const lo = k.min ?? 0;
  const hi = k.max ?? 0;
  const bound = scaleBound(k.min, k.max);
  const [th, tw] = k.tile;
  const out = new Uint8ClampedArray(k.width * k.height * 4);
  for (let y = 0; y < k.height; y++) {
    for (let x = 0; x < k.width; x++) {
      const col = Math.floor(x / (tw + 1));
      const row = Math.floor(y / (th + 1));
      const gap = x % (tw + 1) === tw || y % (th + 1) === th || row * k.cols + col >= k.shown;
      const i = y * k.width + x;
      const v = lo + (k.pixels[i]! / 255) * (hi - lo);
      const [r, g, b] = gap ? GAP : divergingColour(v / bound);
      out.set([r, g, b, 255], i * 4);
    }
  }
  return out;
}

const fmt = (v: number) => (Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));

export function KernelView({ kernels }: { kernels: KernelPicture }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    c.width = kernels.width;
    c.height = kernels.height;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(kernels.width, kernels.height);
    img.data.set(paintKernels(kernels));
    ctx.putImageData(img, 0, 0);
  }, [kernels]);
  const bound = scaleBound(kernels.min, kernels.max);
  const known = kernels.min !== undefined && kernels.max !== undefined;
  const ratio = kernels.width / Math.max(1, kernels.height);
  return (
    <div className="ll-kernels">
      <canvas ref={ref} className="ll-kernels-canvas" data-testid="kernel-canvas" style={{ aspectRatio: `${kernels.width} / ${kernels.height}`, width: `min(100%, calc(50vh * ${ratio}))` }} />
      <div className="ll-kernel-legend" data-testid="kernel-legend">
        <span className="ll-kernel-ramp" style={{ background: `linear-gradient(to right, rgb(${NEG.join(',')}), #fff, rgb(${POS.join(',')}))` }} />
        <span className="ll-kernel-ticks">
          <span data-testid="kernel-legend-min">{known ? fmt(-bound) : 'negative'}</span>
          <span>0</span>
          <span data-testid="kernel-legend-max">{known ? fmt(bound) : 'positive'}</span>
        </span>
        <span className="ll-muted" data-testid="kernel-range">
          {known ? `Weights from ${fmt(kernels.min!)} to ${fmt(kernels.max!)}: blue negative, white 0, red positive.` : 'Blue negative, white 0, red positive.'}
        </span>
      </div>
    </div>
  );
}
