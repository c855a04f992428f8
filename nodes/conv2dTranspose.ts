import { activationParam } from './activations';
import { CONV_LAYOUT_NOTE, kerasActivation, kerasLayer, pairUnlessOne, pyPair, pyStr, torchActivation } from './codegen';
import { deconvOutputLength, requireMap } from './shape';
import { defineNode, type Shape } from './types';
import { weightAndBias, withActivation } from './onnx-ops';

/**
 * How the PyTorch transposed convolution reproduces tfjs' output size. PyTorch's ConvTranspose2d
 * without padding gives the full result, (n − 1)·stride + kernel; `output_padding`
 * (max(stride − kernel, 0), always < stride) adds the rows a kernel smaller than its stride
 * leaves empty, giving max((n − 1)·stride + kernel, n·stride) — exactly tfjs' "valid" size. For
 * "same", TensorFlow crops the full result to n·stride, starting at floor((kernel − stride) / 2)
 * (TensorFlow's uneven "same" padding: the larger half is cut at the bottom/right), while
 * PyTorch's `padding` would cut both sides equally; so the generated forward slices.
 */
function transposeGeometry(p: { kernelSize: [number, number]; strides: [number, number]; padding: 'valid' | 'same' }, input: Shape) {
  const axis = (i: 0 | 1) => {
    const [k, s, n] = [p.kernelSize[i], p.strides[i], input[i]!];
    const outputPadding = Math.max(s - k, 0);
    const full = (n - 1) * s + k + outputPadding;
    const size = deconvOutputLength(n, k, s, p.padding);
    const start = p.padding === 'same' ? Math.floor(Math.max(k - s, 0) / 2) : 0;
    return { outputPadding, crop: size !== full, start, size };
  };
  return [axis(0), axis(1)] as const;
}

