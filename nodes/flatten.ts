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
  build: (tf, _p, name) => tf.layers.flatten({ name }),
});
