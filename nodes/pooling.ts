/**
 * Shared definitions of the pooling node types: max/average pooling over a window, and
 * global max/average pooling over the whole map. Only the text and the tfjs factory differ.
 */
import { fPadArgs, kerasLayer, pyPair, pyStr, pyTuple, SAME_PADDING_NOTE, windowPads } from './codegen';
import { requireMap, windowOutput, zeroSizeLint } from './shape';
import { defineNode } from './types';
import { onnxPads } from './onnx-ops';

/**
 * Average pooling with TensorFlow's "same" padding. TensorFlow divides each window's sum by
 * the number of real pixels in it (the padded zeros are not counted); PyTorch's
 * count_include_pad=False does the same but only pads both sides equally, so pad explicitly
 * and divide the window sums by the window counts.
 */
const TF_SAME_AVG_POOL = `def tf_same_avg_pool2d(x, kernel_size, stride, pads):
    """Average pooling with TensorFlow 'same' padding: padded zeros are not counted."""
    ones = torch.ones_like(x[:1, :1])
    total = F.avg_pool2d(F.pad(x, pads), kernel_size, stride, divisor_override=1)
    count = F.avg_pool2d(F.pad(ones, pads), kernel_size, stride, divisor_override=1)
    return total / count`;

interface PoolingText {
  title: string;
  summary: string;
  explain: string;
}

/** Max Pooling 2D or Average Pooling 2D. */
export function pooling2dNode(type: 'maxPooling2d' | 'averagePooling2d', text: PoolingText) {
  const { title } = text;
  return defineNode({
    type,
    role: 'layer',
    title,
    category: 'pooling',
    summary: text.summary,
    explain: text.explain,
    params: {
      poolSize: { kind: 'pair', default: 2, min: 1, max: 64, doc: 'Window size [height, width]; 2 looks at 2×2 blocks.' },
      strides: {
        kind: 'pair',
        default: null,
        nullable: true,
        min: 1,
        max: 64,
        doc: 'Step of the window; empty (null) means the same as the pool size, so windows do not overlap.',
      },
      padding: {
        kind: 'enum',
        default: 'valid',
        options: ['valid', 'same'],
        doc: '"valid" drops a leftover border that does not fill a window; "same" pads it so it is pooled too.',
      },
    },
    inferShape(inputs, p) {
      const [h, w, c] = requireMap(inputs[0], title);
      const [oh, ow] = windowOutput(title, [h, w], p.poolSize, p.strides ?? p.poolSize, p.padding, [1, 1], 'pool window');
      return [oh, ow, c];
    },
    paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
    receptive: (inputs, p) => {
      const strides = p.strides ?? p.poolSize;
      const pads = windowPads(inputs[0]!, p.poolSize, strides, p.padding);
      const op = type === 'maxPooling2d' ? 'max' : 'avg';
      return { kind: 'window', op, kernel: p.poolSize, strides, dilation: [1, 1], pad: [pads.top, pads.left], channels: 'same' };
    },
    lint: (inputs, out) => zeroSizeLint(title, inputs[0]!, out),
    build: (tf, p, name) => {
      const args = { name, poolSize: p.poolSize, strides: p.strides ?? undefined, padding: p.padding };
      return type === 'maxPooling2d' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args);
    },
    keras: (p, { id }) =>
      kerasLayer(type === 'maxPooling2d' ? 'MaxPooling2D' : 'AveragePooling2D', id, [`pool_size=${pyPair(p.poolSize)}`], [
        ['strides', p.strides ? pyPair(p.strides) : undefined],
        ['padding', p.padding === 'same' ? pyStr('same') : undefined],
      ]),
    pytorch: {
      // Without padding, PyTorch's pooling windows are TensorFlow's ("valid" drops the leftover
      // border in both). With "same" padding see `forward`.
      module(p, { inputs }) {
        const strides = p.strides ?? p.poolSize;
        const pads = windowPads(inputs[0]!, p.poolSize, strides, p.padding);
        if (type === 'averagePooling2d' && !pads.none) return null;
        const stride = strides[0] === p.poolSize[0] && strides[1] === p.poolSize[1] ? [] : [`stride=${pyPair(strides)}`];
        return `nn.${type === 'maxPooling2d' ? 'MaxPool2d' : 'AvgPool2d'}(${[`kernel_size=${pyPair(p.poolSize)}`, ...stride].join(', ')})`;
      },
      forward(p, { inputs, args, module, out }) {
        const strides = p.strides ?? p.poolSize;
        const pads = windowPads(inputs[0]!, p.poolSize, strides, p.padding);
        if (pads.none) return [`${module}(${args[0]})`];
        if (type === 'maxPooling2d') {
          return [
            "# TensorFlow 'same' padding for max pooling: padded cells are -inf, so they never win",
            `F.pad(${args[0]}, ${fPadArgs(pads)}, value=float('-inf'))`,
            `${module}(${out})`,
          ];
        }
        return [`tf_same_avg_pool2d(${args[0]}, ${pyTuple(p.poolSize)}, ${pyTuple(strides)}, ${fPadArgs(pads)})`];
      },
      helpers: (p, { inputs }): Record<string, string> =>
        type === 'averagePooling2d' && !windowPads(inputs[0]!, p.poolSize, p.strides ?? p.poolSize, p.padding).none
          ? { tf_same_avg_pool2d: TF_SAME_AVG_POOL }
          : {},
      notes: [
        SAME_PADDING_NOTE,
        "Pooling with 'same' padding: TensorFlow's max pooling never picks a padded cell (F.pad with -inf here) and its " +
          'average pooling divides by the number of real pixels in each window (tf_same_avg_pool2d).',
      ],
    },
    // Explicit "same" pads; MaxPool never picks a pad, AveragePool with count_include_pad 0 does not count them.
    onnx: (p, ctx) => {
      const strides = p.strides ?? p.poolSize;
      const attrs = {
        kernel_shape: p.poolSize,
        strides,
        pads: onnxPads(ctx.inputs[0]!, p.poolSize, strides, p.padding),
        ...(type === 'averagePooling2d' && { count_include_pad: 0 }),
      };
      return { ops: [{ op: type === 'maxPooling2d' ? 'MaxPool' : 'AveragePool', inputs: [ctx.args[0]!], outputs: [ctx.out], attrs }] };
    },
  });
}

