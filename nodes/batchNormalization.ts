import { kerasLayer, oneMinus, pyNum } from './codegen';
import { formatShape } from './shape';
import { defineNode, ShapeError } from './types';

/** Marks parameters as fixed (not trained): Keras' center = False / scale = False. */
const FROZEN = `def frozen(module, *names):
    """Keeps these parameters of the module fixed during training."""
    for name in names:
        getattr(module, name).requires_grad_(False)
    return module`;

export default defineNode({
  type: 'batchNormalization',
  role: 'layer',
  title: 'Batch Normalization',
  shortTitle: 'Batch Norm',
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
  // tfjs layout: gamma, beta (trainable, when scale / center), moving_mean, moving_variance: all [channels].
  weights(inputs, p) {
    const c = inputs[0]!.at(-1)!;
    return [
      ...(p.scale ? [{ name: 'gamma', shape: [c], trainable: true }] : []),
      ...(p.center ? [{ name: 'beta', shape: [c], trainable: true }] : []),
      { name: 'moving_mean', shape: [c], trainable: false },
      { name: 'moving_variance', shape: [c], trainable: false },
    ];
  },
  lint: (_inputs, _out, p) =>
    p.center && p.scale
      ? []
      : ['TensorFlow.js cannot train Batch Normalization with center or scale turned off (it runs, but training fails): leave both on.'],
  receptive: () => ({ kind: 'elementwise' }),
  build: (tf, p, name) =>
    tf.layers.batchNormalization({ name, momentum: p.momentum, epsilon: p.epsilon, center: p.center, scale: p.scale }),
  keras: (p, { id }) =>
    kerasLayer('BatchNormalization', id, [], [
      ['momentum', p.momentum === 0.99 ? undefined : pyNum(p.momentum)],
      ['epsilon', p.epsilon === 1e-3 ? undefined : pyNum(p.epsilon)],
      ['center', p.center ? undefined : 'False'],
      ['scale', p.scale ? undefined : 'False'],
    ]),
  pytorch: {
    module(p, { inputs }) {
      const x = inputs[0]!;
      const cls = x.length === 3 ? 'BatchNorm2d' : 'BatchNorm1d';
      const bn = `nn.${cls}(${x[x.length - 1]}, eps=${pyNum(p.epsilon)}, momentum=${pyNum(oneMinus(p.momentum))})`;
      const fixed = [...(p.scale ? [] : ["'weight'"]), ...(p.center ? [] : ["'bias'"])];
      return fixed.length ? `frozen(${bn}, ${fixed.join(', ')})` : bn;
    },
    forward: (_p, { args, module }) => [`${module}(${args[0]})`],
    weights(p, { inputs }) {
      const x = inputs[0]!;
      const c = x[x.length - 1]!;
      return [
        p.scale ? { tf: 'gamma', torch: 'weight' } : { torch: 'weight', shape: [c], fill: 1 },
        p.center ? { tf: 'beta', torch: 'bias' } : { torch: 'bias', shape: [c], fill: 0 },
        { tf: 'moving_mean', torch: 'running_mean' },
        { tf: 'moving_variance', torch: 'running_var' },
      ];
    },
    helpers: (p): Record<string, string> => (p.center && p.scale ? {} : { frozen: FROZEN }),
    notes: [
      'Batch normalization: in evaluation mode both compute (x - moving_mean) / sqrt(moving_var + epsilon) * gamma + beta ' +
      "with the same epsilon. Their momentum means opposite things: Keras keeps momentum of the old average " +
      "(new = momentum * old + (1 - momentum) * batch), PyTorch mixes in momentum of the batch, so PyTorch's momentum is " +
      '1 - Keras momentum. While training, PyTorch updates running_var with the unbiased batch variance, n / (n - 1) ' +
      'times the biased one TensorFlow.js uses.',
    ],
  },
  // Inference form with the moving statistics; center/scale off -> constant beta 0 / gamma 1. Channels are axis 1.
  onnx: (p, ctx) => {
    const c = ctx.inputs[0]!.at(-1)!;
    const [gamma, beta, mean, variance] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((s) => ctx.name(s)) as [string, string, string, string];
    return {
      ops: [{ op: 'BatchNormalization', inputs: [ctx.args[0]!, gamma, beta, mean, variance], outputs: [ctx.out], attrs: { epsilon: { float: p.epsilon } } }],
      tensors: [
        p.scale ? { name: gamma, tf: 'gamma' } : { name: gamma, shape: [c], float: 1 },
        p.center ? { name: beta, tf: 'beta' } : { name: beta, shape: [c], float: 0 },
        { name: mean, tf: 'moving_mean' },
        { name: variance, tf: 'moving_variance' },
      ],
    };
  },
});
