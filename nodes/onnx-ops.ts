/**
 * Helpers the node definitions use to describe themselves as ONNX (their `onnx` member): the
 * activations, TensorFlow's "same" padding as explicit pads, and NCHW axes. Pure TypeScript.
 *
 * Layout: the exported model works on N×C×H×W maps and N×C vectors throughout, so a map's
 * channel axis is 1 (TensorFlow's last axis) and its height and width are axes 2 and 3.
 */
import { windowPads } from './codegen';
import type { OnnxContext, OnnxNodeSpec, OnnxOp, OnnxTensorSpec, Shape } from './types';

/** tfjs 4.22's SELU constants (ONNX's defaults are the same numbers rounded to float32; written explicitly). */
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/**
 * The operators applying a tfjs activation to tensor `x`, writing `out`. Definitions as in tfjs
 * 4.22: relu6 = min(max(x, 0), 6) (Clip); elu with alpha 1; selu with tfjs' constants; leaky ReLU
 * with `alpha`; softmax over TensorFlow's last axis, the channel axis, which is axis 1 of an NCHW
 * map and of an N×C vector alike. "linear" is an Identity.
 */
export function onnxActivation(activation: string, x: string, out: string, ctx: OnnxContext, alpha?: number): OnnxNodeSpec {
  const one = (op: string, attrs?: OnnxOp['attrs']): OnnxNodeSpec => ({ ops: [{ op, inputs: [x], outputs: [out], ...(attrs && { attrs }) }] });
  switch (activation) {
    case 'linear':
      return one('Identity');
    case 'relu':
      return one('Relu');
    case 'relu6': {
      const [lo, hi] = [ctx.name('relu6_min'), ctx.name('relu6_max')];
      return {
        ops: [{ op: 'Clip', inputs: [x, lo, hi], outputs: [out] }],
        tensors: [
          { name: lo, shape: [], float: 0 },
          { name: hi, shape: [], float: 6 },
        ],
      };
    }
    case 'elu':
      return one('Elu', { alpha: { float: 1 } });
    case 'selu':
      return one('Selu', { alpha: { float: SELU_ALPHA }, gamma: { float: SELU_SCALE } });
    case 'sigmoid':
      return one('Sigmoid');
    case 'tanh':
      return one('Tanh');
    case 'softmax':
      return one('Softmax', { axis: 1 });
    case 'leakyRelu':
      return one('LeakyRelu', { alpha: { float: alpha ?? 0.3 } });
    default:
      throw new Error(`no ONNX operator for activation "${activation}"`);
  }
}

/**
 * A layer's main operator followed by its fused activation: `main` is given the tensor it must
 * write (`ctx.out` when the activation is linear, else a private "<id>/pre" tensor).
 */
export function withActivation(activation: string, ctx: OnnxContext, main: (out: string) => OnnxNodeSpec): OnnxNodeSpec {
  if (activation === 'linear') return main(ctx.out);
  const pre = ctx.name('pre');
  const m = main(pre);
  const a = onnxActivation(activation, pre, ctx.out, ctx);
  return { ops: [...m.ops, ...a.ops], tensors: [...(m.tensors ?? []), ...(a.tensors ?? [])] };
}

/**
 * ONNX `pads` of a window op on a map, [top, left, bottom, right]: TensorFlow's "same" padding
 * written out, with the extra row/column of an uneven total at the END (bottom/right).
 */
export function onnxPads(
  input: Shape,
  kernel: readonly [number, number],
  strides: readonly [number, number],
  padding: 'valid' | 'same',
  dilation: readonly [number, number] = [1, 1],
): number[] {
  const p = windowPads(input, kernel, strides, padding, dilation);
  return [p.top, p.left, p.bottom, p.right];
}

/** The ONNX axis (NCHW) of a per-sample TensorFlow axis: on a map height 0 -> 2, width 1 -> 3, channels 2 -> 1; on a vector 0 -> 1. */
export function onnxAxis(axis: number, rank: number): number {
  if (rank === 3) return [2, 3, 1][axis]!;
  return axis + 1;
}

/** A tfjs weight and a bias as initializers named "<id>/<tf name>" (bias only when `useBias`). */
export function weightAndBias(ctx: OnnxContext, kernel: Omit<Extract<OnnxTensorSpec, { tf: string }>, 'name'>, useBias: boolean): { names: string[]; tensors: OnnxTensorSpec[] } {
  const k = ctx.name(kernel.tf);
  const tensors: OnnxTensorSpec[] = [{ name: k, ...kernel }];
  if (useBias) tensors.push({ name: ctx.name('bias'), tf: 'bias' });
  return { names: useBias ? [k, ctx.name('bias')] : [k], tensors };
}
