import { kerasLayer, toNhwc } from './codegen';
import { formatShape, product } from './shape';
import { defineNode, ShapeError } from './types';

export default defineNode({
  type: 'flatten',
  role: 'layer',
  title: 'Flatten',
  category: 'reshape',
  summary: 'Unrolls a feature map into one long vector.',
  explain:
    'Flatten lays all values of the map out in a single row: a 5×5×16 map becomes a vector of 400 numbers. Nothing is ' +
    'computed and nothing is learned; it only changes the shape. A classic CNN (like LeNet) uses it as the bridge between ' +
    'the convolutional part, which works on maps, and the Dense layers, which expect a vector.',
  params: {},
  inferShape(inputs) {
    const x = inputs[0];
    if (!x || x.length < 2) {
      throw new ShapeError(
        `Flatten needs a map with at least two axes, but gets ${formatShape(x)}` +
          (x && x.length === 1 ? ', which is already flat: remove this Flatten node.' : '.'),
      );
    }
    return [product(x)];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  receptive: () => ({ kind: 'flatten' }),
  build: (tf, _p, name) => tf.layers.flatten({ name }),
  keras: (_p, { id }) => kerasLayer('Flatten', id, []),
  pytorch: {
    module: () => null,
    forward: (_p, { args }) => [
      "# Flatten in TensorFlow's order (height, width, channels): see the note at the top",
      `torch.flatten(${toNhwc(args[0]!)}, 1)`,
    ],
    notes: [
      'Flatten: TensorFlow flattens an N x H x W x C map in (height, width, channels) order, while torch.flatten on ' +
      "PyTorch's N x C x H x W map would give (channels, height, width) order, and the weights of the Dense layer after " +
      'it would meet the wrong values. So forward() first permutes the map back to N x H x W x C and then flattens: the ' +
      'exported Dense weights are used as they are (only transposed), whatever follows the Flatten.',
    ],
  },
  // TensorFlow's order (height, width, channels): back to NHWC, then Flatten.
  onnx: (_p, ctx) => {
    const nhwc = ctx.name('nhwc');
    return {
      ops: [
        { op: 'Transpose', inputs: [ctx.args[0]!], outputs: [nhwc], attrs: { perm: [0, 2, 3, 1] } },
        { op: 'Flatten', inputs: [nhwc], outputs: [ctx.out], attrs: { axis: 1 } },
      ],
    };
  },
});
