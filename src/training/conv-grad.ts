/**
 * Convolution gradients built from forward convolutions only.
 *
 * TensorFlow.js 4.22's WASM backend has no `Conv2DBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropFilter` or `DepthwiseConv2dNativeBackpropInput` kernel, so a
 * convolutional network cannot train on it. These gradients are convolutions themselves:
 *
 * - filter gradient of y = conv(x, w): dW[p, q, ci, co] = Σ_{b, i, j} xpad[b, i·s + p·d, j·s + q·d, ci] · dy[b, i, j, co].
 *   With x transposed to [Cin, H, W, B] and dy to [Ho, Wo, B, Cout] this is a 'valid' forward
 *   conv2d whose stride is the conv's dilation and whose dilation is the conv's stride
 *   (for a depthwise conv the batch is folded into the channels and summed afterwards);
 * - input gradient: the output gradient with (stride − 1) zeros between its rows and columns,
 *   padded and correlated with the 180°-rotated filter (same dilation, stride 1).
 *
 * `installConvFilterGradient(tf)`:
 * 1. overrides the gradients of the `Conv2D`, `Conv2DBackpropInput` (conv2dTranspose) and
 *    `DepthwiseConv2dNative` kernels, on every backend. The filter gradients are far faster than
 *    the CPU backend's backprop kernels (LeNet-5 trains ~8× faster on CPU) and, unlike tfjs' own
 *    gradients, handle dilation rates > 1. The conv2d input gradient stays tfjs'
 *    `conv2dTranspose`, except for dilated convs and on WASM at stride 1, where the forward
 *    formulation is 2–3× faster than its `Conv2DBackpropInput`;
 * 2. registers the three missing kernels for the 'wasm' backend, built from that backend's own
 *    forward kernels. This also covers ops whose gradient is a closure the registry cannot
 *    override: tfjs' fused conv2d / depthwiseConv2d (what a layer uses while training when its
 *    activation is 'linear' or one tfjs cannot fuse, e.g. tanh) call `conv2DBackpropFilter` etc.
 *    directly;
 * 3. works around three kernel bugs of tfjs 4.22 (found by wasm-train.test.ts):
 *    - wasm `MaxPoolGrad` sends the gradient of a window whose maximum is negative to the
 *      window's first element (max pooling after a linear / tanh / batch-norm layer trains
 *      wrongly) and, on ties, picks the last maximum: replaced by a plain-JS kernel with the CPU
 *      backend's semantics (the first maximum), unrolled for 2×2 windows with stride 2;
 *    - cpu `ResizeNearestNeighborGrad` uses the wrong batch offset into dy (Up Sampling 2D
 *      'nearest' trains wrongly with batches > 1): the ResizeNearestNeighbor gradient is
 *      overridden with a block sum for integer factors (what Up Sampling 2D does), on every backend;
 *    - cpu `ResizeBilinearGrad` labels its result [B, W, H, C] (Up Sampling 2D 'bilinear' fails on
 *      non-square maps): the kernel is wrapped to give the right shape (the values are right).
 *
 * 4. replaces WASM kernels that are slow in tfjs 4.22 with faster ones of the same arithmetic
 *    (FASTER_WASM_KERNELS: matrix products with a transposed operand, see matmul.ts).
 *
 * Zero padding is left to the convolutions themselves (explicit padding): on WASM a separate
 * `PadV2` cost more than the padded convolution (≈ 1–2 ms per LeNet-5 step for the first layer's
 * 64×28×28×1 input, measured with bench/profile.ts).
 *
 * What remains unsupported, on every backend: a Conv 2D layer with a dilation rate > 1 and an
 * activation other than relu or elu (tfjs-layers then trains through the fused conv2d, whose
 * gradient closure asserts dilations of 1 and cannot be overridden); and tfjs-layers' batch
 * normalisation with center or scale false (training reads the missing beta / gamma).
 *
 * The math lives once in functions over a small `Ops` interface: one implementation with tf ops
 * (for gradients, recorded and disposed by the engine as usual) and one with a backend's kernel
 * functions (for kernels, which must not call ops; intermediates are disposed explicitly).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { TRANSPOSING_MATMUL_KERNELS, transposingMatMulKernel } from './matmul';

export type TF = typeof tfjs;
type Pair = [number, number];
type Pad = 'valid' | 'same' | number | tfjs.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;
type Shape4 = [number, number, number, number];
/** Zero padding of the two spatial axes: [top, bottom, left, right]. */
type Pads = [number, number, number, number];

