import { kerasLayer, pyTuple } from './codegen';
import { formatShape, requireMap } from './shape';
import { defineNode } from './types';

export default defineNode({
  type: 'zeroPadding2d',
  role: 'layer',
  title: 'Zero Padding 2D',
  category: 'reshape',
  summary: 'Adds a border of zeros around each feature map.',
  explain:
    'Zero padding surrounds the map with rows and columns of zeros, making it larger without changing what is inside. ' +
    'A CNN uses it before a "valid" convolution or pooling to control the output size exactly, or so that pixels at the ' +
    'edge are seen by as many windows as those in the middle. It has no weights to learn.',
  params: {
    padding: {
      kind: 'padding2d',
      default: 1,
      min: 0,
      max: 256,
      doc: 'Rows/columns of zeros to add: n on every side, [height, width], or [[top, bottom], [left, right]].',
    },
  },
  inferShape(inputs, p) {
    const [h, w, c] = requireMap(inputs[0], 'Zero Padding 2D');
    const [[top, bottom], [left, right]] = p.padding;
    return [h + top + bottom, w + left + right, c];
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  receptive: (_inputs, p) => ({ kind: 'pad', pads: p.padding }),
  lint(inputs, _out, p) {
    return p.padding.flat().every((n) => n === 0)
      ? [`Zero Padding 2D adds nothing: all padding is 0, so the ${formatShape(inputs[0])} map passes through unchanged.`]
      : [];
  },
  build: (tf, p, name) => tf.layers.zeroPadding2d({ name, padding: p.padding }),
  keras: (p, { id }) =>
    kerasLayer('ZeroPadding2D', id, [`padding=${pyTuple(p.padding.map((pair) => pyTuple(pair)))}`]),
  pytorch: {
    // nn.ZeroPad2d takes (left, right, top, bottom).
    module: (p) => `nn.ZeroPad2d(${pyTuple([p.padding[1][0], p.padding[1][1], p.padding[0][0], p.padding[0][1]])})`,
    forward: (_p, { args, module }) => [`${module}(${args[0]})`],
  },
  // Pad's pads input: [N, C, top, left] begins then [N, C, bottom, right] ends.
  onnx: (p, ctx) => {
    const pads = ctx.name('pads');
    const [[top, bottom], [left, right]] = p.padding;
    return {
      ops: [{ op: 'Pad', inputs: [ctx.args[0]!, pads], outputs: [ctx.out], attrs: { mode: 'constant' } }],
      tensors: [{ name: pads, shape: [8], int64: [0, 0, top, left, 0, 0, bottom, right] }],
    };
  },
});
