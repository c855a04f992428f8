import { pyStr, pyTuple } from './codegen';
import { defineNode } from './types';

export default defineNode({
  type: 'input',
  role: 'input',
  title: 'Input',
  category: 'input',
  summary: 'The images that enter the network.',
  explain:
    'Every network starts here. An image is a grid of numbers: height × width pixels, each with one value per channel ' +
    '(1 for greyscale like MNIST, 3 for colour RGB). The input shape must match the dataset; every later shape follows from it.',
  params: {
    shape: {
      kind: 'shape',
      default: [28, 28, 1],
      min: [1, 1, 1],
      max: [1024, 1024, 64],
      doc: 'Image size as [height, width, channels].',
    },
  },
  inferShape: (_inputs, p) => p.shape,
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  receptive: () => ({ kind: 'input' }),
  buildInput: (tf, p, name) => tf.input({ shape: p.shape, name }),
  keras: (p, { id }) => `keras.Input(shape=${pyTuple(p.shape)}, name=${pyStr(id)})`,
  pytorch: {
    // The images are the forward argument, N × channels × height × width.
    module: () => null,
    forward: () => [],
  },
  // The model's input tensor itself.
  onnx: () => ({ ops: [] }),
});
