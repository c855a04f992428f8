import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import activation from './activation';
import { NODE_ACTIVATIONS } from './activations';
import { resolveParams } from './params';
import { describeAgainstTfjs } from './testing';

/** tfjs has no "leakyRelu" activation identifier: leaky ReLU is its own layer. */
function reference(params: Record<string, unknown>) {
  const act = (params.activation as string | undefined) ?? 'relu';
  if (act === 'leakyRelu') return tf.layers.leakyReLU({ alpha: (params.alpha as number | undefined) ?? 0.3 });
  return tf.layers.activation({ activation: act as 'relu' });
}

const shapes = [[28, 28, 6], [120], [5, 3, 1], [7, 7, 16], [10], [3, 5, 2], [1, 1, 1], [2, 4, 6, 8], [9]];

describeAgainstTfjs(
  activation,
  [
    { params: {}, inputs: [[14, 14, 6]] },
    ...NODE_ACTIVATIONS.map((a, i) => ({ params: { activation: a }, inputs: [shapes[i]!] })),
    { params: { activation: 'leakyRelu', alpha: 0.1 }, inputs: [[5, 5, 3]] },
    { params: { activation: 'leakyRelu', alpha: 0 }, inputs: [[64]] },
  ],
  reference,
);

function build(raw: Record<string, unknown>) {
  if (activation.role === 'input') throw new Error('activation must be a layer node');
  return activation.build(tf, resolveParams(activation, raw).params, 'activation_under_test', [[4]]);
}

describe('activation', () => {
  it('builds leaky ReLU with its alpha, and the others as an Activation layer', () => {
    const leaky = build({ activation: 'leakyRelu', alpha: 0.2 });
    expect(leaky.getClassName()).toBe('LeakyReLU');
    expect(leaky.getConfig().alpha).toBeCloseTo(0.2);
    const elu = build({ activation: 'elu' });
    expect(elu.getClassName()).toBe('Activation');
    expect(elu.getConfig().activation).toBe('elu');
    const dflt = build({});
    expect(dflt.getConfig().activation).toBe('relu');
  });
  it('shows alpha only for leaky ReLU', () => {
    for (const a of NODE_ACTIVATIONS) {
      const p = resolveParams(activation, { activation: a }).params;
      expect(activation.visible!(p).alpha).toBe(a === 'leakyRelu');
    }
  });
  it('warns about softmax on a map, not on a vector', () => {
    const p = resolveParams(activation, { activation: 'softmax' }).params;
    expect(activation.lint!([[5, 5, 10]], [5, 5, 10], p)[0]).toMatch(/Softmax on a 5×5×10 map/);
    expect(activation.lint!([[10]], [10], p)).toEqual([]);
    // For segmentation, a softmax over each position's channels is the point.
    expect(activation.lint!([[5, 5, 10]], [5, 5, 10], p, { task: 'segmentation' })).toEqual([]);
    expect(activation.lint!([[5, 5, 10]], [5, 5, 10], p, { task: 'classification' })[0]).toMatch(/Softmax on a 5×5×10 map/);
    const relu = resolveParams(activation, {}).params;
    expect(activation.lint!([[5, 5, 10]], [5, 5, 10], relu)).toEqual([]);
  });
});
