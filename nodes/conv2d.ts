import { activationParam, windowPaddingParam } from './activations';
import { fPadArgs, kerasActivation, kerasLayer, pairUnlessOne, pyPair, pyStr, SAME_PAD_COMMENT, SAME_PADDING_NOTE, CONV_LAYOUT_NOTE, torchActivation, windowPads } from './codegen';
import { requireMap, windowOutput, zeroSizeLint } from './shape';
import { defineNode, ShapeError } from './types';
import { onnxPads, weightAndBias, withActivation } from './onnx-ops';

export default defineNode({
  type: 'conv2d',
  role: 'layer',
  title: 'Conv 2D',
  category: 'convolution',
  summary: 'Slides learned filters over the image to detect local patterns.',
  explain:
    'A convolution slides a small window (the kernel, e.g. 3×3) over the input and, at every position, computes a weighted sum ' +
    'of the pixels under it. Each filter learns its own weights and produces one feature map that lights up where its pattern ' +
    '(an edge, a corner, a texture) appears. Because the same weights are used everywhere, a pattern is found wherever it is ' +
    'in the image (translation equivariance) with far fewer parameters than a dense layer.',
  params: {
    filters: { kind: 'int', default: 32, min: 1, max: 4096, doc: 'Number of filters, i.e. output channels (feature maps).' },
    kernelSize: { kind: 'pair', default: 3, min: 1, max: 64, doc: 'Window size [height, width] of each filter.' },
    strides: { kind: 'pair', default: 1, min: 1, max: 64, doc: 'Step of the window; 2 halves the map size.' },
    padding: windowPaddingParam,
    dilationRate: { kind: 'pair', default: 1, min: 1, max: 64, doc: 'Spacing between kernel taps; >1 sees a wider area with the same weights.' },
    activation: activationParam,
    useBias: { kind: 'bool', default: true, doc: 'Add a learned offset to each output channel.' },
  },
  initial: { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' },
  face: ['filters', 'kernelSize', 'strides', 'padding', 'activation'],
  inferShape(inputs, p) {
    const [h, w] = requireMap(inputs[0], 'Conv 2D');
    if ((p.strides[0] > 1 || p.strides[1] > 1) && (p.dilationRate[0] > 1 || p.dilationRate[1] > 1)) {
      throw new ShapeError('Conv 2D cannot combine strides > 1 with a dilation rate > 1; set one of them to 1.');
    }
    const [oh, ow] = windowOutput('Conv 2D', [h, w], p.kernelSize, p.strides, p.padding, p.dilationRate);
    return [oh, ow, p.filters];
  },
  paramCount(inputs, p) {
    const c = inputs[0]![2]!;
    return { trainable: p.kernelSize[0] * p.kernelSize[1] * c * p.filters + (p.useBias ? p.filters : 0), nonTrainable: 0 };
  },
  // tfjs layout: kernel [height, width, in, filters] (HWIO).
  weights: (inputs, p) => [
    { name: 'kernel', shape: [...p.kernelSize, inputs[0]![2]!, p.filters], trainable: true },
    ...(p.useBias ? [{ name: 'bias', shape: [p.filters], trainable: true }] : []),
  ],
  receptive: (inputs, p) => {
    const pads = windowPads(inputs[0]!, p.kernelSize, p.strides, p.padding, p.dilationRate);
    return {
      kind: 'window', op: 'conv', kernel: p.kernelSize, strides: p.strides, dilation: p.dilationRate,
      pad: [pads.top, pads.left], channels: 'all', mixLastAxis: p.activation === 'softmax',
    };
  },
  lint: (inputs, out, p) => [
    ...zeroSizeLint('Conv 2D', inputs[0]!, out),
    // TensorFlow.js 4.22's fused convolution has no gradient for dilation > 1 unless the activation is relu/elu.
    ...((p.dilationRate[0] > 1 || p.dilationRate[1] > 1) && !['relu', 'elu'].includes(p.activation)
      ? [`TensorFlow.js cannot train a dilated convolution with activation "${p.activation}": use relu or elu here, or put an Activation node after it.`]
      : []),
  ],
  build: (tf, p, name) =>
    tf.layers.conv2d({
      name,
      filters: p.filters,
      kernelSize: p.kernelSize,
      strides: p.strides,
      padding: p.padding,
      dilationRate: p.dilationRate,
      activation: p.activation,
      useBias: p.useBias,
    }),
  keras: (p, { id }) =>
    kerasLayer('Conv2D', id, [String(p.filters), pyPair(p.kernelSize)], [
      ['strides', pairUnlessOne(p.strides)],
      ['padding', p.padding === 'same' ? pyStr('same') : undefined],
      ['dilation_rate', pairUnlessOne(p.dilationRate)],
      ['activation', kerasActivation(p.activation)],
      ['use_bias', p.useBias ? undefined : 'False'],
    ]),
  pytorch: {
    module(p, { inputs }) {
      const pads = windowPads(inputs[0]!, p.kernelSize, p.strides, p.padding, p.dilationRate);
      const args = [
        String(inputs[0]![2]),
        String(p.filters),
        `kernel_size=${pyPair(p.kernelSize)}`,
        ...(pairUnlessOne(p.strides) ? [`stride=${pyPair(p.strides)}`] : []),
        // Even padding on both sides can be left to the layer; uneven padding is done in forward.
        ...(pads.symmetric && !pads.none ? [`padding=${pyPair([pads.top, pads.left])}`] : []),
        ...(pairUnlessOne(p.dilationRate) ? [`dilation=${pyPair(p.dilationRate)}`] : []),
        ...(p.useBias ? [] : ['bias=False']),
      ];
      return `nn.Conv2d(${args.join(', ')})`;
    },
    forward(p, { inputs, args, module, out }) {
      const pads = windowPads(inputs[0]!, p.kernelSize, p.strides, p.padding, p.dilationRate);
      if (pads.symmetric) return [torchActivation(p.activation, `${module}(${args[0]})`)];
      return [SAME_PAD_COMMENT, `F.pad(${args[0]}, ${fPadArgs(pads)})`, torchActivation(p.activation, `${module}(${out})`)];
    },
    // tfjs kernel [height, width, in, out] (HWIO) -> PyTorch weight [out, in, height, width] (OIHW).
    weights: (p) => [{ tf: 'kernel', torch: 'weight', permute: [3, 2, 0, 1] }, ...(p.useBias ? [{ tf: 'bias', torch: 'bias' }] : [])],
    notes: [CONV_LAYOUT_NOTE, SAME_PADDING_NOTE],
  },
  // tfjs kernel HWIO -> ONNX OIHW; TensorFlow "same" as explicit pads (the extra one at the end).
  onnx: (p, ctx) =>
    withActivation(p.activation, ctx, (out) => {
      const w = weightAndBias(ctx, { tf: 'kernel', permute: [3, 2, 0, 1] }, p.useBias);
      const attrs = {
        kernel_shape: p.kernelSize,
        strides: p.strides,
        dilations: p.dilationRate,
        pads: onnxPads(ctx.inputs[0]!, p.kernelSize, p.strides, p.padding, p.dilationRate),
      };
      return { ops: [{ op: 'Conv', inputs: [ctx.args[0]!, ...w.names], outputs: [out], attrs }], tensors: w.tensors };
    }),
});