/** The kernels whose gradients are overridden. */
export const OVERRIDDEN_GRADIENTS = ['Conv2D', 'Conv2DBackpropInput', 'DepthwiseConv2dNative', 'ResizeNearestNeighbor'] as const;
/** Kernels replaced because they give wrong results in tfjs 4.22: [kernel, backend]. */
export const REPLACED_KERNELS = [
  ['MaxPoolGrad', 'wasm'],
  ['ResizeBilinearGrad', 'cpu'],
] as const;
/** Kernels replaced on 'wasm' because they are slow in tfjs 4.22 (same arithmetic, faster): see matmul.ts. */
export const FASTER_WASM_KERNELS = TRANSPOSING_MATMUL_KERNELS;
/** Kernels the WASM backend of tfjs 4.22 lacks for training convolutions; supplied by `installConvFilterGradient`. */
export const SUPPLIED_WASM_KERNELS = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'] as const;

/** The few tensor operations the gradients need, on tensors (ops) or tensor infos (kernels). */
interface Ops<T> {
  shape(x: T): number[];
  pad(x: T, paddings: Pair[]): T;
  slice(x: T, begin: number[], size: number[]): T;
  transpose(x: T, perm: number[]): T;
  reshape(x: T, shape: number[]): T;
  reverse(x: T, axes: number[]): T;
  sum(x: T, axes: number[]): T;
  /**
   * NHWC convolution, 'valid' or with explicit zero padding [top, bottom, left, right] (done by the
   * convolution itself: on WASM a separate pad kernel costs more than the padded convolution).
   */
  conv2d(x: T, filter: T, strides: Pair, dilations: Pair, pads?: Pads): T;
  /** 'valid' NHWC depthwise convolution. */
  depthwise(x: T, filter: T, strides: Pair, dilations: Pair): T;
}

/** Geometry of a forward convolution, exactly as tfjs computes it (including 'same' padding). */
interface Geometry {
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
}

