import { activationParam, windowPaddingParam } from './activations';
import { requireMap, windowOutput, zeroSizeLint } from './shape';
import { defineNode } from './types';

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
});
