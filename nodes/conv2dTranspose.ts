import { activationParam } from './activations';
import { deconvOutputLength, requireMap } from './shape';
import { defineNode } from './types';

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
});