function geometry(
  tf: TF,
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: number | Pair,
  dilations: number | Pair | null | undefined,
  pad: Pad,
  dimRoundingMode: Rounding,
  depthwise: boolean,
): Geometry {
  const info = tf.backend_util.computeConv2DInfo(
    [...xShape] as Shape4,
    [...filterShape] as Shape4,
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  return {
    inH: info.inHeight,
    inW: info.inWidth,
    outH: info.outHeight,
    outW: info.outWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/** Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor. */
function padOrCrop<T>(ops: Ops<T>, x: T, top: number, bottom: number, left: number, right: number): T {
  let t = x;
  const [b, h, w, c] = ops.shape(t) as Shape4;
  const cropTop = Math.max(0, -top);
  const cropBottom = Math.max(0, -bottom);
  const cropLeft = Math.max(0, -left);
  const cropRight = Math.max(0, -right);
  if (cropTop || cropBottom || cropLeft || cropRight) {
    t = ops.slice(t, [0, cropTop, cropLeft, 0], [b, h - cropTop - cropBottom, w - cropLeft - cropRight, c]);
  }
  const padTop = Math.max(0, top);
  const padBottom = Math.max(0, bottom);
  const padLeft = Math.max(0, left);
  const padRight = Math.max(0, right);
  if (padTop || padBottom || padLeft || padRight) {
    t = ops.pad(t, [
      [0, 0],
      [padTop, padBottom],
      [padLeft, padRight],
      [0, 0],
    ]);
  }
  return t;
}

/** Crops the spatial axes where an amount is negative; returns the rest as padding still to do. */
function cropped<T>(ops: Ops<T>, x: T, top: number, bottom: number, left: number, right: number): { t: T; pads: Pads } {
  return { t: padOrCrop(ops, x, Math.min(0, top), Math.min(0, bottom), Math.min(0, left), Math.min(0, right)), pads: [top, bottom, left, right].map((n) => Math.max(0, n)) as Pads };
}

/** The amounts that pad (or crop) x to the input rows/columns the forward conv read, [B, needH, needW, C]. */
function windowAmounts(g: Geometry): Pads {
  const needH = (g.outH - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const needW = (g.outW - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  return [g.top, needH - g.inH - g.top, g.left, needW - g.inW - g.left];
}

/** The input rows/columns the forward conv read: padded (or cropped) x, [B, needH, needW, C]. */
function windowedInput<T>(ops: Ops<T>, x: T, g: Geometry): T {
  return padOrCrop(ops, x, ...windowAmounts(g));
}

/** dW of a conv2d, [kh, kw, Cin, Cout], from x [B, H, W, Cin] and dy [B, Ho, Wo, Cout]. */
function conv2dFilterGrad<T>(ops: Ops<T>, x: T, dy: T, g: Geometry): T {
  // The padding of the window is left to the convolution (transposing commutes with it).
  const { t, pads } = cropped(ops, x, ...windowAmounts(g));
  const xt = ops.transpose(t, [3, 1, 2, 0]); // [Cin, H', W', B]
  const dyt = ops.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, B, Cout]
  const r = ops.conv2d(xt, dyt, [g.dh, g.dw], [g.sh, g.sw], pads); // [Cin, kh, kw, Cout]
  return ops.transpose(r, [1, 2, 0, 3]);
}

/** dW of a depthwise conv, [kh, kw, C, M], from x [B, H, W, C] and dy [B, Ho, Wo, C·M]. */
function depthwiseFilterGrad<T>(ops: Ops<T>, x: T, dy: T, g: Geometry, multiplier: number): T {
  const xw = windowedInput(ops, x, g);
  const [b, hp, wp, c] = ops.shape(xw) as Shape4;
  // Fold the batch into the channels (channel index b·C + c) so the batch sum becomes a depthwise tap sum.
  const xin = ops.reshape(ops.transpose(xw, [1, 2, 0, 3]), [1, hp, wp, b * c]);
  const f = ops.reshape(ops.transpose(dy, [1, 2, 0, 3]), [g.outH, g.outW, b * c, multiplier]);
  const r = ops.depthwise(xin, f, [g.dh, g.dw], [g.sh, g.sw]); // [1, kh, kw, (b·C + c)·M + m]
  return b === 1 ? ops.reshape(r, [g.kh, g.kw, c, multiplier]) : ops.sum(ops.reshape(r, [g.kh, g.kw, b, c, multiplier]), [2]);
}

/** dy with (stride − 1) zeros between its rows and columns: [B, (Ho−1)·sh+1, (Wo−1)·sw+1, C]. */
function spread<T>(ops: Ops<T>, dy: T, sh: number, sw: number): T {
  let t = dy;
  const [b, ho, wo, c] = ops.shape(t) as Shape4;
  if (sh > 1) {
    t = ops.reshape(t, [b, ho, 1, wo * c]);
    t = ops.pad(t, [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
    ]);
    t = ops.slice(ops.reshape(t, [b, ho * sh, wo, c]), [0, 0, 0, 0], [b, (ho - 1) * sh + 1, wo, c]);
  }
  const hz = (ho - 1) * sh + 1;
  if (sw > 1) {
    t = ops.reshape(t, [b * hz, wo, 1, c]);
    t = ops.pad(t, [
      [0, 0],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    t = ops.slice(ops.reshape(t, [b, hz, wo * sw, c]), [0, 0, 0, 0], [b, hz, (wo - 1) * sw + 1, c]);
  }
  return t;
}

/** The amounts that pad (or crop) the spread output gradient so that a 'valid' stride-1 correlation gives [B, H, W, ·]. */
function outputGradAmounts(g: Geometry): Pads {
  const ekh = (g.kh - 1) * g.dh + 1;
  const ekw = (g.kw - 1) * g.dw + 1;
  const hz = (g.outH - 1) * g.sh + 1;
  const wz = (g.outW - 1) * g.sw + 1;
  const top = ekh - 1 - g.top;
  const left = ekw - 1 - g.left;
  return [top, g.inH + ekh - 1 - hz - top, left, g.inW + ekw - 1 - wz - left];
}

/** The spread output gradient, padded so that a 'valid' stride-1 correlation gives [B, H, W, ·]. */
function paddedOutputGrad<T>(ops: Ops<T>, dy: T, g: Geometry): T {
  return padOrCrop(ops, spread(ops, dy, g.sh, g.sw), ...outputGradAmounts(g));
}

/** dx of a conv2d, [B, H, W, Cin], from dy and the filter [kh, kw, Cin, Cout]. */
function conv2dInputGrad<T>(ops: Ops<T>, dy: T, filter: T, g: Geometry): T {
  const f = ops.transpose(ops.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, Cout, Cin]
  // The padding is left to the convolution.
  const { t, pads } = cropped(ops, spread(ops, dy, g.sh, g.sw), ...outputGradAmounts(g));
  return ops.conv2d(t, f, [1, 1], [g.dh, g.dw], pads);
}

/** dx of a depthwise conv, [B, H, W, C], from dy [B, Ho, Wo, C·M] and the filter [kh, kw, C, M]. */
function depthwiseInputGrad<T>(ops: Ops<T>, dy: T, filter: T, g: Geometry): T {
  const [kh, kw, c, m] = ops.shape(filter) as Shape4;
  const f = ops.reshape(ops.reverse(filter, [0, 1]), [kh, kw, c * m, 1]);
  const r = ops.depthwise(paddedOutputGrad(ops, dy, g), f, [1, 1], [g.dh, g.dw]); // [B, H, W, C·M]
  if (m === 1) return r;
  const [b, h, w] = ops.shape(r) as Shape4;
  return ops.sum(ops.reshape(r, [b, h, w, c, m]), [4]);
}

// ---------------------------------------------------------------------------------------------
// Ops on tensors (inside gradient functions)

function tensorOps(tf: TF): Ops<tfjs.Tensor> {
  return {
    shape: (x) => x.shape,
    pad: (x, p) => tf.pad(x, p),
    slice: (x, begin, size) => tf.slice(x, begin, size),
    transpose: (x, perm) => tf.transpose(x, perm),
    reshape: (x, shape) => tf.reshape(x, shape),
    reverse: (x, axes) => tf.reverse(x, axes),
    sum: (x, axes) => tf.sum(x, axes),
    conv2d: (x, f, s, d, p) => tf.conv2d(x as tfjs.Tensor4D, f as tfjs.Tensor4D, s, explicitPad(p), 'NHWC', d),
    depthwise: (x, f, s, d) => tf.depthwiseConv2d(x as tfjs.Tensor4D, f as tfjs.Tensor4D, s, 'valid', 'NHWC', d),
  };
}

/** 'valid', or tfjs' explicit padding for [top, bottom, left, right]. */
function explicitPad(p: Pads | undefined): 'valid' | tfjs.backend_util.ExplicitPadding {
  if (!p || p.every((n) => n === 0)) return 'valid';
  return [
    [0, 0],
    [p[0], p[1]],
    [p[2], p[3]],
    [0, 0],
  ];
}

const isOne = (v: number | readonly number[] | null | undefined): boolean =>
  v == null || (typeof v === 'number' ? v === 1 : v.every((n) => n === 1));

function checkNHWC(kernel: string, dataFormat: unknown): void {
  if (dataFormat != null && dataFormat !== 'NHWC') {
    throw new Error(`LayerLab's ${kernel} gradient supports only the NHWC data format, got ${String(dataFormat)}.`);
  }
}

/** Marks the configs this module registered (idempotency, and tests can tell). */
const MARK = Symbol.for('layerlab.convGrad');
type Marked = { [MARK]?: true };

function conv2dGradConfig(tf: TF): tfjs.GradConfig {
  return {
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tfjs.Tensor4D, tfjs.Tensor4D];
      const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as tfjs.Conv2DAttrs;
      // NCHW is handled by working in NHWC and transposing the input gradient back.
      const nchw = dataFormat === 'NCHW';
      const ops = tensorOps(tf);
      const toNHWC = (t: tfjs.Tensor4D): tfjs.Tensor4D => (nchw ? tf.transpose(t, [0, 2, 3, 1]) : t);
      const dy4 = toNHWC(dy as tfjs.Tensor4D);
      const x4 = toNHWC(x);
      const g = geometry(tf, x4.shape, filter.shape, strides, dilations, pad, dimRoundingMode, false);
      return {
        x: () => {
          // tfjs' conv2dTranspose has no dilations. At stride 1 the forward conv is also 2–3× faster
          // than WASM's Conv2DBackpropInput (but 2× slower than the CPU backend's).
          const forward = !isOne(dilations) || (isOne(strides) && tf.getBackend() === 'wasm');
          const dx = forward
            ? (conv2dInputGrad(ops, dy4, filter, g) as tfjs.Tensor4D)
            : tf.conv2dTranspose(dy4, filter, x4.shape, strides, pad, dimRoundingMode);
          return nchw ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
        },
        filter: () => conv2dFilterGrad(ops, x4, dy4, g),
      };
    },
  };
}

/** conv2dTranspose: y = Conv2DBackpropInput(dy, filter). Its filter gradient is a conv2d filter gradient. */
function conv2dBackpropInputGradConfig(tf: TF): tfjs.GradConfig {
  return {
    kernelName: 'Conv2DBackpropInput',
    inputsToSave: ['dy', 'filter'],
    gradFunc: (ddx, saved, attrs) => {
      const [dy, filter] = saved as [tfjs.Tensor4D, tfjs.Tensor4D];
      const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tfjs.Conv2DBackpropInputAttrs;
      const nchw = dataFormat === 'NCHW';
      const toNHWC = (t: tfjs.Tensor4D): tfjs.Tensor4D => (nchw ? tf.transpose(t, [0, 2, 3, 1]) : t);
      return {
        dy: () => tf.conv2d(ddx as tfjs.Tensor4D, filter, strides, pad, dataFormat, 1, dimRoundingMode),
        filter: () => {
          const x4 = toNHWC(ddx as tfjs.Tensor4D);
          const g = geometry(tf, x4.shape, filter.shape, strides, 1, pad, dimRoundingMode, false);
          return conv2dFilterGrad(tensorOps(tf), x4, toNHWC(dy), g);
        },
      };
    },
  };
}

function depthwiseGradConfig(tf: TF): tfjs.GradConfig {
  return {
    kernelName: 'DepthwiseConv2dNative',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tfjs.Tensor4D, tfjs.Tensor4D];
      const { strides, pad, dilations, dimRoundingMode, dataFormat } = attrs as unknown as tfjs.DepthwiseConv2dNativeAttrs;
      checkNHWC('depthwise conv2d', dataFormat);
      const ops = tensorOps(tf);
      const g = geometry(tf, x.shape, filter.shape, strides, dilations, pad, dimRoundingMode, true);
      return {
        x: () => depthwiseInputGrad(ops, dy as tfjs.Tensor4D, filter, g),
        filter: () => depthwiseFilterGrad(ops, x, dy as tfjs.Tensor4D, g, filter.shape[3]),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Kernels built from a backend's forward kernels (for backends that lack them)

type Backend = { disposeData(dataId: object, force?: boolean): boolean };

function kernelOps(tf: TF, backend: Backend, backendName: string, made: tfjs.TensorInfo[]): Ops<tfjs.TensorInfo> {
  const run = (name: string, inputs: tfjs.NamedTensorInfoMap, attrs: Record<string, unknown>): tfjs.TensorInfo => {
    const kernel = tf.getKernel(name, backendName);
    if (!kernel) throw new Error(`The ${backendName} backend has no ${name} kernel.`);
    const out = kernel.kernelFunc({ inputs, attrs: attrs as tfjs.NamedAttrMap, backend: backend as never }) as tfjs.TensorInfo;
    made.push(out);
    return out;
  };
  return {
    shape: (x) => x.shape,
    pad: (x, paddings) => run('PadV2', { x }, { paddings, constantValue: 0 }),
    slice: (x, begin, size) => run('Slice', { x }, { begin, size }),
    transpose: (x, perm) => run('Transpose', { x }, { perm }),
    reshape: (x, shape) => run('Reshape', { x }, { shape }),
    reverse: (x, dims) => run('Reverse', { x }, { dims }),
    sum: (x, axis) => run('Sum', { x }, { axis, keepDims: false }),
    conv2d: (x, filter, strides, dilations, p) =>
      run('Conv2D', { x, filter }, { strides, pad: explicitPad(p), dataFormat: 'NHWC', dilations, dimRoundingMode: undefined }),
    depthwise: (x, filter, strides, dilations) =>
      run('DepthwiseConv2dNative', { x, filter }, { strides, pad: 'valid', dataFormat: 'NHWC', dilations, dimRoundingMode: undefined }),
  };
}

type KernelBody = (ops: Ops<tfjs.TensorInfo>, inputs: tfjs.NamedTensorInfoMap, attrs: tfjs.NamedAttrMap) => tfjs.TensorInfo;

function composedKernel(tf: TF, kernelName: string, backendName: string, body: KernelBody): tfjs.KernelConfig {
  const config: tfjs.KernelConfig & Marked = {
    kernelName,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const made: tfjs.TensorInfo[] = [];
      const b = backend as unknown as Backend;
      let out: tfjs.TensorInfo | undefined;
      try {
        out = body(kernelOps(tf, b, backendName, made), inputs, attrs ?? {});
        return out;
      } finally {
        // Intermediates are freed; one that shares its data with the result only drops a reference.
        for (const t of made) if (t !== out) b.disposeData(t.dataId);
      }
    },
  };
  config[MARK] = true;
  return config;
}

function composedKernels(tf: TF, backendName: string): tfjs.KernelConfig[] {
  return [
    composedKernel(tf, 'Conv2DBackpropFilter', backendName, (ops, { x, dy }, attrs) => {
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tfjs.Conv2DBackpropFilterAttrs;
      checkNHWC('Conv2DBackpropFilter', dataFormat);
      const g = geometry(tf, x!.shape, filterShape, strides, 1, pad, dimRoundingMode, false);
      return conv2dFilterGrad(ops, x!, dy!, g);
    }),
    composedKernel(tf, 'DepthwiseConv2dNativeBackpropFilter', backendName, (ops, { x, dy }, attrs) => {
      const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as tfjs.DepthwiseConv2dNativeBackpropFilterAttrs;
      const g = geometry(tf, x!.shape, filterShape, strides, dilations, pad, dimRoundingMode, true);
      return depthwiseFilterGrad(ops, x!, dy!, g, filterShape[3]);
    }),
    composedKernel(tf, 'DepthwiseConv2dNativeBackpropInput', backendName, (ops, { dy, filter }, attrs) => {
      const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as tfjs.DepthwiseConv2dNativeBackpropInputAttrs;
      const g = geometry(tf, inputShape, filter!.shape, strides, dilations, pad, dimRoundingMode, true);
      return depthwiseInputGrad(ops, dy!, filter!, g);
    }),
  ];
}

/**
 * Nearest-neighbour resizing by whole factors (alignCorners false; with or without half-pixel
 * centres every output pixel (i, j) reads input pixel (⌊i/sh⌋, ⌊j/sw⌋)): the gradient is a block
 * sum. Other resizes keep tfjs' own gradient.
 */
function resizeNearestGradConfig(tf: TF, original: tfjs.GradConfig | undefined): tfjs.GradConfig {
  return {
    kernelName: 'ResizeNearestNeighbor',
    inputsToSave: ['images'],
    gradFunc: (dy, saved, attrs) => {
      const [images] = saved as [tfjs.Tensor4D];
      const d = dy as tfjs.Tensor4D;
      const [b, h, w, c] = images.shape;
      const [, oh, ow] = d.shape;
      const { alignCorners } = attrs as unknown as tfjs.ResizeNearestNeighborAttrs;
      if (alignCorners || images.rank !== 4 || oh % h !== 0 || ow % w !== 0) {
        if (!original) throw new Error('No gradient for ResizeNearestNeighbor.');
        return original.gradFunc(dy, saved, attrs);
      }
      return {
        images: () => {
          // Rank ≤ 3 steps (some backends transpose only low ranks): rows, then columns.
          const rows = tf.sum(tf.reshape(d, [b * h, oh / h, ow * c]), 1);
          return tf.reshape(tf.sum(tf.reshape(rows, [b * h * w, ow / w, c]), 1), [b, h, w, c]);
        },
      };
    },
  };
}

type WasmBackend = {
  makeOutput(shape: number[], dtype: tfjs.DataType): tfjs.TensorInfo;
  typedArrayFromHeap(t: tfjs.TensorInfo): Float32Array | Int32Array | Uint8Array;
};

/**
 * MaxPoolGrad for wasm, in plain JS on the wasm heap, with the CPU backend's semantics: each
 * window's gradient goes to its first maximum (none when the window holds only NaN or padding).
 */
function maxPoolGradKernel(tf: TF): tfjs.KernelConfig {
  const config: tfjs.KernelConfig & Marked = {
    kernelName: 'MaxPoolGrad',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { dy, input } = inputs as { dy: tfjs.TensorInfo; input: tfjs.TensorInfo };
      const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tfjs.MaxPoolGradAttrs;
      const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
      const wasm = backend as unknown as WasmBackend;
      const out = wasm.makeOutput([...input.shape], 'float32');
      // Views only after the allocation (it may grow the heap, which detaches older views).
      const dx = wasm.typedArrayFromHeap(out) as Float32Array;
      const x = wasm.typedArrayFromHeap(input) as Float32Array;
      const g = wasm.typedArrayFromHeap(dy) as Float32Array;
      dx.fill(0);
      const { batchSize, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
      const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
      const { top, left } = info.padInfo;
      if (fh === 2 && fw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0 && 2 * oh <= h && 2 * ow <= w) {
        // The common 2×2 / stride 2 pooling with every window inside the input, unrolled (about 2×
        // faster than the general loop below); the same comparisons in the same order.
        const row = w * c;
        for (let b = 0; b < batchSize; b++) {
          for (let i = 0; i < oh; i++) {
            const rowBase = (b * h + 2 * i) * row;
            for (let j = 0; j < ow; j++) {
              const p00 = rowBase + 2 * j * c;
              const p01 = p00 + c;
              const p10 = p00 + row;
              const p11 = p10 + c;
              const dyBase = ((b * oh + i) * ow + j) * c;
              for (let d = 0; d < c; d++) {
                let best = -Infinity;
                let at = -1;
                let v = x[p00 + d]!;
                if (v > best) {
                  best = v;
                  at = p00 + d;
                }
                v = x[p01 + d]!;
                if (v > best) {
                  best = v;
                  at = p01 + d;
                }
                v = x[p10 + d]!;
                if (v > best) {
                  best = v;
                  at = p10 + d;
                }
                v = x[p11 + d]!;
                if (v > best) at = p11 + d;
                if (at >= 0) dx[at] = dx[at]! + g[dyBase + d]!;
              }
            }
          }
        }
        return out;
      }
      for (let b = 0; b < batchSize; b++) {
        for (let i = 0; i < oh; i++) {
          const r0 = i * sh - top;
          const rStart = Math.max(0, r0);
          const rEnd = Math.min(h, r0 + fh);
          for (let j = 0; j < ow; j++) {
            const c0 = j * sw - left;
            const cStart = Math.max(0, c0);
            const cEnd = Math.min(w, c0 + fw);
            const dyBase = ((b * oh + i) * ow + j) * c;
            for (let d = 0; d < c; d++) {
              let best = -Infinity;
              let at = -1;
              for (let r = rStart; r < rEnd; r++) {
                for (let q = cStart; q < cEnd; q++) {
                  const k = ((b * h + r) * w + q) * c + d;
                  const v = x[k]!;
                  if (v > best) {
                    best = v;
                    at = k;
                  }
                }
              }
              if (at >= 0) dx[at] = dx[at]! + g[dyBase + d]!;
            }
          }
        }
      }
      return out;
    },
  };
  config[MARK] = true;
  return config;
}

/** The cpu ResizeBilinearGrad with its result's shape corrected to the images' shape. */
function fixedShapeKernel(original: tfjs.KernelConfig): tfjs.KernelConfig {
  const config: tfjs.KernelConfig & Marked = {
    ...original,
    kernelFunc: (args) => {
      const out = original.kernelFunc(args) as tfjs.TensorInfo;
      return { ...out, shape: [...args.inputs.images!.shape] };
    },
  };
  config[MARK] = true;
  return config;
}

// ---------------------------------------------------------------------------------------------

/** The gradients and kernels in place before the first install, to restore them. */
const originals = new Map<string, tfjs.GradConfig | undefined>();
const originalKernels = new Map<string, tfjs.KernelConfig>();

export interface InstallOptions {
  /** Override the Conv2D / Conv2DBackpropInput / DepthwiseConv2dNative gradients. Default true. */
  gradients?: boolean;
  /** Backends that get the missing backprop kernels (only where absent). Default ['wasm']. */
  kernelBackends?: readonly string[];
  /** Work around the kernel bugs listed in the module comment. Default true. */
  kernelFixes?: boolean;
  /** Replace slow WASM kernels with faster ones of the same arithmetic (FASTER_WASM_KERNELS). Default true. */
  fasterKernels?: boolean;
}

function replaceKernel(tf: TF, config: tfjs.KernelConfig): void {
  const key = `${config.backendName}/${config.kernelName}`;
  const current = tf.getKernel(config.kernelName, config.backendName) as (tfjs.KernelConfig & Marked) | undefined;
  if (current?.[MARK]) return;
  if (current) {
    if (!originalKernels.has(key)) originalKernels.set(key, current);
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/**
 * Installs the forward-convolution gradients, the missing WASM kernels and the kernel fixes
 * (see the module comment). Idempotent. Call it after importing @tensorflow/tfjs-backend-wasm
 * (initBackend does): importing it registers its MaxPoolGrad again over the fixed one.
 */
export function installConvFilterGradient(tf: TF, opts: InstallOptions = {}): void {
  const fixes = opts.kernelFixes ?? true;
  const makers: [string, (original: tfjs.GradConfig | undefined) => tfjs.GradConfig][] = [];
  if (opts.gradients ?? true) {
    makers.push(['Conv2D', () => conv2dGradConfig(tf)], ['Conv2DBackpropInput', () => conv2dBackpropInputGradConfig(tf)], ['DepthwiseConv2dNative', () => depthwiseGradConfig(tf)]);
  }
  if (fixes) makers.push(['ResizeNearestNeighbor', (original) => resizeNearestGradConfig(tf, original)]);
  for (const [kernelName, make] of makers) {
    const current = tf.getGradient(kernelName) as (tfjs.GradConfig & Marked) | undefined;
    if (current?.[MARK]) continue;
    if (!originals.has(kernelName)) originals.set(kernelName, current);
    const config = make(originals.get(kernelName)) as tfjs.GradConfig & Marked;
    config[MARK] = true;
    tf.registerGradient(config);
  }
  for (const backendName of opts.kernelBackends ?? ['wasm']) {
    for (const config of composedKernels(tf, backendName)) {
      if (!tf.getKernel(config.kernelName, backendName)) tf.registerKernel(config);
    }
  }
  if (fixes) {
    // Only once the wasm backend's own kernel is registered: registering first would be overwritten
    // (with a warning) by the backend's import.
    if (tf.getKernel('MaxPoolGrad', 'wasm')) replaceKernel(tf, maxPoolGradKernel(tf));
    const bilinear = originalKernels.get('cpu/ResizeBilinearGrad') ?? tf.getKernel('ResizeBilinearGrad', 'cpu');
    if (bilinear) replaceKernel(tf, fixedShapeKernel(bilinear));
  }
  if (opts.fasterKernels ?? true) {
    for (const name of FASTER_WASM_KERNELS) {
      const original = originalKernels.get(`wasm/${name}`) ?? tf.getKernel(name, 'wasm');
      if (!original || (original as Marked)[MARK]) continue;
      const config = transposingMatMulKernel(tf, original) as tfjs.KernelConfig & Marked;
      config[MARK] = true;
      replaceKernel(tf, config);
    }
  }
}

/** Restores tfjs' own gradients and removes the kernels this module added (for tests and benchmarks). */
export function uninstallConvFilterGradient(tf: TF): void {
  for (const name of OVERRIDDEN_GRADIENTS) {
    const current = tf.getGradient(name) as (tfjs.GradConfig & Marked) | undefined;
    const original = originals.get(name);
    if (current?.[MARK] && original) tf.registerGradient(original);
  }
  for (const name of [...SUPPLIED_WASM_KERNELS, ...REPLACED_KERNELS.map(([k]) => k), ...FASTER_WASM_KERNELS]) {
    for (const backendName of ['wasm', 'cpu', 'webgl', 'webgpu']) {
      const kernel = tf.getKernel(name, backendName) as (tfjs.KernelConfig & Marked) | undefined;
      if (!kernel?.[MARK]) continue;
      tf.unregisterKernel(name, backendName);
      const original = originalKernels.get(`${backendName}/${name}`);
      if (original) tf.registerKernel(original);
    }
  }
}

/** Whether the Conv2D gradient in the registry is this module's. */
export function isConvGradientInstalled(tf: TF): boolean {
  return Boolean((tf.getGradient('Conv2D') as (tfjs.GradConfig & Marked) | undefined)?.[MARK]);
}
