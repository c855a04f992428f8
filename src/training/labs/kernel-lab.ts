/**
 * The worker's side of the kernel lab (see context.ts): one learned kernel of a trained Conv 2D (or
 * Depthwise Conv 2D) node, for one filter and one input channel, so that the lab can run it over
 * an image ("what does this filter do?"); and the feature map that this input channel really is
 * for the probe image, for a convolution deeper than the first.
 *
 * tfjs kernel layouts (as src/training/kernels.ts reads them):
 * - conv2d: [kh, kw, in, out]: filter f, input channel i is kernel[:, :, i, f];
 * - depthwiseConv2d: [kh, kw, in, multiplier]: output channel f = i·multiplier + m sees only input
 *   channel i, with kernel[:, :, i, m].
 */
import type { GraphDoc } from '../../graph/types';
import type { WorkerContext } from './context';

export interface LearnedKernel {
  nodeId: string;
  type: 'conv2d' | 'depthwiseConv2d';
  /** Row-major kh·kw weights. */
  kernel: number[];
  size: [number, number];
  /** The filter's bias (0 when the node has none). */
  bias: number;
  /** Output channels of the node. */
  filters: number;
  /** Input channels of the node. */
  inputChannels: number;
  /** The input channel this kernel reads (for a depthwise filter: the only one it sees). */
  inputChannel: number;
  filter: number;
  /** The node feeding this one; `fromInput` when that is the graph's input (the image itself). */
  source: string;
  fromInput: boolean;
  /** The node's stride and dilation rate (the lab runs the kernel with stride 1 and no dilation). */
  strides: [number, number];
  dilation: [number, number];
  /** The node's activation ('linear', 'relu', …) and padding ('same' or 'valid'). */
  activation: string;
  padding: string;
  /** The probe image as the network sees it (channels-last), when there is one. */
  probe: { width: number; height: number; channels: number; data: Float32Array } | null;
  /** The input channel as the node really sees it for the probe image (h·w values), when there is a probe image. */
  inputMap: { width: number; height: number; data: Float32Array } | null;
}

export interface KernelLabApi {
  /** The kernel of `filter` over `inputChannel` of a Conv 2D / Depthwise Conv 2D node, with the current weights. */
  learnedKernel(graph: GraphDoc, nodeId: string, filter: number, inputChannel: number): Promise<LearnedKernel>;
}

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [Number(v[0]) || 1, Number(v[1] ?? v[0]) || 1] : [Number(v) || 1, Number(v) || 1]);

export function kernelLabApi(ctx: WorkerContext): KernelLabApi {
  return {
    async learnedKernel(graph, nodeId, filter, inputChannel) {
      const { tf } = ctx;
      const compiled = ctx.compiled(graph);
      const node = compiled.analysis.nodes.get(nodeId);
      if (!node) throw new Error(`There is no node ${nodeId}.`);
      if (node.type !== 'conv2d' && node.type !== 'depthwiseConv2d') throw new Error(`${nodeId} is a ${node.type}: only Conv 2D and Depthwise Conv 2D kernels open in the kernel lab.`);
      const weights = compiled.model.getLayer(nodeId).getWeights();
      const k = weights[0];
      if (!k || k.shape.length !== 4) throw new Error(`${nodeId} has no kernel.`);
      const [kh, kw, a, b] = k.shape as [number, number, number, number];
      const values = (await k.data()) as Float32Array;
      const depthwise = node.type === 'depthwiseConv2d';
      const filters = depthwise ? a * b : b;
      const f = Math.max(0, Math.min(filters - 1, Math.floor(filter)));
      // A depthwise filter sees one input channel: the one it was made for, whatever was asked.
      const i = depthwise ? Math.floor(f / b) : Math.max(0, Math.min(a - 1, Math.floor(inputChannel)));
      const q = depthwise ? f % b : f;
      const kernel: number[] = [];
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) kernel.push(values[((y * kw + x) * a + i) * b + q]!);
      const biasTensor = weights[1];
      const bias = biasTensor ? ((await biasTensor.data()) as Float32Array)[f]! : 0;
      const source = node.sources[0] ?? '';
      const fromInput = source === compiled.analysis.inputId;
      const params = node.params ?? {};

      // The input channel as this node sees it, for the probe image.
      let inputMap: LearnedKernel['inputMap'] = null;
      const image = ctx.probeImage();
      const data = ctx.data();
      if (image && data) {
        if (fromInput) {
          const [h, w, c] = data.shape;
          const plane = new Float32Array(h * w);
          for (let p = 0; p < h * w; p++) plane[p] = image[p * c + Math.min(i, c - 1)]!;
          inputMap = { width: w, height: h, data: plane };
        } else {
          const at = compiled.probeIds.indexOf(source);
          if (at >= 0) {
            const outputs = tf.tidy(() => {
              const out = compiled.probe.predict(tf.tensor4d(image, [1, ...data.shape]));
              return Array.isArray(out) ? out : [out];
            });
            try {
              const t = outputs[at]!;
              if (t.shape.length === 4) {
                const [, h, w, c] = t.shape as [number, number, number, number];
                const all = (await t.data()) as Float32Array;
                const plane = new Float32Array(h * w);
                for (let p = 0; p < h * w; p++) plane[p] = all[p * c + i]!;
                inputMap = { width: w, height: h, data: plane };
              }
            } finally {
              tf.dispose(outputs);
            }
          }
        }
      }
      return {
        nodeId,
        type: node.type,
        kernel,
        size: [kh, kw],
        bias,
        filters,
        inputChannels: a,
        inputChannel: i,
        filter: f,
        source,
        fromInput,
        strides: pair(params.strides),
        dilation: pair(params.dilationRate),
        activation: String(params.activation ?? 'linear'),
        padding: String(params.padding ?? 'valid'),
        probe: image && data ? { width: data.shape[1], height: data.shape[0], channels: data.shape[2], data: image } : null,
        inputMap,
      };
    },
  };
}
