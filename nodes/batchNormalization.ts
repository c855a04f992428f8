import { formatShape } from './shape';
import { defineNode, ShapeError } from './types';

export default defineNode({
  type: 'batchNormalization',
  role: 'layer',
  title: 'Batch Normalization',
  category: 'normalization',
  summary: 'Rescales each channel to mean 0 and spread 1, then learns a scale and shift.',
  explain:
    'Batch normalization standardises every channel over the current batch (subtract the mean, divide by the standard ' +
    'deviation) and then applies a learned scale (gamma) and offset (beta). Keeping the values in a steady range lets deep ' +
    'CNNs train faster and with higher learning rates. During training it also keeps running averages of the mean and ' +
    'variance, which it uses instead when the trained network makes predictions.',
  face: [],
  params: {
    momentum: {
      kind: 'float',
      default: 0.99,
      min: 0,
      max: 1,
      doc: 'How slowly the running mean/variance follow each batch (closer to 1 = slower, smoother).',
    },
    epsilon: {
      kind: 'float',
      default: 1e-3,
      min: 0,
      max: 1,
      minExclusive: true,
      doc: 'Small number added to the variance so it never divides by zero.',
    },
    center: { kind: 'bool', default: true, doc: 'Learn an offset (beta) added after normalising.' },
    scale: { kind: 'bool', default: true, doc: 'Learn a factor (gamma) multiplied after normalising.' },
  },
  inferShape(inputs) {
    const x = inputs[0];
    if (!x || x.length === 0) {
      throw new ShapeError(`Batch Normalization needs an input with at least one axis (it normalises the last one), not ${formatShape(x)}.`);
    }
    return x;
  },
  paramCount(inputs, p) {
    const x = inputs[0]!;
    const c = x[x.length - 1]!;
    return { trainable: (p.center ? c : 0) + (p.scale ? c : 0), nonTrainable: 2 * c };
  },
  lint: (_inputs, _out, p) =>
    p.center && p.scale
      ? []
      : ['TensorFlow.js cannot train Batch Normalization with center or scale turned off (it runs, but training fails): leave both on.'],
  build: (tf, p, name) =>
    tf.layers.batchNormalization({ name, momentum: p.momentum, epsilon: p.epsilon, center: p.center, scale: p.scale }),
});
