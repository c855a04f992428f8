/**
 * What the network looks at (issue 10, part 4), shared by the app's Probe tab and `layerlab
 * explain`. TensorFlow.js is passed in (`tf`), never imported here, and every read is async
 * (`data()`), so the same code runs on cpu, wasm, webgl and webgpu.
 *
 * The class score is the network's output before its softmax (the logit):
 *  - an output Dense (or any layer) with `activation: softmax` is re-applied with the same weights
 *    and a linear activation;
 *  - an output Activation node with softmax is skipped: the score is its input;
 *  - any other output is taken as it is.
 *
 * The graph is run eagerly, node by node in the analysis' order, with the compiled model's own
 * layers (layer names are node ids), so the trained weights are shared and nothing symbolic is
 * added to the model. A node's value can be replaced ("overridden") to differentiate the score
 * with respect to that node's tensor (Grad-CAM).
 *
 * - Saliency: the maximum over channels of |∂score/∂input|, divided by its maximum.
 * - Grad-CAM (Selvaraju et al. 2017): αₖ = the spatial mean of ∂score/∂Aₖ over the chosen node's
 *   channels Aₖ; map = ReLU(Σₖ αₖ Aₖ), resized bilinearly to the input size with
 *   `tf.image.resizeBilinear(map, [h, w], alignCorners = false, halfPixelCenters = true)` (pixel
 *   centres at +0.5, as the invariance lab's transforms sample), divided by its maximum; an
 *   all-zero map stays zero. Default node: the last Conv 2D or Depthwise Conv 2D in the order.
 * - A channel's favourite input: gradient ascent on the channel's mean activation from seeded
 *   noise, with the step normalised by the gradient's RMS, a light L2 decay towards grey, a 3×3
 *   blur every few steps, and clipping to [0, 1].
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { CompiledGraph } from '../compiler/compile';
import type { Analysis } from '../graph/analyze';

type TF = typeof tfjs;
type Tensor = tfjs.Tensor;

export type ExplainMethod = 'saliency' | 'gradcam';
export const EXPLAIN_METHODS: readonly ExplainMethod[] = ['saliency', 'gradcam'];

export interface ExplainResult {
  method: ExplainMethod;
  /** The Grad-CAM node, or null for saliency. */
  layer: string | null;
  /** The class with the largest score. */
  predicted: number;
  /** The class explained (the predicted one unless another was asked for). */
  class: number;
  /** One row per input pixel row (h rows of w values), values in [0, 1]. */
  heatmap: number[][];
}

/** Node types Grad-CAM uses by default (the last of them in the graph's order). */
const CONV_TYPES = new Set(['conv2d', 'depthwiseConv2d']);

/** A readable explanation of why something cannot be explained (bad node, bad class, ...). */
export class ExplainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExplainError';
  }
}

/** Nodes whose output is a feature map (height × width × channels), in the graph's order: Grad-CAM can use any of them. */
export function featureMapNodes(analysis: Analysis): string[] {
  return analysis.order.filter((id) => analysis.nodes.get(id)?.outputShape?.length === 3);
}

/**
 * The default Grad-CAM node: the last Conv 2D or Depthwise Conv 2D in the graph's order; without
 * one, the last node with a feature map other than the input; null when there is none.
 */
export function defaultCamNode(analysis: Analysis): string | null {
  const convs = analysis.order.filter((id) => CONV_TYPES.has(analysis.nodes.get(id)?.type ?? ''));
  if (convs.length) return convs[convs.length - 1]!;
  const maps = featureMapNodes(analysis).filter((id) => id !== analysis.inputId);
  return maps.length ? maps[maps.length - 1]! : null;
}

/** Checks that `nodeId` exists and has a 3-D feature map; returns its shape. */
function featureMapShape(analysis: Analysis, nodeId: string, what: string): [number, number, number] {
  const n = analysis.nodes.get(nodeId);
  if (!n || !analysis.order.includes(nodeId)) {
    throw new ExplainError(`There is no node "${nodeId}" in this graph. Nodes with a feature map: ${featureMapNodes(analysis).join(', ') || 'none'}.`);
  }
  const s = n.outputShape;
  if (!s || s.length !== 3) {
    throw new ExplainError(
      `${what} needs a node with a feature map (height × width × channels); ${nodeId} gives ${s ? s.join('×') : 'no shape'}. ` +
        `Nodes with a feature map: ${featureMapNodes(analysis).join(', ') || 'none'}.`,
    );
  }
  return s as [number, number, number];
}

/**
 * Runs the compiled graph eagerly on concrete tensors and gives the class scores (logits).
 * `dispose()` frees the linear copy of the output layer, when one was made.
 */
