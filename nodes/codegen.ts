/**
 * Helpers the node definitions use to describe themselves as Keras and PyTorch code (their
 * `keras` and `pytorch` members): Python literals, activations, and TensorFlow's "same" padding.
 * Pure TypeScript, like the rest of nodes/.
 *
 * Layouts: TensorFlow (tfjs, Keras) keeps a batch of maps as N×H×W×C ("NHWC", channels last);
 * PyTorch as N×C×H×W ("NCHW"). Graphs only have maps (rank 3 per sample) and vectors (rank 1),
 * and vectors are N×C in both, so only maps change layout in the generated PyTorch code.
 */
import type { Shape } from './types';

// ---------------------------------------------------------------------------------------------
// Python literals

/** A Python string literal. */
export function pyStr(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** A Python number literal (shortest form that reads back the same: 0.001, 1e-07, 16). */
export function pyNum(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot write ${n} as a Python number`);
  return String(n);
}

/** A Python float literal: always with a decimal point or exponent (1 -> 1.0). */
export function pyFloat(n: number): string {
  const s = pyNum(n);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** `1 - x` without the binary noise of floating point (1 - 0.99 -> 0.01, not 0.010000000000000009). */
export function oneMinus(x: number): number {
  return Number((1 - x).toPrecision(12));
}

export const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/** A Python tuple: (1, 2); a 1-tuple keeps its comma: (1,). */
export function pyTuple(values: readonly (number | string)[]): string {
  const items = values.map((v) => (typeof v === 'number' ? pyNum(v) : v));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** A [height, width] pair as Keras and PyTorch accept it: 5 when both are equal, else (5, 3). */
export function pyPair([a, b]: readonly [number, number] | readonly number[]): string {
  return a === b ? pyNum(a!) : pyTuple([a!, b!]);
}

/** "key=value" arguments, dropping the undefined ones (parameters left at their default). */
export function kwargs(entries: readonly (readonly [string, string | undefined])[]): string[] {
  return entries.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
}

const isOne = (pair: readonly number[]): boolean => pair.every((v) => v === 1);

/** A pair argument written only when it is not all ones (strides, dilation). */
export const pairUnlessOne = (pair: readonly [number, number]): string | undefined => (isOne(pair) ? undefined : pyPair(pair));

// ---------------------------------------------------------------------------------------------
// Keras

/**
 * A Keras layer constructor call: `layers.<cls>(positional..., kwargs..., name='<id>')`.
 */
/**
 * A node's Keras layer name: its id, with the "/" of a node inside a block ("conv2_block1/1_conv")
 * written "_" (Keras 3 refuses "/" in names; ResNet-50 from blocks gets keras.applications' names).
 */
export const kerasName = (id: string) => id.split('/').join('_');

export function kerasLayer(cls: string, id: string, positional: readonly string[], named: readonly (readonly [string, string | undefined])[] = []): string {
  return `layers.${cls}(${[...positional, ...kwargs(named), `name=${pyStr(kerasName(id))}`].join(', ')})`;
}

/**
 * The `activation=` argument of a Keras layer for a tfjs activation identifier (undefined for
 * "linear", Keras' default). relu6 is the constant RELU6, which the generated file defines when
 * it uses it (see KERAS_RELU6): the name "relu6" is only known to Keras 3.
 */
export function kerasActivation(activation: string): string | undefined {
  if (activation === 'linear') return undefined;
  if (activation === 'relu6') return 'RELU6';
  return pyStr(activation);
}

/** The definition of RELU6, written into a Keras file whose layers use it. */
export const KERAS_RELU6 = [
  "# relu6 is a named activation in Keras 3; older Keras takes TensorFlow's function.",
  "RELU6 = 'relu6' if hasattr(keras.activations, 'relu6') else tf.nn.relu6",
].join('\n');

// ---------------------------------------------------------------------------------------------
// PyTorch

/**
 * Applies a tfjs activation to a PyTorch expression. The definitions match tfjs 4.22:
 * relu6 = min(max(x, 0), 6); elu with alpha 1; selu with the same two constants in both;
 * leaky ReLU = x for x > 0, alpha·x otherwise; softmax over the last TensorFlow axis, which is
 * the channel axis: dim 1 in PyTorch for maps (NCHW) and for vectors (N×C) alike.
 */
export function torchActivation(activation: string, expr: string, alpha?: number): string {
  switch (activation) {
    case 'linear':
      return expr;
    case 'relu':
      return `F.relu(${expr})`;
    case 'relu6':
      return `F.relu6(${expr})`;
    case 'elu':
      return `F.elu(${expr})`;
    case 'selu':
      return `F.selu(${expr})`;
    case 'sigmoid':
      return `torch.sigmoid(${expr})`;
    case 'tanh':
      return `torch.tanh(${expr})`;
    case 'softmax':
      return `F.softmax(${expr}, dim=1)`;
    case 'leakyRelu':
      return `F.leaky_relu(${expr}, negative_slope=${pyFloat(alpha ?? 0.3)})`;
    default:
      throw new Error(`no PyTorch code for activation "${activation}"`);
  }
}

/** NCHW -> NHWC, to apply channels-last operations (Dense, Flatten) in TensorFlow's order. */
export const toNhwc = (expr: string): string => `${expr}.permute(0, 2, 3, 1)`;
/** NHWC -> NCHW. */
export const toNchw = (expr: string): string => `${expr}.permute(0, 3, 1, 2)`;

/**
 * The PyTorch dim of a per-sample TensorFlow axis (0-based, no batch axis): on a map, height
 * 0 -> 2, width 1 -> 3, channels 2 -> 1; on a vector, 0 -> 1.
 */
export function torchDim(axis: number, rank: number): number {
  if (rank === 3) return [2, 3, 1][axis]!;
  return axis + 1;
}

/**
 * TensorFlow's "same" padding along one axis: the output has ceil(size / stride) positions and
 * the input is padded by just enough for the last window to fit. When that total is odd, the
 * extra row or column goes at the END (bottom or right). PyTorch's padding=k pads both sides
 * equally (and its padding='same' only exists for stride 1 and puts the extra one at the start),
 * so the generated code pads explicitly whenever the two sides differ.
 */
export function tfSamePads(size: number, kernel: number, stride: number, dilation = 1): [before: number, after: number] {
  const out = Math.ceil(size / stride);
  const effective = (kernel - 1) * dilation + 1;
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Padding of a window op on a map: [top, bottom, left, right] (all 0 for "valid"). */
export function windowPads(
  input: Shape,
  kernel: readonly [number, number],
  strides: readonly [number, number],
  padding: 'valid' | 'same',
  dilation: readonly [number, number] = [1, 1],
): { top: number; bottom: number; left: number; right: number; symmetric: boolean; none: boolean } {
  const [top, bottom] = padding === 'same' ? tfSamePads(input[0]!, kernel[0], strides[0], dilation[0]) : [0, 0];
  const [left, right] = padding === 'same' ? tfSamePads(input[1]!, kernel[1], strides[1], dilation[1]) : [0, 0];
  return { top, bottom, left, right, symmetric: top === bottom && left === right, none: top + bottom + left + right === 0 };
}

/** F.pad's order for the last two axes of an NCHW tensor: (left, right, top, bottom). */
export const fPadArgs = (p: { top: number; bottom: number; left: number; right: number }): string => pyTuple([p.left, p.right, p.top, p.bottom]);

/** The docstring note of every node type with TensorFlow "same" padding. */
export const SAME_PADDING_NOTE =
  "Padding: TensorFlow's 'same' padding adds as many rows/columns as the windows need and, when that number is odd " +
  '(even kernels, strides > 1), puts the extra one at the bottom/right. PyTorch pads both sides equally, so where the ' +
  'two sides differ forward() pads explicitly with F.pad before the layer.';

/** The docstring note of the convolutions' weight layout. */
export const CONV_LAYOUT_NOTE =
  'Convolution kernels: TensorFlow stores them as [height, width, in, out], PyTorch as [out, in, height, width]; the ' +
  "exported weights were moved accordingly (depthwise kernels [height, width, in, multiplier] to PyTorch's grouped " +
  '[in x multiplier, 1, height, width], transposed-convolution kernels [height, width, out, in] to [in, out, height, width]).';

/** The comment written above an explicit F.pad for TensorFlow's uneven "same" padding. */
export const SAME_PAD_COMMENT = "# TensorFlow 'same' padding is uneven here: the extra row/column goes at the bottom/right";