export default defineNode({
  type: 'conv2dTranspose',
  role: 'layer',
  title: 'Conv 2D Transpose',
  category: 'convolution',
  summary: 'A learned upsampling: the reverse of a strided convolution.',
  explain:
    'A transposed convolution (sometimes called "deconvolution") runs a convolution backwards: every input pixel stamps a ' +
    'learned kernel onto a larger output, so a stride of 2 doubles the height and width. Networks that must produce an ' +
    'image-sized output, such as U-Net for segmentation or the decoder of an autoencoder, use it to grow small, deep ' +
    'feature maps back into big ones while learning how to fill in the detail.',
  params: {
    filters: { kind: 'int', default: 32, min: 1, max: 4096, doc: 'Number of filters, i.e. output channels (feature maps).' },
    kernelSize: { kind: 'pair', default: 3, min: 1, max: 64, doc: 'Size [height, width] of the patch each input pixel writes.' },
    strides: { kind: 'pair', default: 1, min: 1, max: 64, doc: 'Upsampling factor; 2 doubles the map size.' },
    padding: {
      kind: 'enum',
      default: 'valid',
      options: ['valid', 'same'],
      doc: '"same" gives exactly input size × stride; "valid" keeps the full overlap, adding max(kernel − stride, 0).',
    },
    activation: activationParam,
    useBias: { kind: 'bool', default: true, doc: 'Add a learned offset to each output channel.' },
  },
  initial: { filters: 8, strides: 2, padding: 'same', activation: 'relu' },
  inferShape(inputs, p) {
    const [h, w] = requireMap(inputs[0], 'Conv 2D Transpose');
    return [
      deconvOutputLength(h, p.kernelSize[0], p.strides[0], p.padding),
      deconvOutputLength(w, p.kernelSize[1], p.strides[1], p.padding),
      p.filters,
    ];
  },
  paramCount(inputs, p) {
    const c = inputs[0]![2]!;
    return { trainable: p.kernelSize[0] * p.kernelSize[1] * c * p.filters + (p.useBias ? p.filters : 0), nonTrainable: 0 };
  },
  // tfjs layout: kernel [height, width, filters, in] (out before in: the kernel of the convolution it reverses).
  weights: (inputs, p) => [
    { name: 'kernel', shape: [...p.kernelSize, p.filters, inputs[0]![2]!], trainable: true },
    ...(p.useBias ? [{ name: 'bias', shape: [p.filters], trainable: true }] : []),
  ],
  receptive: (inputs, p) => {
    const [h, w] = transposeGeometry(p, inputs[0]!);
    return { kind: 'transpose', kernel: p.kernelSize, strides: p.strides, crop: [h.start, w.start], mixLastAxis: p.activation === 'softmax' };
  },
  build: (tf, p, name) =>
    tf.layers.conv2dTranspose({
      name,
      filters: p.filters,
      kernelSize: p.kernelSize,
      strides: p.strides,
      padding: p.padding,
      activation: p.activation,
      useBias: p.useBias,
    }),
  keras: (p, { id }) =>
    kerasLayer('Conv2DTranspose', id, [String(p.filters), pyPair(p.kernelSize)], [
      ['strides', pairUnlessOne(p.strides)],
      ['padding', p.padding === 'same' ? pyStr('same') : undefined],
      ['activation', kerasActivation(p.activation)],
      ['use_bias', p.useBias ? undefined : 'False'],
    ]),
  pytorch: {
    module(p, { inputs }) {
      const [h, w] = transposeGeometry(p, inputs[0]!);
      const args = [
        String(inputs[0]![2]),
        String(p.filters),
        `kernel_size=${pyPair(p.kernelSize)}`,
        ...(pairUnlessOne(p.strides) ? [`stride=${pyPair(p.strides)}`] : []),
        ...(h.outputPadding || w.outputPadding ? [`output_padding=${pyPair([h.outputPadding, w.outputPadding])}`] : []),
        ...(p.useBias ? [] : ['bias=False']),
      ];
      return `nn.ConvTranspose2d(${args.join(', ')})`;
    },
    forward(p, { inputs, args, module, out }) {
      const [h, w] = transposeGeometry(p, inputs[0]!);
      if (!h.crop && !w.crop) return [torchActivation(p.activation, `${module}(${args[0]})`)];
      return [
        `${module}(${args[0]})`,
        "# TensorFlow 'same': keep input size × stride, cropping more at the bottom/right when uneven",
        torchActivation(p.activation, `${out}[:, :, ${h.start}:${h.start + h.size}, ${w.start}:${w.start + w.size}]`),
      ];
    },
    // tfjs kernel [height, width, out, in] -> PyTorch ConvTranspose2d weight [in, out, height, width].
    // No flip: both are the transpose (gradient) of the same cross-correlation.
    weights: (p) => [{ tf: 'kernel', torch: 'weight', permute: [3, 2, 0, 1] }, ...(p.useBias ? [{ tf: 'bias', torch: 'bias' }] : [])],
    notes: [
      CONV_LAYOUT_NOTE,
      "Transposed convolution: PyTorch's ConvTranspose2d gives the full result ((n - 1) x stride + kernel, plus " +
        "output_padding where the kernel is smaller than the stride); for 'same' padding forward() crops it to " +
        "n x stride the way TensorFlow does, taking the larger half of the crop from the bottom/right.",
    ],
  },
  // ConvTranspose's weight is [in, out, height, width] (tfjs [height, width, out, in] moved). Its
  // full result plus output_padding is tfjs' "valid" size; for "same" its pads crop that to
  // n·stride, from floor(crop / 2) at the top/left (the larger half at the bottom/right).
  onnx: (p, ctx) =>
    withActivation(p.activation, ctx, (out) => {
      const [h, w] = transposeGeometry(p, ctx.inputs[0]!);
      const endH = (ctx.inputs[0]![0]! - 1) * p.strides[0] + p.kernelSize[0] + h.outputPadding - h.start - h.size;
      const endW = (ctx.inputs[0]![1]! - 1) * p.strides[1] + p.kernelSize[1] + w.outputPadding - w.start - w.size;
      const wb = weightAndBias(ctx, { tf: 'kernel', permute: [3, 2, 0, 1] }, p.useBias);
      const attrs = {
        kernel_shape: p.kernelSize,
        strides: p.strides,
        pads: [h.start, w.start, endH, endW],
        output_padding: [h.outputPadding, w.outputPadding],
      };
      return { ops: [{ op: 'ConvTranspose', inputs: [ctx.args[0]!, ...wb.names], outputs: [out], attrs }], tensors: wb.tensors };
    }),
});