export interface Scorer {
  /** Every node's value (the output node's is its softmax output) and the logits, for input x [n, h, w, c]. */
  run(x: Tensor, override?: { id: string; value: Tensor }): { values: Map<string, Tensor>; logits: Tensor };
  dispose(): void;
}

export function makeScorer(tf: TF, compiled: CompiledGraph): Scorer {
  const { analysis, model } = compiled;
  const outId = analysis.outputId!;
  const out = analysis.nodes.get(outId)!;
  const activation = out.params?.activation;
  let logitsOf: (values: Map<string, Tensor>) => Tensor = (v) => v.get(outId)!;
  let linearCopy: tfjs.layers.Layer | null = null;
  if (activation === 'softmax' && out.def && out.def.role !== 'input') {
    if (out.type === 'activation') {
      // Activation(softmax) after a linear layer: the score is what goes in.
      const src = out.sources[0]!;
      logitsOf = (v) => v.get(src)!;
    } else {
      // The same layer with a linear activation and the trained weights.
      const def = out.def;
      const inShapes = out.sources.map((s) => analysis.nodes.get(s!)!.outputShape!);
      const layer = def.build(tf as never, { ...(out.params as object), activation: 'linear' } as never, `${outId}_logits`, inShapes) as unknown as tfjs.layers.Layer;
      tf.tidy(() => {
        const probes = inShapes.map((s) => tf.zeros([1, ...s]));
        layer.apply(def.role === 'merge' ? probes : probes[0]!);
      });
      layer.setWeights(model.getLayer(outId).getWeights());
      linearCopy = layer;
      logitsOf = (v) => {
        const ins = out.sources.map((s) => v.get(s!)!);
        return layer.apply(def.role === 'merge' ? ins : ins[0]!) as Tensor;
      };
    }
  }
  return {
    run(x, override) {
      const values = new Map<string, Tensor>();
      for (const id of analysis.order) {
        if (override?.id === id) {
          values.set(id, override.value);
          continue;
        }
        const n = analysis.nodes.get(id)!;
        if (n.def?.role === 'input') {
          values.set(id, x);
          continue;
        }
        const ins = n.sources.map((s) => values.get(s!)!);
        const layer = model.getLayer(id);
        values.set(id, layer.apply(n.def?.role === 'merge' ? ins : ins[0]!) as Tensor);
      }
      return { values, logits: logitsOf(values) };
    },
    dispose() {
      linearCopy?.dispose();
      linearCopy = null;
    },
  };
}

function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

/**
 * Entry `i` of a vector as a scalar, differentiably on every backend (the gradient of `gather`
 * needs UnsortedSegmentSum, which the wasm backend lacks): a sum with a one-hot mask.
 */
function pick(tf: TF, v: Tensor, i: number): Tensor {
  const n = v.shape[0]!;
  const mask = new Float32Array(n);
  mask[i] = 1;
  return v.mul(tf.tensor1d(mask)).sum();
}

function toRows(values: ArrayLike<number>, h: number, w: number): number[][] {
  const rows: number[][] = [];
  for (let y = 0; y < h; y++) rows.push(Array.from({ length: w }, (_, x) => values[y * w + x]!));
  return rows;
}

/** Scales non-negative values so the largest is 1 (all zeros stay zeros; NaN becomes 0). */
export function normaliseByMax(values: Float32Array): Float32Array {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  const out = new Float32Array(values.length);
  if (!(max > 0) || !Number.isFinite(max)) return out;
  for (let i = 0; i < values.length; i++) out[i] = Math.max(0, Math.min(1, values[i]! / max)) || 0;
  return out;
}

function checkClass(classIndex: number | undefined | null, classes: number): void {
  if (classIndex == null) return;
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes) {
    throw new ExplainError(`Class ${classIndex} does not exist: this network has classes 0 to ${classes - 1}.`);
  }
}

function inputTensor(tf: TF, image: Float32Array, shape: readonly number[]): Tensor {
  const [h, w, c] = shape as [number, number, number];
  if (image.length !== h * w * c) throw new ExplainError(`The image has ${image.length} values, not ${h}×${w}×${c}.`);
  return tf.tensor4d(image, [1, h, w, c]);
}

/** The class scores (logits) of one image, and the predicted class. */
export async function classScores(tf: TF, compiled: CompiledGraph, image: Float32Array, shape: readonly number[]): Promise<{ logits: number[]; predicted: number }> {
  const scorer = makeScorer(tf, compiled);
  try {
    const t = tf.tidy(() => scorer.run(inputTensor(tf, image, shape)).logits.reshape([-1]));
    const logits = Array.from((await t.data()) as Float32Array);
    t.dispose();
    return { logits, predicted: argmax(logits) };
  } finally {
    scorer.dispose();
  }
}

