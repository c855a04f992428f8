/**
 * The arithmetic of one output value of a convolution or pooling node, written out: the window of
 * its input (padding included), and for a convolution the kernel weights, the products, their sum
 * and the bias; for max pooling which value won; for average pooling the mean. Pure (no tfjs): the
 * worker (src/training/labs/window.ts) reads the values and weights and hands them in.
 */
import type { NodeWindow } from './receptive-field';

export interface WindowArithmetic {
  op: 'conv' | 'max' | 'avg';
  /** The input channels read, and per channel the value under each tap (0 on padding for a convolution, null on padding for pooling). */
  channels: number[];
  values: (number | null)[][];
  /** Convolutions: the weight of each tap per channel, the products, the sum per channel. */
  weights?: number[][];
  products?: number[][];
  channelSums?: number[];
  /** Convolutions: Σ products; bias (0 without one); pre = sum + bias, before the activation. */
  sum?: number;
  bias?: number;
  pre?: number;
  /** Max pooling: the tap that won (its index in `taps`); the max. */
  maxTap?: number;
  /** Average pooling: how many real (not padded) values were averaged. */
  count?: number;
  /** Max: the max; average: the mean; convolution: the activation applied to `pre` (null for softmax, which needs every channel). */
  result: number | null;
  activation?: string;
}

/** An activation function as tfjs computes it (softmax needs the whole channel axis: null). */
export function activate(name: string, v: number, alpha = 0.3): number | null {
  switch (name) {
    case 'linear':
      return v;
    case 'relu':
      return Math.max(0, v);
    case 'relu6':
      return Math.min(6, Math.max(0, v));
    case 'elu':
      return v > 0 ? v : Math.exp(v) - 1;
    case 'selu':
      return 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1));
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'tanh':
      return Math.tanh(v);
    case 'leakyRelu':
      return v > 0 ? v : alpha * v;
    default:
      return null;
  }
}

/**
 * `input` is the source node's map [h, w, c] (row-major, channels last). For a convolution,
 * `kernel` is tfjs' kernel in its layout ([kh, kw, in, out], or [kh, kw, in, multiplier] for a
 * depthwise one) and `channel` the output channel.
 */
export function windowArithmetic(
  win: NodeWindow,
  input: ArrayLike<number>,
  channel: number,
  conv?: { kernel: ArrayLike<number>; kernelShape: readonly number[]; bias: number; activation: string; depthwise: boolean },
): WindowArithmetic {
  const [, iw, ic] = win.inputShape;
  const read = (t: NodeWindow['taps'][number], c: number) => (t.padding ? null : input[(t.iy * iw + t.ix) * ic + c]!);
  const values = win.channels.map((c) => win.taps.map((t) => read(t, c)));
  if (win.op === 'conv') {
    if (!conv) throw new Error('A convolution window needs its kernel.');
    const [, kw, kin, kout] = conv.kernelShape as [number, number, number, number];
    const weights = win.channels.map((c) =>
      win.taps.map((t) => conv.kernel[((t.ky * kw + t.kx) * kin + c) * kout + (conv.depthwise ? win.multiplierIndex : channel)]!),
    );
    const products = values.map((row, i) => row.map((v, j) => (v ?? 0) * weights[i]![j]!));
    const channelSums = products.map((row) => row.reduce((a, b) => a + b, 0));
    const sum = channelSums.reduce((a, b) => a + b, 0);
    const pre = sum + conv.bias;
    return {
      op: 'conv',
      channels: win.channels,
      values: values.map((row) => row.map((v) => v ?? 0)),
      weights,
      products,
      channelSums,
      sum,
      bias: conv.bias,
      pre,
      result: activate(conv.activation, pre),
      activation: conv.activation,
    };
  }
  const real = values[0]!.map((v, j) => [v, j] as const).filter(([v]) => v !== null) as (readonly [number, number])[];
  if (win.op === 'max') {
    let best = real[0];
    for (const r of real) if (best === undefined || r[0] > best[0]) best = r;
    return { op: 'max', channels: win.channels, values, maxTap: best?.[1], result: best?.[0] ?? null };
  }
  const total = real.reduce((a, [v]) => a + v, 0);
  return { op: 'avg', channels: win.channels, values, count: real.length, result: real.length ? total / real.length : null };
}
