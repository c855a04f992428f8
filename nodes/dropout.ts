import { kerasLayer, pyFloat } from './codegen';
import { defineNode, ShapeError } from './types';

export default defineNode({
  type: 'dropout',
  role: 'layer',
  title: 'Dropout',
  category: 'regularization',
  summary: 'While training, randomly zeroes a fraction of the values.',
  explain:
    'During training, dropout sets a random fraction (the rate) of its inputs to 0 at every step and scales the rest up to ' +
    'compensate; when the trained network makes predictions it passes everything through unchanged. Because no single ' +
    'value can be relied on, the network has to spread what it learns, which reduces overfitting. CNNs mostly use it ' +
    'between the dense layers of the classifier.',
  params: {
    rate: {
      kind: 'float',
      default: 0.5,
      min: 0,
      max: 1,
      maxExclusive: true,
      doc: 'Fraction of values dropped during training, from 0 up to (not including) 1.',
    },
  },
  inferShape(inputs) {
    const x = inputs[0];
    if (!x) throw new ShapeError('Dropout needs an input.');
    return x;
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  lint: (_inputs, _out, p) => (p.rate === 0 ? ['Dropout with rate 0 drops nothing; raise the rate or remove the node.'] : []),
  receptive: () => ({ kind: 'elementwise' }),
  build: (tf, p, name) => tf.layers.dropout({ name, rate: p.rate }),
  keras: (p, { id }) => kerasLayer('Dropout', id, [pyFloat(p.rate)]),
  pytorch: {
    // Both zero `rate` of the values while training and scale the rest by 1 / (1 - rate); in
    // evaluation mode (model.eval()) both pass everything through.
    module: (p) => `nn.Dropout(p=${pyFloat(p.rate)})`,
    forward: (_p, { args, module }) => [`${module}(${args[0]})`],
  },
  // Inference: everything passes through.
  onnx: (_p, ctx) => ({ ops: [{ op: 'Identity', inputs: [ctx.args[0]!], outputs: [ctx.out] }] }),
});