/** Saliency: max over channels of |∂score/∂input|, divided by its maximum (h rows × w). */
export async function saliency(tf: TF, compiled: CompiledGraph, image: Float32Array, shape: readonly number[], classIndex?: number | null): Promise<ExplainResult> {
  const [h, w] = shape as [number, number, number];
  const scorer = makeScorer(tf, compiled);
  const x = inputTensor(tf, image, shape);
  try {
    const logitsT = tf.tidy(() => scorer.run(x).logits.reshape([-1]));
    const logits = (await logitsT.data()) as Float32Array;
    logitsT.dispose();
    checkClass(classIndex, logits.length);
    const predicted = argmax(logits);
    const cls = classIndex ?? predicted;
    const mapT = tf.tidy(() => {
      const g = tf.grad((xx: Tensor) => pick(tf, scorer.run(xx).logits.reshape([-1]), cls))(x);
      return g.abs().max(3).reshape([h * w]);
    });
    const raw = (await mapT.data()) as Float32Array;
    mapT.dispose();
    return { method: 'saliency', layer: null, predicted, class: cls, heatmap: toRows(normaliseByMax(raw), h, w) };
  } finally {
    x.dispose();
    scorer.dispose();
  }
}

/**
 * Grad-CAM on `nodeId` (default: the last conv): ReLU(Σₖ αₖ Aₖ) with αₖ the spatial mean of
 * ∂score/∂Aₖ, resized bilinearly (half-pixel centres) to h×w and divided by its maximum.
 */
export async function gradCam(
  tf: TF,
  compiled: CompiledGraph,
  image: Float32Array,
  shape: readonly number[],
  opts: { nodeId?: string | null; classIndex?: number | null } = {},
): Promise<ExplainResult> {
  const [h, w] = shape as [number, number, number];
  const nodeId = opts.nodeId ?? defaultCamNode(compiled.analysis);
  if (!nodeId) throw new ExplainError('Grad-CAM needs a node with a feature map (a Conv 2D, for example); this graph has none.');
  featureMapShape(compiled.analysis, nodeId, 'Grad-CAM');
  const scorer = makeScorer(tf, compiled);
  const x = inputTensor(tf, image, shape);
  const [a, logitsT] = tf.tidy(() => {
    const r = scorer.run(x);
    return [r.values.get(nodeId)!.clone(), r.logits.reshape([-1])];
  });
  try {
    const logits = (await logitsT.data()) as Float32Array;
    logitsT.dispose();
    checkClass(opts.classIndex, logits.length);
    const predicted = argmax(logits);
    const cls = opts.classIndex ?? predicted;
    const mapT = tf.tidy(() => {
      const g = tf.grad((aa: Tensor) => pick(tf, scorer.run(x, { id: nodeId, value: aa }).logits.reshape([-1]), cls))(a);
      const alpha = g.mean([1, 2]); // [1, k]
      const cam = tf.relu(a.mul(alpha.reshape([1, 1, 1, -1])).sum(3, true)); // [1, h', w', 1]
      return tf.image.resizeBilinear(cam as tfjs.Tensor4D, [h, w], false, true).reshape([h * w]);
    });
    const raw = (await mapT.data()) as Float32Array;
    mapT.dispose();
    return { method: 'gradcam', layer: nodeId, predicted, class: cls, heatmap: toRows(normaliseByMax(raw), h, w) };
  } finally {
    tf.dispose([x, a, logitsT]);
    scorer.dispose();
  }
}

/** Either method, as `layerlab explain` and the Probe tab ask for it. */
export function explainImage(
  tf: TF,
  compiled: CompiledGraph,
  image: Float32Array,
  shape: readonly number[],
  opts: { method: ExplainMethod; nodeId?: string | null; classIndex?: number | null },
): Promise<ExplainResult> {
  return opts.method === 'saliency' ? saliency(tf, compiled, image, shape, opts.classIndex) : gradCam(tf, compiled, image, shape, opts);
}

export interface FavouriteInputOptions {
  nodeId: string;
  /** The channel of a feature map (or the unit of a vector node). */
  channel: number;
  /** Gradient-ascent steps (default 60). */
  steps?: number;
  /** Seed of the starting noise (default 1). */
  seed?: number;
  /** The starting noise's range (default [0.25, 0.75]: grey with noise). */
  noise?: [number, number];
  /** Step size, in pixel values per step after normalising the gradient by its RMS (default 0.1). */
  stepSize?: number;
  /** Pulls every pixel towards grey (0.5) by this fraction per step: a light L2 penalty (default 0.005). */
  decay?: number;
  /** Blurs the image with a 3×3 Gaussian every this many steps; 0 never (default 4). */
  blurEvery?: number;
}

