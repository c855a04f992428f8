import { kerasLayer } from './codegen';
import { describeInputs, sameShapes } from './shape';
import { defineNode, ShapeError } from './types';

export default defineNode({
  type: 'add',
  role: 'merge',
  title: 'Add',
  category: 'merge',
  summary: 'Adds tensors of equal shape element by element (skip connections).',
  explain:
    'Add sums its inputs element by element. It is the heart of a ResNet skip connection: a block computes a correction ' +
    'F(x) and adds the unchanged input back, giving x + F(x). Gradients flow straight through the addition, which is why ' +
    'very deep ResNets still train. All inputs must have exactly the same shape.',
  params: {
    inputs: { kind: 'int', default: 2, min: 2, max: 16, doc: 'Number of tensors to add (input ports).' },
  },
  inferShape(inputs, _p, sources) {
    const first = inputs[0]!;
    if (!sameShapes(inputs)) {
      throw new ShapeError(`Add needs inputs of equal shape: ${describeInputs(inputs, sources)}`);
    }
    return first;
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  receptive: () => ({ kind: 'elementwise' }),
  build: (tf, _p, name) => tf.layers.add({ name }),
  keras: (_p, { id }) => kerasLayer('Add', id, []),
  pytorch: {
    module: () => null,
    forward: (_p, { args }) => [args.join(' + ')],
  },
  onnx: (_p, ctx) => ({ ops: [{ op: 'Sum', inputs: [...ctx.args], outputs: [ctx.out] }] }),
});
