import { activationParam, windowPaddingParam } from './activations';
import { fPadArgs, kerasActivation, kerasLayer, pairUnlessOne, pyPair, pyStr, SAME_PAD_COMMENT, SAME_PADDING_NOTE, CONV_LAYOUT_NOTE, torchActivation, windowPads } from './codegen';
import { requireMap, windowOutput, zeroSizeLint } from './shape';
import { defineNode } from './types';
import { onnxPads, weightAndBias, withActivation } from './onnx-ops';

export default defineNode({
  type: 'depthwiseConv2d',
  role: 'layer',
  title: 'Depthwise Conv 2D',
  category: 'convolution',
  summary: 'Filters each channel on its own with its own small kernel.',
  explain:
    'A depthwise convolution slides a window over every input channel separately instead of mixing all channels in one ' +
    'weighted sum. Each channel gets its own kernel (or several, with the depth multiplier), so it finds spatial patterns ' +
    'with very few weights. Efficient networks such as MobileNet follow it with a 1×1 Conv 2D that mixes the channels; ' +
    'together they do the work of a normal convolution at a fraction of the cost.',
  params: {
    kernelSize: { kind: 'pair', default: 3, min: 1, max: 64, doc: 'Window size [height, width] of each per-channel kernel.' },
    strides: { kind: 'pair', default: 1, min: 1, max: 64, doc: 'Step of the window; 2 halves the map size.' },
    padding: windowPaddingParam,
    depthMultiplier: {
      kind: 'int',
      default: 1,
      min: 1,
      max: 64,
      doc: 'Kernels per input channel; the output has channels × depth multiplier channels.',
    },
    activation: activationParam,
    useBias: { kind: 'bool', default: true, doc: 'Add a learned offset to each output channel.' },
  },
  initial: { padding: 'same', activation: 'relu' },
  inferShape(inputs, p) {
    const [h, w, c] = requireMap(inputs[0], 'Depthwise Conv 2D');
    const [oh, ow] = windowOutput('Depthwise Conv 2D', [h, w], p.kernelSize, p.strides, p.padding);
    return [oh, ow, c * p.depthMultiplier];
  },
  paramCount(inputs, p) {
    const out = inputs[0]![2]! * p.depthMultiplier;
    return { trainable: p.kernelSize[0] * p.kernelSize[1] * out + (p.useBias ? out : 0), nonTrainable: 0 };
  },
  // tfjs layout: depthwise_kernel [height, width, in, multiplier]; output channel i·multiplier + m.
  weights: (inputs, p) => [
    { name: 'depthwise_kernel', shape: [...p.kernelSize, inputs[0]![2]!, p.depthMultiplier], trainable: true },
    ...(p.useBias ? [{ name: 'bias', shape: [inputs[0]![2]! * p.depthMultiplier], trainable: true }] : []),
  ],
  receptive: (inputs, p) => {
    const pads = windowPads(inputs[0]!, p.kernelSize, p.strides, p.padding);
    return {
      kind: 'window', op: 'conv', kernel: p.kernelSize, strides: p.strides, dilation: [1, 1],
      pad: [pads.top, pads.left], channels: { depthMultiplier: p.depthMultiplier }, mixLastAxis: p.activation === 'softmax',
    };
  },
  lint: (inputs, out) => zeroSizeLint('Depthwise Conv 2D', inputs[0]!, out),
  build: (tf, p, name) =>
    tf.layers.depthwiseConv2d({
      name,
      kernelSize: p.kernelSize,
      strides: p.strides,
      padding: p.padding,
      depthMultiplier: p.depthMultiplier,
      activation: p.activation,
      useBias: p.useBias,
    }),
  keras: (p, { id }) =>
    kerasLayer('DepthwiseConv2D', id, [pyPair(p.kernelSize)], [
      ['strides', pairUnlessOne(p.strides)],
      ['padding', p.padding === 'same' ? pyStr('same') : undefined],
      ['depth_multiplier', p.depthMultiplier === 1 ? undefined : String(p.depthMultiplier)],
      ['activation', kerasActivation(p.activation)],
      ['use_bias', p.useBias ? undefined : 'False'],
    ]),
  pytorch: {
    // A depthwise convolution is a grouped convolution with one group per input channel.
    module(p, { inputs }) {
      const c = inputs[0]![2]!;
      const pads = windowPads(inputs[0]!, p.kernelSize, p.strides, p.padding);
      const args = [
        String(c),
        String(c * p.depthMultiplier),
        `kernel_size=${pyPair(p.kernelSize)}`,
        ...(pairUnlessOne(p.strides) ? [`stride=${pyPair(p.strides)}`] : []),
        ...(pads.symmetric && !pads.none ? [`padding=${pyPair([pads.top, pads.left])}`] : []),
        `groups=${c}`,
        ...(p.useBias ? [] : ['bias=False']),
      ];
      return `nn.Conv2d(${args.join(', ')})`;
    },
    forward(p, { inputs, args, module, out }) {
      const pads = windowPads(inputs[0]!, p.kernelSize, p.strides, p.padding);
      if (pads.symmetric) return [torchActivation(p.activation, `${module}(${args[0]})`)];
      return [SAME_PAD_COMMENT, `F.pad(${args[0]}, ${fPadArgs(pads)})`, torchActivation(p.activation, `${module}(${out})`)];
    },
    // tfjs depthwise_kernel [height, width, in, multiplier], output channel i·multiplier + m.
    // PyTorch (groups = in): [in·multiplier, 1, height, width] with the same channel order, so
    // move the axes to [in, multiplier, height, width] and merge the first two.
    weights(p, { inputs }) {
      const c = inputs[0]![2]!;
      return [
        { tf: 'depthwise_kernel', torch: 'weight', permute: [2, 3, 0, 1], reshape: [c * p.depthMultiplier, 1, ...p.kernelSize] },
        ...(p.useBias ? [{ tf: 'bias', torch: 'bias' }] : []),
      ];
    },
    notes: [CONV_LAYOUT_NOTE, SAME_PADDING_NOTE],
  },
  // A grouped Conv with one group per input channel; weight [in·multiplier, 1, height, width] as for PyTorch.
  onnx: (p, ctx) =>
    withActivation(p.activation, ctx, (out) => {
      const c = ctx.inputs[0]![2]!;
      const w = weightAndBias(ctx, { tf: 'depthwise_kernel', permute: [2, 3, 0, 1], reshape: [c * p.depthMultiplier, 1, ...p.kernelSize] }, p.useBias);
      const attrs = { kernel_shape: p.kernelSize, strides: p.strides, group: c, pads: onnxPads(ctx.inputs[0]!, p.kernelSize, p.strides, p.padding) };
      return { ops: [{ op: 'Conv', inputs: [ctx.args[0]!, ...w.names], outputs: [out], attrs }], tensors: w.tensors };
    }),
});
