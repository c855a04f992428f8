import { kerasLayer, pyPair, pyStr, pyTuple } from './codegen';
import { requireMap } from './shape';
import { defineNode } from './types';

/**
 * tfjs' bilinear up-sampling is tf.image.resizeBilinear with alignCorners = false and
 * halfPixelCenters = false (TensorFlow 1's resize): output pixel i reads input position
 * i · in / out. PyTorch's F.interpolate(mode='bilinear', align_corners=False) reads
 * (i + 0.5) · in / out − 0.5 instead (half-pixel centres), a shifted image; and Keras 2/3 on
 * TensorFlow 2 uses half-pixel centres too. So the PyTorch code computes tfjs' version itself.
 */
const TF_UPSAMPLE_BILINEAR = `def tf_upsample_bilinear(x, scale):
    """Bilinear up-sampling as TensorFlow.js does it (no half-pixel centres): output pixel i
    reads input position i / scale, blending the two nearest input pixels."""
    def taps(size, factor):
        pos = torch.arange(size * factor, dtype=torch.float64) * (size / (size * factor))
        low = pos.floor().long()
        high = torch.clamp(low + 1, max=size - 1)
        return low.to(x.device), high.to(x.device), (pos - low).to(x.dtype).to(x.device)

    top, bottom, fy = taps(x.shape[2], scale[0])
    left, right, fx = taps(x.shape[3], scale[1])
    upper_rows, lower_rows = x[:, :, top], x[:, :, bottom]
    upper = upper_rows[..., left] + (upper_rows[..., right] - upper_rows[..., left]) * fx
    lower = lower_rows[..., left] + (lower_rows[..., right] - lower_rows[..., left]) * fx
    return upper + (lower - upper) * fy.view(1, 1, -1, 1)`;

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
  receptive: (_inputs, p) => ({ kind: 'upsample', size: p.size, interpolation: p.interpolation }),
  build: (tf, p, name) => tf.layers.upSampling2d({ name, size: p.size, interpolation: p.interpolation }),
  keras: (p, { id }) =>
    kerasLayer('UpSampling2D', id, [], [
      ['size', p.size[0] === 2 && p.size[1] === 2 ? undefined : pyPair(p.size)],
      ['interpolation', p.interpolation === 'nearest' ? undefined : pyStr(p.interpolation)],
    ]),
  pytorch: {
    module: () => null,
    forward: (p, { args }) =>
      p.interpolation === 'nearest'
        ? // Every pixel repeated size[0] times down and size[1] times across (exact integer indices).
          [`${args[0]}.repeat_interleave(${p.size[0]}, dim=2).repeat_interleave(${p.size[1]}, dim=3)`]
        : [`tf_upsample_bilinear(${args[0]}, ${pyTuple(p.size)})`],
    notes: [
      "Bilinear up-sampling: TensorFlow.js reads output pixel i from input position i / scale (no half-pixel centres); " +
        "PyTorch's F.interpolate(mode='bilinear') uses half-pixel centres, a shifted image, so tf_upsample_bilinear " +
        'computes the TensorFlow.js version. (Nearest up-sampling is the same in both.)',
    ],
    helpers: (p): Record<string, string> => (p.interpolation === 'bilinear' ? { tf_upsample_bilinear: TF_UPSAMPLE_BILINEAR } : {}),
  },
  // Resize with "asymmetric" coordinates (output pixel i reads input i / scale: tfjs' resize without
  // half-pixel centres or aligned corners); nearest rounds down, as tfjs repeats each pixel.
  onnx: (p, ctx) => {
    const scales = ctx.name('scales');
    const attrs =
      p.interpolation === 'nearest'
        ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
        : { mode: 'linear', coordinate_transformation_mode: 'asymmetric' };
    return {
      ops: [{ op: 'Resize', inputs: [ctx.args[0]!, '', scales], outputs: [ctx.out], attrs }],
      tensors: [{ name: scales, shape: [4], float: [1, 1, p.size[0], p.size[1]] }],
    };
  },
});
