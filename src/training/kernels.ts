/**
 * A convolution's learned kernels, one small picture per filter (pure: no tfjs). TensorFlow.js lays
 * the kernel out differently per layer:
 *
 * | node | tfjs kernel | filter f (an output channel) |
 * |---|---|---|
 * | conv2d | [kh, kw, in, out] | kernel[:, :, i, f], averaged over the inputs i |
 * | conv2dTranspose | [kh, kw, out, in] | kernel[:, :, f, i], averaged over the inputs i |
 * | depthwiseConv2d | [kh, kw, in, multiplier] | f = i·multiplier + m: kernel[:, :, i, m], one input channel |
 *
 * (the layouts are stated by the node definitions' `weights` in nodes/*.ts).
 */

/** The node types whose kernels can be pictured. */
export const KERNEL_NODE_TYPES = ['conv2d', 'conv2dTranspose', 'depthwiseConv2d'] as const;
export type KernelNodeType = (typeof KERNEL_NODE_TYPES)[number];

export const hasKernelPicture = (type: string | undefined): type is KernelNodeType => (KERNEL_NODE_TYPES as readonly string[]).includes(type ?? '');

export interface FilterKernels {
  /** Kernel height and width. */
  kh: number;
  kw: number;
  /** Filters, i.e. output channels of the layer. */
  filters: number;
  /** How many input channels each filter's picture averages (1 for a depthwise convolution). */
  averagedOver: number;
  /** [kh, kw, filters] (channels last, as feature maps are): filter f's tap (y, x) at (y·kw + x)·filters + f. */
  data: Float32Array;
}

/** Per-filter kernels from a tfjs kernel of `type` with `shape` (see the table above). */
export function filterKernels(type: KernelNodeType, kernel: Float32Array, shape: readonly number[]): FilterKernels {
  if (shape.length !== 4) throw new Error(`A ${type} kernel has 4 axes; got [${shape.join(', ')}].`);
  const [kh, kw, a, b] = shape as [number, number, number, number];
  if (kernel.length !== kh * kw * a * b) throw new Error(`A [${shape.join(', ')}] kernel has ${kh * kw * a * b} values; got ${kernel.length}.`);
  // Value at tap (y, x) and last two indices (p, q).
  const at = (y: number, x: number, p: number, q: number) => kernel[((y * kw + x) * a + p) * b + q]!;
  if (type === 'depthwiseConv2d') {
    // a = in, b = multiplier: output channel i·b + m is kernel[:, :, i, m], already one picture each.
    const filters = a * b;
    const data = new Float32Array(kh * kw * filters);
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let i = 0; i < a; i++) for (let m = 0; m < b; m++) data[(y * kw + x) * filters + i * b + m] = at(y, x, i, m);
    return { kh, kw, filters, averagedOver: 1, data };
  }
  // conv2d: [.., in, out]; conv2dTranspose: [.., out, in].
  const transpose = type === 'conv2dTranspose';
  const filters = transpose ? a : b;
  const inputs = transpose ? b : a;
  const data = new Float32Array(kh * kw * filters);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let f = 0; f < filters; f++) {
        let sum = 0;
        for (let i = 0; i < inputs; i++) sum += transpose ? at(y, x, f, i) : at(y, x, i, f);
        data[(y * kw + x) * filters + f] = sum / inputs;
      }
  return { kh, kw, filters, averagedOver: inputs, data };
}
