import { requireMap } from './shape';
import { defineNode } from './types';

export default defineNode({
  type: 'upSampling2d',
  role: 'layer',
  title: 'Up Sampling 2D',
  category: 'reshape',
  summary: 'Enlarges each feature map by repeating (or blending) its pixels.',
  explain:
    'Up sampling makes the map bigger by a fixed factor: with size 2 every pixel becomes a 2×2 block ("nearest"), or the new ' +
    'pixels are blended from their neighbours ("bilinear"). Decoders and segmentation networks use it to grow small feature ' +
    'maps back towards image size, often followed by a convolution that learns to sharpen the result. It has no weights.',
  params: {
    size: { kind: 'pair', default: 2, min: 1, max: 64, doc: 'Factor [height, width] by which the map grows; 2 doubles it.' },
    interpolation: {
      kind: 'enum',
      default: 'nearest',
      options: ['nearest', 'bilinear'],
      doc: '"nearest" repeats each pixel; "bilinear" blends neighbouring pixels for a smoother result.',
    },
  },
  inferShape(inputs, p) {
    const [h, w, c] = requireMap(inputs[0], 'Up Sampling 2D');
    return [h * p.size[0], w * p.size[1], c];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  build: (tf, p, name) => tf.layers.upSampling2d({ name, size: p.size, interpolation: p.interpolation }),
});
