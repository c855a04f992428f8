/**
 * The contract every node type fulfils. A node definition is the single place where a
 * layer type is described: its parameters (with defaults, bounds and docs), the text a
 * learner reads, shape inference, parameter count, the TensorFlow.js builder and how the layer
 * is written as Keras and PyTorch code. Editor controls, validation, the compiler, exporters
 * and docs are derived from it.
 *
 * This module is pure TypeScript: it imports TensorFlow.js only as types, so the graph
 * core can use the definitions without pulling tfjs into its bundle.
 */
import type * as tfjs from '@tensorflow/tfjs';

/** The TensorFlow.js namespace, handed to builders by the compiler (dependency injection). */
export type TF = typeof tfjs;
export type Layer = tfjs.layers.Layer;
export type SymbolicTensor = tfjs.SymbolicTensor;

/** A per-sample tensor shape (no batch dimension), e.g. [28, 28, 6] or [120]. */
export type Shape = readonly number[];

export type Category =
  | 'input'
  | 'convolution'
  | 'pooling'
  | 'normalization'
  | 'activation'
  | 'regularization'
  | 'reshape'
  | 'dense'
  | 'merge';

interface ParamBase {
  /** One line shown as a tooltip and in the docs. */
  doc: string;
  /** Short label for the UI; defaults to the parameter key. */
  label?: string;
}

export interface IntParam extends ParamBase {
  kind: 'int';
  default: number;
  min: number;
  max: number;
}

