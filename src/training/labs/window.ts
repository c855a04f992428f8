/**
 * The worker's side of the window lab (see context.ts): for one output value of a node, on the
 * probe image, the receptive field on the input image and the node's own arithmetic (the window of
 * its input with the products and sum of a convolution, the max or the mean of a pooling), or for a
 * Flatten where an entry comes from. Runs on hover only (the page throttles it); the node's input
 * and output maps for the current probe image are kept between hovers.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { CompiledGraph } from '../../compiler/compile';
import type { GraphDoc } from '../../graph/types';
import { windowArithmetic, type WindowArithmetic } from '../../labs/node-window';
import { flattenSource, nodeWindow, receptiveField, type NodeWindow, type ReceptiveField } from '../../labs/receptive-field';
import type { WorkerContext } from './context';

export interface WindowReport {
  nodeId: string;
  type: string;
  /** The node's output shape and the value asked for: (y, x, channel) on a map, entry `channel` of a vector. */
  shape: number[];
  y: number;
  x: number;
  channel: number;
  /** The network's value there (after the node's activation). */
  value: number;
  /** The probe image as the network sees it, [height, width, channels], and the receptive field on it. */
  image: Float32Array;
  imageShape: [number, number, number];
  receptive: ReceptiveField;
  /** Convolutions and pooling: the window of the node's input and its arithmetic. */
  window: (Omit<NodeWindow, 'channels'> & WindowArithmetic) | null;
  /** Flatten: where the entry comes from in the map before it. */
  flatten: { sourceId: string; sourceShape: number[]; y: number; x: number; channel: number; value: number } | null;
}

export interface WindowApi {
  /**
   * Node `nodeId`'s value at (y, x, channel) on the probe image (for a vector: entry `channel`),
   * with its receptive field and its window. Null without a dataset, a probe image or a compiled graph.
   * `version` (the page's feature-map version) changes when the weights or the probe image may have:
   * the node's maps are kept between calls with the same version and image.
   */
  nodeWindow(graph: GraphDoc, nodeId: string, y: number, x: number, channel: number, version?: number): Promise<WindowReport | null>;
}

/** A cheap fingerprint of the probe image, to know when the cached maps are stale. */
function fingerprint(a: Float32Array): number {
  let h = a.length;
  for (let i = 0; i < a.length; i++) h = (Math.imul(h, 31) + Math.round(a[i]! * 65536)) | 0;
  return h;
}

export function windowApi(ctx: WorkerContext): WindowApi {
  /** The last node's input and output maps for the last probe image. */
  let cache: { compiled: CompiledGraph; nodeId: string; image: number; version: number; source: Float32Array | null; output: Float32Array } | null = null;
  /** Per compiled graph, a model giving one node's input and output (sharing the graph's layers). */
  const subModels = new WeakMap<CompiledGraph, Map<string, tfjs.LayersModel>>();

  async function maps(tf: typeof tfjs, compiled: CompiledGraph, nodeId: string, image: Float32Array, shape: [number, number, number], version: number) {
    const print = fingerprint(image);
    if (cache && cache.compiled === compiled && cache.nodeId === nodeId && cache.image === print && cache.version === version) return cache;
    const sourceId = compiled.analysis.nodes.get(nodeId)?.sources[0];
    let models = subModels.get(compiled);
    if (!models) subModels.set(compiled, (models = new Map()));
    let sub = models.get(nodeId);
    if (!sub) {
      const at = (id: string) => compiled.probe.outputs[compiled.probeIds.indexOf(id)]!;
      sub = tf.model({ inputs: compiled.probe.inputs, outputs: sourceId ? [at(sourceId), at(nodeId)] : [at(nodeId)] });
      models.set(nodeId, sub);
    }
    const result = tf.tidy(() => {
      const r = sub!.predict(tf.tensor4d(image, [1, ...shape]));
      return Array.isArray(r) ? r : [r];
    });
    try {
      const values = await Promise.all(result.map((t) => t.data() as Promise<Float32Array>));
      cache = { compiled, nodeId, image: print, version, source: sourceId ? values[0]! : null, output: values[values.length - 1]! };
      return cache;
    } finally {
      tf.dispose(result);
    }
  }

  return {
    async nodeWindow(graph, nodeId, y, x, channel, version = 0) {
      const data = ctx.data();
      const image = ctx.probeImage();
      if (!data || !image) return null;
      const compiled = ctx.compiled(graph);
      const { analysis } = compiled;
      const n = analysis.nodes.get(nodeId);
      if (!n?.outputShape) return null;
      const shape = [...n.outputShape];
      const isMap = shape.length === 3;
      const [h, w, c] = isMap ? (shape as [number, number, number]) : [1, 1, shape[0]!];
      y = isMap ? Math.min(Math.max(0, Math.floor(y)), h - 1) : 0;
      x = isMap ? Math.min(Math.max(0, Math.floor(x)), w - 1) : 0;
      channel = Math.min(Math.max(0, Math.floor(channel)), c - 1);
      const imageShape = [...data.shape] as [number, number, number];
      const m = await maps(ctx.tf, compiled, nodeId, image, imageShape, version);
      const value = m.output[(y * w + x) * c + channel]!;
      const receptive = receptiveField(analysis, nodeId, isMap ? { y, x, channel } : { channel });
      let win: WindowReport['window'] = null;
      const geometry = nodeWindow(analysis, nodeId, y, x, channel);
      if (geometry && m.source) {
        let conv: Parameters<typeof windowArithmetic>[3];
        if (geometry.op === 'conv') {
          const [kernel, bias] = compiled.model.getLayer(nodeId).getWeights();
          conv = {
            kernel: (await kernel!.data()) as Float32Array,
            kernelShape: kernel!.shape,
            bias: bias ? ((await bias.data()) as Float32Array)[channel]! : 0,
            activation: String(n.params?.activation ?? 'linear'),
            depthwise: n.type === 'depthwiseConv2d',
          };
        }
        const { channels: _c, ...rest } = geometry;
        win = { ...rest, ...windowArithmetic(geometry, m.source, channel, conv) };
      }
      let flatten: WindowReport['flatten'] = null;
      if (n.type === 'flatten' && m.source) {
        const sourceId = n.sources[0]!;
        const sourceShape = [...analysis.nodes.get(sourceId)!.outputShape!];
        const at = flattenSource(sourceShape, channel);
        flatten = { sourceId, sourceShape, ...at, value: m.source[channel]! };
      }
      return { nodeId, type: n.type, shape, y, x, channel, value, image, imageShape, receptive, window: win, flatten };
    },
  };
}
