import { activationParam } from './activations';
import { kerasActivation, kerasLayer, toNchw, toNhwc, torchActivation } from './codegen';
import { formatShape } from './shape';
import { defineNode, ShapeError } from './types';
import { weightAndBias, withActivation } from './onnx-ops';

export default defineNode({
  type: 'dense',
  role: 'layer',
  title: 'Dense',
  category: 'dense',
  summary: 'Fully connected: every output looks at every input.',
  explain:
    'A dense (fully connected) layer computes each output as a weighted sum of all its inputs plus a bias. In a CNN the ' +
    'convolutions find features and the dense layers at the end combine them into a decision; the last dense layer has ' +
    'one unit per class, usually with softmax so the outputs read as probabilities.',
  params: {
    units: { kind: 'int', default: 128, min: 1, max: 65536, doc: 'Number of outputs (neurons).' },
    activation: activationParam,
    useBias: { kind: 'bool', default: true, doc: 'Add a learned offset to each output.' },
  },
  initial: { units: 64, activation: 'relu' },
  inferShape(inputs, p) {
    const x = inputs[0];
    if (!x || x.length === 0) throw new ShapeError(`Dense needs an input with at least one axis, not ${formatShape(x)}.`);
    return [...x.slice(0, -1), p.units];
  },
  paramCount(inputs, p) {
    const n = inputs[0]![inputs[0]!.length - 1]!;
    return { trainable: n * p.units + (p.useBias ? p.units : 0), nonTrainable: 0 };
  },
  // tfjs layout: kernel [last input axis, units].
  weights: (inputs, p) => [
    { name: 'kernel', shape: [inputs[0]!.at(-1)!, p.units], trainable: true },
    ...(p.useBias ? [{ name: 'bias', shape: [p.units], trainable: true }] : []),
  ],
  lint(inputs) {
    const x = inputs[0]!;
    return x.length > 1
      ? [
          `Dense gets a ${formatShape(x)} map and acts on each pixel separately (a 1×1 convolution). ` +
            `Put a Flatten or global pooling node before it if you meant a classifier.`,
        ]
      : [];
  },
  receptive: () => ({ kind: 'lastAxis' }),
  build: (tf, p, name) => tf.layers.dense({ name, units: p.units, activation: p.activation, useBias: p.useBias }),
  keras: (p, { id }) =>
    kerasLayer('Dense', id, [String(p.units)], [
      ['activation', kerasActivation(p.activation)],
      ['use_bias', p.useBias ? undefined : 'False'],
    ]),
  pytorch: {
    module: (p, { inputs }) => `nn.Linear(${[String(inputs[0]!.at(-1)), String(p.units), ...(p.useBias ? [] : ['bias=False'])].join(', ')})`,
    forward(p, { inputs, args, module }) {
      if (inputs[0]!.length === 1) return [torchActivation(p.activation, `${module}(${args[0]})`)];
      // On a map Dense acts on every pixel's channels: nn.Linear works on the last axis, so move
      // the channels there and back.
      return [torchActivation(p.activation, toNchw(`${module}(${toNhwc(args[0]!)})`))];
    },
    // tfjs kernel [inputs, units] -> PyTorch nn.Linear weight [units, inputs].
    weights: (p) => [{ tf: 'kernel', torch: 'weight', permute: [1, 0] }, ...(p.useBias ? [{ tf: 'bias', torch: 'bias' }] : [])],
    notes: ['Dense: TensorFlow stores the kernel as [inputs, units], nn.Linear as [units, inputs]; the exported weights are transposed.'],
  },
  // A vector: Gemm with the tfjs kernel [inputs, units] as it is. A map: channels last (NHWC),
  // MatMul (+ Add) on every pixel, channels first again.
  onnx: (p, ctx) =>
    withActivation(p.activation, ctx, (out) => {
      const w = weightAndBias(ctx, { tf: 'kernel' }, p.useBias);
      if (ctx.inputs[0]!.length === 1) return { ops: [{ op: 'Gemm', inputs: [ctx.args[0]!, ...w.names], outputs: [out] }], tensors: w.tensors };
      const [nhwc, mm, sum] = [ctx.name('nhwc'), ctx.name('matmul'), ctx.name('biased')];
      const last = p.useBias ? sum : mm;
      return {
        ops: [
          { op: 'Transpose', inputs: [ctx.args[0]!], outputs: [nhwc], attrs: { perm: [0, 2, 3, 1] } },
          { op: 'MatMul', inputs: [nhwc, w.names[0]!], outputs: [mm] },
          ...(p.useBias ? [{ op: 'Add', inputs: [mm, w.names[1]!], outputs: [sum] }] : []),
          { op: 'Transpose', inputs: [last], outputs: [out], attrs: { perm: [0, 3, 1, 2] } },
        ],
        tensors: w.tensors,
      };
    }),
});