export interface FavouriteInput {
  /** h×w×c floats 0–1. */
  image: Float32Array;
  shape: [number, number, number];
  nodeId: string;
  channel: number;
  /** The objective (the channel's mean activation) on the starting noise and on the result. */
  before: number;
  after: number;
  /**
   * The channel did not respond at all near the starting noise (its gradient was zero, e.g. a ReLU
   * that stays at 0), so the ascent could not move: the image is the (smoothed) noise.
   */
  stuck: boolean;
}

/**
 * The image that most excites one channel of a node (its mean activation over positions; for a
 * vector node, one unit; for the output node, the class score before softmax), by gradient ascent
 * from seeded noise around grey, with light regularisation (decay to grey, periodic blur, clip).
 */
export async function favouriteInput(tf: TF, compiled: CompiledGraph, shape: readonly number[], opts: FavouriteInputOptions): Promise<FavouriteInput> {
  const { analysis } = compiled;
  const [h, w, c] = shape as [number, number, number];
  const n = analysis.nodes.get(opts.nodeId);
  if (!n || !analysis.order.includes(opts.nodeId) || !n.outputShape) throw new ExplainError(`There is no node "${opts.nodeId}" in this graph.`);
  if (n.def?.role === 'input') throw new ExplainError('The input node has no favourite input: it is the input. Choose a layer after it.');
  const oshape = n.outputShape;
  const channels = oshape[oshape.length - 1]!;
  if (!Number.isInteger(opts.channel) || opts.channel < 0 || opts.channel >= channels) {
    throw new ExplainError(`${opts.nodeId} has channels 0 to ${channels - 1}, not ${opts.channel}.`);
  }
  const steps = opts.steps ?? 60;
  const stepSize = opts.stepSize ?? 0.1;
  const decay = opts.decay ?? 0.005;
  const blurEvery = opts.blurEvery ?? 4;
  const noise = opts.noise ?? [0.25, 0.75];
  const isOutput = opts.nodeId === analysis.outputId;
  const scorer = makeScorer(tf, compiled);
  const objective = (x: Tensor): Tensor => {
    const r = scorer.run(x);
    const t = isOutput ? r.logits : r.values.get(opts.nodeId)!;
    // Mean over every axis but the channels, then the chosen channel.
    const flat = t.reshape([-1, channels]);
    return pick(tf, flat.mean(0), opts.channel);
  };
  const blurKernel = tf.tidy(() => {
    const k1 = [1, 2, 1];
    const vals: number[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let ch = 0; ch < c; ch++) vals.push((k1[i]! * k1[j]!) / 16);
    return tf.tensor4d(vals, [3, 3, c, 1]);
  });
  // What the kernel covers at each pixel ('same' pads with zeros): dividing by it keeps the borders' brightness.
  const blurWeight = tf.tidy(() => tf.depthwiseConv2d(tf.ones([1, h, w, c]) as tfjs.Tensor4D, blurKernel as tfjs.Tensor4D, 1, 'same'));
  try {
    let x: Tensor = tf.tidy(() => tf.randomUniform([1, h, w, c], noise[0], noise[1], 'float32', opts.seed ?? 1));
    const score = async (t: Tensor) => {
      const s = tf.tidy(() => objective(t));
      const v = (await s.data())[0]!;
      s.dispose();
      return v;
    };
    const before = await score(x);
    const gradOf = tf.grad(objective);
    let stuck = false;
    for (let step = 1; step <= steps; step++) {
      if (step === 1) {
        const n2 = tf.tidy(() => gradOf(x).abs().max());
        stuck = (await n2.data())[0] === 0;
        n2.dispose();
      }
      const next = tf.tidy(() => {
        const g = gradOf(x);
        const rms = g.square().mean().sqrt().add(1e-8);
        let y = x.add(g.div(rms).mul(stepSize));
        y = y.sub(y.sub(0.5).mul(decay));
        if (blurEvery > 0 && step % blurEvery === 0) y = tf.depthwiseConv2d(y as tfjs.Tensor4D, blurKernel as tfjs.Tensor4D, 1, 'same').div(blurWeight);
        return y.clipByValue(0, 1);
      });
      x.dispose();
      x = next;
      // Give the event loop (and a backend's queue) a turn now and then.
      if (step % 10 === 0) await x.data();
    }
    const after = await score(x);
    const image = (await x.data()) as Float32Array;
    x.dispose();
    return { image: new Float32Array(image), shape: [h, w, c], nodeId: opts.nodeId, channel: opts.channel, before, after, stuck };
  } finally {
    blurKernel.dispose();
    blurWeight.dispose();
    scorer.dispose();
  }
}
