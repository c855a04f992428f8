/**
 * Shared definitions of the pooling node types: max/average pooling over a window, and
 * global max/average pooling over the whole map. Only the text and the tfjs factory differ.
 */
import { requireMap, windowOutput, zeroSizeLint } from './shape';
import { defineNode } from './types';

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
    lint: (inputs, out) => zeroSizeLint(title, inputs[0]!, out),
    build: (tf, p, name) => {
      const args = { name, poolSize: p.poolSize, strides: p.strides ?? undefined, padding: p.padding };
      return type === 'maxPooling2d' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args);
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
    build: (tf, _p, name) =>
      type === 'globalAveragePooling2d' ? tf.layers.globalAveragePooling2d({ name }) : tf.layers.globalMaxPooling2d({ name }),
  });
}
