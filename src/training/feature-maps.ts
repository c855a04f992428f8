/**
 * Every node's activations for one image, from the probe model (which shares the trained weights),
 * turned into small pictures: a grid of channels for feature maps, a bar strip for vectors, class
 * probabilities for the output. Normalised per node (all channels of a node share one scale), so a
 * weak channel looks weak next to a strong one.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { CompiledGraph } from '../compiler/compile';
import { filterKernels, hasKernelPicture } from './kernels';

type TF = typeof tfjs;

export type FeatureMap =
  | {
      nodeId: string;
      kind: 'grid';
      /** Channels shown (the first ones, up to `maxChannels`) and the node's total. */
      shown: number;
      channels: number;
      cols: number;
      tile: [number, number];
      width: number;
      height: number;
      /** Greyscale, width*height, 0–255. */
      pixels: Uint8ClampedArray;
      min: number;
      max: number;
    }
  | { nodeId: string; kind: 'bars'; values: Float32Array; count: number; min: number; max: number }
  | { nodeId: string; kind: 'probs'; values: Float32Array };

export interface FeatureMapOptions {
  /** Channels drawn in a node's thumbnail grid. */
  maxChannels?: number;
  /** Largest tile side in pixels (bigger maps are sampled down). */
  maxTile?: number;
  /** Longest bar strip. */
  maxBars?: number;
  /** Only these nodes (default: all). */
  only?: ReadonlySet<string>;
}

/** Tiles channels of an [h, w, c] activation into one greyscale picture, normalised by lo/hi. */
export function tileChannels(data: Float32Array, h: number, w: number, c: number, lo: number, hi: number, maxChannels: number, maxTile: number) {
  const shown = Math.min(c, maxChannels);
  const cols = Math.ceil(Math.sqrt(shown));
  const rows = Math.ceil(shown / cols);
  const step = Math.max(1, Math.ceil(Math.max(h, w) / maxTile));
  const th = Math.ceil(h / step);
  const tw = Math.ceil(w / step);
  const gap = 1;
  const width = cols * tw + (cols - 1) * gap;
  const height = rows * th + (rows - 1) * gap;
  const pixels = new Uint8ClampedArray(width * height).fill(255);
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  for (let k = 0; k < shown; k++) {
    const ox = (k % cols) * (tw + gap);
    const oy = Math.floor(k / cols) * (th + gap);
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const v = data[(y * step * w + x * step) * c + k]!;
        pixels[(oy + y) * width + ox + x] = hi > lo ? (v - lo) * scale : 0;
      }
    }
  }
  return { shown, cols, tile: [th, tw] as [number, number], width, height, pixels };
}

function range(values: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) ? [lo, hi] : [0, 0];
}

export async function featureMaps(
  tf: TF,
  compiled: CompiledGraph,
  image: Float32Array,
  shape: [number, number, number],
  opts: FeatureMapOptions = {},
): Promise<FeatureMap[]> {
  const { probe, probeIds, analysis } = compiled;
  const outputs = tf.tidy(() => {
    const x = tf.tensor4d(image, [1, ...shape]);
    const out = probe.predict(x);
    return Array.isArray(out) ? out : [out];
  });
  try {
    const values = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
    const maps: FeatureMap[] = [];
    probeIds.forEach((id, i) => {
      if (opts.only && !opts.only.has(id)) return;
      const v = values[i]!;
      const s = outputs[i]!.shape.slice(1) as number[];
      const [lo, hi] = range(v);
      if (id === analysis.outputId && s.length === 1) {
        maps.push({ nodeId: id, kind: 'probs', values: Float32Array.from(v) });
      } else if (s.length === 3) {
        const [h, w, c] = s as [number, number, number];
        maps.push({ nodeId: id, kind: 'grid', channels: c, min: lo, max: hi, ...tileChannels(v, h, w, c, lo, hi, opts.maxChannels ?? 16, opts.maxTile ?? 28) });
      } else {
        const n = Math.min(v.length, opts.maxBars ?? 128);
        const bars = new Float32Array(n);
        for (let j = 0; j < n; j++) bars[j] = hi > lo ? (v[j]! - lo) / (hi - lo) : 0;
        maps.push({ nodeId: id, kind: 'bars', values: bars, count: v.length, min: lo, max: hi });
      }
    });
    return maps;
  } finally {
    tf.dispose(outputs);
  }
}

/**
 * A convolution node's learned kernels as a tiled picture, one tile per filter (see kernels.ts for
 * how each layer's kernel is read); null for a node without a kernel picture.
 */
export async function kernelPicture(tf: TF, compiled: CompiledGraph, nodeId: string) {
  const type = compiled.analysis.nodes.get(nodeId)?.type;
  if (!hasKernelPicture(type)) return null;
  const kernel = compiled.model.getLayer(nodeId).getWeights()[0];
  if (!kernel || kernel.shape.length !== 4) return null;
  const k = filterKernels(type, (await kernel.data()) as Float32Array, kernel.shape);
  const [lo, hi] = range(k.data);
  return { nodeId, type, size: [k.kh, k.kw] as [number, number], filters: k.filters, averagedOver: k.averagedOver, min: lo, max: hi, ...tileChannels(k.data, k.kh, k.kw, k.filters, lo, hi, 64, 64) };
}