export interface FloatParam extends ParamBase {
  kind: 'float';
  default: number;
  min: number;
  max: number;
  /** When true the bound itself is not allowed (e.g. dropout rate < 1). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

export interface BoolParam extends ParamBase {
  kind: 'bool';
  default: boolean;
}

export interface EnumParam<O extends string = string> extends ParamBase {
  kind: 'enum';
  default: O;
  options: readonly O[];
}

/**
 * A pair of positive integers [height, width] (kernel sizes, strides, pool sizes).
 * Files may write a single number n for [n, n]. With `nullable`, `null` means "derive it"
 * (e.g. pooling strides default to the pool size).
 */
export interface PairParam extends ParamBase {
  kind: 'pair';
  default: number | readonly [number, number] | null;
  min: number;
  max: number;
  nullable?: boolean;
}

/** An input shape [height, width, channels]. */
export interface ShapeParam extends ParamBase {
  kind: 'shape';
  default: readonly [number, number, number];
  /** Bounds per dimension. */
  min: readonly [number, number, number];
  max: readonly [number, number, number];
}

/** Zero padding or cropping: n, [h, w] or [[top, bottom], [left, right]]. Normalised to the last form. */
export interface Padding2dParam extends ParamBase {
  kind: 'padding2d';
  default: number;
  min: number;
  max: number;
}

export type ParamSpec = IntParam | FloatParam | BoolParam | EnumParam | PairParam | ShapeParam | Padding2dParam;
export type ParamSpecs = Record<string, ParamSpec>;

/** The normalised value type each parameter kind resolves to. */
export type ParamValue<S extends ParamSpec> = S extends IntParam | FloatParam
  ? number
  : S extends BoolParam
    ? boolean
    : S extends EnumParam<infer O>
      ? O
      : S extends PairParam
        ? S['nullable'] extends true
          ? [number, number] | null
          : [number, number]
        : S extends ShapeParam
          ? [number, number, number]
          : S extends Padding2dParam
            ? [[number, number], [number, number]]
            : never;

export type Params<S extends ParamSpecs> = { [K in keyof S]: ParamValue<S[K]> };

/** Trainable and non-trainable weight counts of one layer. */
export interface ParamCount {
  trainable: number;
  nonTrainable: number;
}

/**
 * Thrown by `inferShape` when the inputs or parameters cannot work together.
 * The message is for a learner: say what is wrong and what to change.
 */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** What a code exporter tells a node definition about the node it writes. */
export interface ExportContext {
  /** The node id: the Keras layer name and the prefix of its tfjs weights ("c1/kernel"). */
  id: string;
  /** Per-sample input shapes in TensorFlow layout (a map is [height, width, channels]). */
  inputs: readonly Shape[];
  /** Per-sample output shape in TensorFlow layout. */
  output: Shape;
}

/** The forward pass of one node in the generated PyTorch module. */
export interface TorchForwardContext extends ExportContext {
  /**
   * Python expressions of the inputs in operand order (variables holding the source nodes'
   * tensors). PyTorch layout: maps are N×C×H×W, vectors N×C (the only two ranks a graph has).
   */
  args: readonly string[];
  /** The expression of this node's module, e.g. "self.c1" (only when `module` gives one). */
  module: string;
  /** The variable this node's result is assigned to (later steps may read it). */
  out: string;
}

/**
 * One weight of a node's tfjs layer, in TensorFlow.js layout: what `compileGraph(...).model.weights`
 * holds as "<node id>/<name>". A node definition states its layout once (`weights`); the weight
 * check of model files (src/export/graph-weights.ts) and the PyTorch exporter derive from it.
 */
export interface TfWeight {
  /** The name after "<id>/", e.g. "kernel", "depthwise_kernel", "moving_mean". */
  name: string;
  shape: number[];
  trainable: boolean;
}

/**
 * How one tensor of the node's PyTorch module is made, as a node definition writes it: from the
 * tfjs weight `tf` (its shape comes from the definition's `weights`), axes moved with `permute`
 * (numpy-style transpose: output axis i is input axis permute[i]), then reshaped to `reshape` when
 * given; or a constant tensor tfjs does not have (`fill`, with its PyTorch `shape`).
 */
export type TorchWeightSpec =
  | { torch: string; tf: string; permute?: number[]; reshape?: number[] }
  | { torch: string; fill: number; shape: number[] };

/**
 * One tensor of the node's PyTorch module and where it comes from, resolved from a TorchWeightSpec
 * and the node's tfjs layout (nodes/weight-layout.ts `torchWeights`). The exporter reads the tfjs
 * weight "<id>/<tf>", checks its shape, moves its axes with `permute`, then reshapes it to `reshape`.
 */
export interface TorchWeight {
  /** The tfjs weight name after "<id>/", e.g. "kernel". Absent for a constant (see `fill`). */
  tf?: string;
  /** The tensor's name inside the node's module, e.g. "weight", "running_var". */
  torch: string;
  /** The tfjs weight's shape (from the node's `weights`); for a constant, the PyTorch shape. */
  shape: number[];
  permute?: number[];
  reshape?: number[];
  /** A constant tensor tfjs does not have (e.g. Batch Normalization's beta with center = false). */
  fill?: number;
}

/** How a node type is written as PyTorch code (the generator in src/export/pytorch.ts assembles it). */
export interface TorchExport<P> {
  /**
   * A Python expression constructing the node's nn.Module (e.g. "nn.Conv2d(1, 6, kernel_size=5)"),
   * stored as an attribute named after the node; null when the forward step needs no module.
   */
  module(p: P, ctx: ExportContext): string | null;
  /**
   * The forward step as Python expressions: the generator writes `<out> = <expression>` for each
   * one in turn (the first reads `ctx.args`, later ones `ctx.out`); an element starting with "#"
   * is written as a comment line. A node with an `activation` param must apply it last: the
   * exporter asks for the scores before a final softmax by passing activation "linear".
   * Input nodes return [] (their tensor is the forward argument).
   */
  forward(p: P, ctx: TorchForwardContext): string[];
  /** The module's tensors, in state_dict order, and how to make each from the node's tfjs weights. */
  weights?(p: P, ctx: ExportContext): TorchWeightSpec[];
  /** Python helper functions the forward step or module calls: name -> source (written once). */
  helpers?(p: P, ctx: ExportContext): Record<string, string>;
  /**
   * Paragraphs for the generated module's docstring, each written once when the graph has a node
   * of this type: what a reader must know about the conversion (layouts, semantics that differ).
   */
  notes?: readonly string[];
}

/**
 * An ONNX attribute value as a node definition writes it: an integer, a list of integers, a
 * string, or a float (`{ float: x }`, so that 1.0 is never written as the integer 1).
 */
export type OnnxAttr = number | readonly number[] | string | { float: number };

/** One ONNX operator a node becomes (opset 13). Tensor names: see OnnxContext. */
export interface OnnxOp {
  /** The ONNX operator type, e.g. "Conv", "Relu". */
  op: string;
  /** Input tensor names; '' leaves an optional input out (e.g. Resize's roi). */
  inputs: readonly string[];
  outputs: readonly string[];
  /** Attributes; an undefined value is left out. */
  attrs?: Record<string, OnnxAttr | undefined>;
}

/**
 * A constant tensor (initializer) of a node's ONNX operators: a tfjs weight "<id>/<tf>" with its
 * axes moved by `permute` (numpy-style) and then reshaped to `reshape` (as TorchWeightSpec); or a
 * float32 constant (`float`: one value fills the shape); or an int64 constant (shapes, pads, axes).
 */
export type OnnxTensorSpec =
  | { name: string; tf: string; permute?: number[]; reshape?: number[] }
  | { name: string; shape: number[]; float: number | readonly number[] }
  | { name: string; shape: number[]; int64: readonly number[] };

/** What the ONNX exporter tells a node definition about the node it writes. */
export interface OnnxContext extends ExportContext {
  /**
   * Tensor names of the inputs in operand order. ONNX layout: maps are N×C×H×W, vectors N×C
   * (the model's input is NCHW; the exporter never transposes between nodes).
   */
  args: readonly string[];
  /** The tensor name this node's last operator must write (the node's result). */
  out: string;
  /** A tensor name private to this node, "<id>/<suffix>" (intermediate results, constants). */
  name(suffix: string): string;
}

/**
 * A node as ONNX: its operators in order (the last writes `ctx.out`) and the constants they read.
 * The exporter names the operator that writes `ctx.out` after the node id, the others
 * "<id>/<op>"; input nodes return no operators (their tensor is the model's input).
 */
export interface OnnxNodeSpec {
  ops: OnnxOp[];
  tensors?: OnnxTensorSpec[];
}

/**
 * Which input values each output value of a node reads: the node's part of receptive fields
 * (src/labs/receptive-field.ts propagates it through a graph). Tensors are [height, width,
 * channels] maps or vectors; "position" means (row, column), "channel" the last axis.
 * - elementwise: output element i reads element i of every input (activations, batch norm, add).
 * - window: a kernel/pool window; output (y, x) reads input rows y·stride − pad[0] + ky·dilation
 *   (and likewise columns), positions outside the input being padding; `channels` says which input
 *   channels feed an output channel: all (convolution), the same one (pooling), or channel
 *   ⌊o / depthMultiplier⌋ (depthwise).
 * - transpose: a transposed convolution; input (i, j) writes output rows i·stride + ky − crop[0].
 * - upsample: nearest (⌊y / size⌋) or bilinear as tfjs resizes (no half-pixel centres).
 * - pad: output (y, x) is input (y − pads[0][0], x − pads[1][0]) or a padded zero.
 *   Negative pads crop (Cropping 2D declares minus its crop).
 * - global: output channel c reads channel c at every position.
 * - lastAxis: output (…, u) reads the whole last axis at the same position (Dense, softmax).
 * - flatten: entry i reads one value, in (height, width, channels) order.
 * - concat: the inputs side by side along per-sample `axis`.
 * `mixLastAxis`: a softmax activation afterwards mixes every channel at a position.
 */
export type ReceptiveMap = (
  | { kind: 'input' }
  | { kind: 'elementwise' }
  | {
      kind: 'window';
      op: 'conv' | 'max' | 'avg';
      kernel: [number, number];
      strides: [number, number];
      dilation: [number, number];
      /** Padding before the first row and column (TensorFlow "same" pads as tfjs computes them). */
      pad: [number, number];
      channels: 'all' | 'same' | { depthMultiplier: number };
    }
  | { kind: 'transpose'; kernel: [number, number]; strides: [number, number]; crop: [number, number] }
  | { kind: 'upsample'; size: [number, number]; interpolation: 'nearest' | 'bilinear' }
  | { kind: 'pad'; pads: [[number, number], [number, number]] }
  | { kind: 'global' }
  | { kind: 'lastAxis' }
  | { kind: 'flatten' }
  | { kind: 'concat'; axis: number }
) & { mixLastAxis?: boolean };

interface NodeDefBase<S extends ParamSpecs> {
  /** The tfjs layers factory name, also the `type` in graph files. */
  type: string;
  /** Display name, e.g. "Conv 2D". */
  title: string;
  /** A shorter name for the zoomed-out node face, where a long word would not fit (e.g. "Batch Norm"). */
  shortTitle?: string;
  category: Category;
  /** One line for the palette tooltip. */
  summary: string;
  /** A short explanation for a learner: what the layer does and why a CNN uses it. */
  explain: string;
  params: S;
  /**
   * Values a node gets when a user adds it in the editor, where they differ from the
   * defaults (the defaults mirror tfjs so that files stay faithful to `tf.layers.X`).
   */
  initial?: { [K in keyof S]?: unknown };
  /**
   * The parameters shown as controls on the node itself (the inspector shows all of them).
   * Default: every visible non-boolean parameter.
   */
  face?: readonly (keyof S & string)[];
  /** Which parameters are relevant for these values (the editor hides the others). */
  visible?: (p: Params<S>) => { [K in keyof S]?: boolean };
  /**
   * Output shape for the given input shapes (per sample, no batch axis). `sources` names the
   * node feeding each input (for messages such as "c3 gives 14×14×16, s2 gives 14×14×6").
   * Throws ShapeError when the inputs and params cannot work together.
   */
  inferShape(inputs: readonly Shape[], p: Params<S>, sources?: readonly string[]): Shape;
  /** Weight counts for the given input shapes. */
  paramCount(inputs: readonly Shape[], p: Params<S>): ParamCount;
  /**
   * The layer's weights in TensorFlow.js layout, in the order tfjs creates them (absent: none).
   * The one statement of the layout: model-file checks and the PyTorch weights derive from it,
   * and the node's test checks it against the built tfjs layer.
   */
  weights?(inputs: readonly Shape[], p: Params<S>): TfWeight[];
  /**
   * Which input values each output value reads (receptive fields, the large view's window), for
   * these (valid) input shapes. Absent: every output value reads every input value.
   */
  receptive?(inputs: readonly Shape[], p: Params<S>): ReceptiveMap;
  /**
   * Legal-but-suspicious situations, as learner-readable warnings. `ctx.task` is the graph's task
   * (training.task: classification, segmentation, detection; classification when absent), since what is suspicious depends on it.
   */
  lint?(inputs: readonly Shape[], output: Shape, p: Params<S>, ctx?: { task: string }): string[];
  /**
   * Code export: a Python expression creating the Keras layer named `ctx.id`
   * (e.g. "layers.Conv2D(6, 5, padding='same', name='c1')"; for an input, "keras.Input(...)").
   * The generator applies it to the inputs (a list for merge nodes). Helpers in codegen.ts.
   */
  keras(p: Params<S>, ctx: ExportContext): string;
  /** Code export: the PyTorch module, its forward step and the conversion of its weights. */
  pytorch: TorchExport<Params<S>>;
  /**
   * ONNX export (src/export/onnx.ts): the node's operators (opset 13, NCHW maps) and constants,
   * with its tfjs weights converted by name. Helpers in onnx-ops.ts.
   */
  onnx(p: Params<S>, ctx: OnnxContext): OnnxNodeSpec;
}

export interface InputNodeDef<S extends ParamSpecs = ParamSpecs> extends NodeDefBase<S> {
  role: 'input';
  buildInput(tf: TF, p: Params<S>, name: string): SymbolicTensor;
}

export interface LayerNodeDef<S extends ParamSpecs = ParamSpecs> extends NodeDefBase<S> {
  /** 'merge' nodes take the `inputs` parameter and ports in0, in1, …; 'layer' nodes one port `in`. */
  role: 'layer' | 'merge';
  /** The tfjs layer for this node; `inputs` are its input shapes (per sample), for layers that need the rank. */
  build(tf: TF, p: Params<S>, name: string, inputs: readonly Shape[]): Layer;
}

export type NodeDef<S extends ParamSpecs = ParamSpecs> = InputNodeDef<S> | LayerNodeDef<S>;

/**
 * Declares a node type. Inside the definition the params are typed from their specs; the
 * result is the type-erased NodeDef that the registry and the rest of the app handle.
 */
export function defineNode<const S extends ParamSpecs>(def: NodeDef<S>): NodeDef {
  return def as unknown as NodeDef;
}

/** Input port names of a node of this definition with these (raw or resolved) params. */
export function inputPorts(def: NodeDef, inputsParam: unknown): string[] {
  if (def.role === 'input') return [];
  if (def.role === 'merge') {
    const spec = def.params.inputs as IntParam | undefined;
    const n =
      typeof inputsParam === 'number' && Number.isInteger(inputsParam) && spec && inputsParam >= spec.min && inputsParam <= spec.max
        ? inputsParam
        : (spec?.default ?? 2);
    return Array.from({ length: n }, (_, i) => `in${i}`);
  }
  return ['in'];
}

export const OUTPUT_PORT = 'out';