/** Global Average Pooling 2D or Global Max Pooling 2D: [h, w, c] -> [c]. */
export function globalPooling2dNode(type: 'globalAveragePooling2d' | 'globalMaxPooling2d', text: PoolingText) {
  const { title } = text;
  return defineNode({
    type,
    role: 'layer',
    title,
    category: 'pooling',
    summary: text.summary,
    explain: text.explain,
    params: {},
    inferShape(inputs) {
      const [, , c] = requireMap(inputs[0], title);
      return [c];
    },
    paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
    receptive: () => ({ kind: 'global' }),
    build: (tf, _p, name) =>
      type === 'globalAveragePooling2d' ? tf.layers.globalAveragePooling2d({ name }) : tf.layers.globalMaxPooling2d({ name }),
    keras: (_p, { id }) => kerasLayer(type === 'globalAveragePooling2d' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D', id, []),
    pytorch: {
      module: () => null,
      // Over height and width (dims 2 and 3 of N×C×H×W), giving N×C.
      forward: (_p, { args }) => [type === 'globalAveragePooling2d' ? `${args[0]}.mean(dim=(2, 3))` : `${args[0]}.amax(dim=(2, 3))`],
    },
    // N×C×1×1, then Flatten to N×C.
    onnx: (_p, ctx) => {
      const pooled = ctx.name('pooled');
      return {
        ops: [
          { op: type === 'globalAveragePooling2d' ? 'GlobalAveragePool' : 'GlobalMaxPool', inputs: [ctx.args[0]!], outputs: [pooled] },
          { op: 'Flatten', inputs: [pooled], outputs: [ctx.out], attrs: { axis: 1 } },
        ],
      };
    },
  });
}
