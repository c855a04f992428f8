import { kerasLayer, pyTuple } from './codegen';
import { formatShape, requireMap } from './shape';
import { defineNode, ShapeError } from './types';

export default defineNode({
  type: 'cropping2D',
  role: 'layer',
  title: 'Cropping 2D',
  category: 'reshape',
  summary: 'Cuts rows and columns off the edges of each feature map.',
  explain:
    'Cropping removes rows from the top and bottom and columns from the left and right of the map, keeping what is ' +
    'inside unchanged: the mirror of Zero Padding. A U-Net uses it on its skip connections: the encoder map that is ' +
    'joined to the decoder can be a few pixels larger (after "valid" convolutions, or an odd size halved and doubled ' +
    'again), and Concatenate needs both maps the same size, so the larger one is cropped to fit. It has no weights to learn.',
  params: {
    cropping: {
      kind: 'padding2d',
      default: 1,
      min: 0,
      max: 256,
      doc: 'Rows/columns to cut off: n on every side, [height, width], or [[top, bottom], [left, right]].',
    },
  },
  inferShape(inputs, p) {
    const [h, w, c] = requireMap(inputs[0], 'Cropping 2D');
    const [[top, bottom], [left, right]] = p.cropping;
    const oh = h - top - bottom;
    const ow = w - left - right;
    if (oh <= 0 || ow <= 0) {
      throw new ShapeError(
        `Cropping 2D cuts ${top} + ${bottom} rows and ${left} + ${right} columns off a ${formatShape([h, w])} map, ` +
          `which leaves nothing. Crop less: at most ${h - 1} rows and ${w - 1} columns in all.`,
      );
    }
    return [oh, ow, c];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  // Output (y, x) is input (y + top, x + left): a padding by minus the crop.
  receptive: (_inputs, p) => ({
    kind: 'pad',
    pads: [
      [-p.cropping[0][0], -p.cropping[0][1]],
      [-p.cropping[1][0], -p.cropping[1][1]],
    ],
  }),
  lint(inputs, _out, p) {
    return p.cropping.flat().every((n) => n === 0)
      ? [`Cropping 2D cuts nothing: all cropping is 0, so the ${formatShape(inputs[0])} map passes through unchanged.`]
      : [];
  },
  build: (tf, p, name) => tf.layers.cropping2D({ name, cropping: p.cropping }),
  keras: (p, { id }) => kerasLayer('Cropping2D', id, [`cropping=${pyTuple(p.cropping.map((pair) => pyTuple(pair)))}`]),
  pytorch: {
    module: () => null,
    // N×C×H×W: keep rows top … H − bottom and columns left … W − right (exact slicing).
    forward: (p, { args, inputs }) => {
      const [h, w] = inputs[0]!;
      const [[top, bottom], [left, right]] = p.cropping;
      return [`${args[0]}[:, :, ${top}:${h! - bottom}, ${left}:${w! - right}]`];
    },
  },
  // Slice rows top … H − bottom and columns left … W − right (axes 2 and 3 of NCHW).
  onnx: (p, ctx) => {
    const [h, w] = ctx.inputs[0]!;
    const [[top, bottom], [left, right]] = p.cropping;
    const [starts, ends, axes] = [ctx.name('starts'), ctx.name('ends'), ctx.name('axes')];
    return {
      ops: [{ op: 'Slice', inputs: [ctx.args[0]!, starts, ends, axes], outputs: [ctx.out] }],
      tensors: [
        { name: starts, shape: [2], int64: [top, left] },
        { name: ends, shape: [2], int64: [h! - bottom, w! - right] },
        { name: axes, shape: [2], int64: [2, 3] },
      ],
    };
  },
});
