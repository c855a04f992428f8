import { NODE_ACTIVATIONS } from './activations';
import { kerasActivation, kerasLayer, pyFloat, torchActivation } from './codegen';
import { formatShape } from './shape';
import { defineNode, ShapeError } from './types';
import { onnxActivation } from './onnx-ops';

export default defineNode({
  type: 'activation',
  role: 'layer',
  title: 'Activation',
  category: 'activation',
  summary: 'Applies a non-linear function such as ReLU to every value.',
  explain:
    'An activation applies the same simple function to every value on its own, for example ReLU, which keeps positive ' +
    'values and turns negatives into 0. Without such non-linear steps, a stack of convolutions and dense layers would ' +
    'collapse into one big linear function and could not learn complex patterns. A separate Activation node is handy ' +
    'after Batch Normalization (conv → batch norm → ReLU) or to try leaky ReLU.',
  params: {
    activation: {
      kind: 'enum',
      default: 'relu',
      options: NODE_ACTIVATIONS,
      doc: 'Function applied to every value; "leakyRelu" lets a small slope through for negative values.',
    },
    alpha: {
      kind: 'float',
      default: 0.3,
      min: 0,
      max: 1,
      doc: 'Slope for negative values in leaky ReLU (0 would be plain ReLU).',
    },
  },
  visible: (p) => ({ activation: true, alpha: p.activation === 'leakyRelu' }),
  inferShape(inputs) {
    const x = inputs[0];
    if (!x) throw new ShapeError('Activation needs an input.');
    return x;
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  lint(inputs, _out, p, ctx) {
    const x = inputs[0]!;
    // A segmentation network wants exactly this: class probabilities at every position.
    return p.activation === 'softmax' && x.length > 1 && ctx?.task !== 'segmentation'
      ? [
          `Softmax on a ${formatShape(x)} map turns each position's ${x[x.length - 1]} values into probabilities separately. ` +
            `For a classifier, put Flatten or global pooling and a Dense layer before the softmax.`,
        ]
      : [];
  },
  receptive: (_inputs, p) => (p.activation === 'softmax' ? { kind: 'lastAxis' } : { kind: 'elementwise' }),
  build: (tf, p, name) =>
    p.activation === 'leakyRelu'
      ? tf.layers.leakyReLU({ name, alpha: p.alpha })
      : tf.layers.activation({ name, activation: p.activation }),
  keras: (p, { id }) =>
    p.activation === 'leakyRelu'
      ? // Positional, as Keras 2 calls it alpha and Keras 3 negative_slope.
        kerasLayer('LeakyReLU', id, [pyFloat(p.alpha)])
      : kerasLayer('Activation', id, [kerasActivation(p.activation) ?? "'linear'"]),
  pytorch: {
    module: () => null,
    forward: (p, { args }) => [torchActivation(p.activation, args[0]!, p.alpha)],
  },
  onnx: (p, ctx) => onnxActivation(p.activation, ctx.args[0]!, ctx.out, ctx, p.alpha),
});
