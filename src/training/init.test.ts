import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fans, seedWeights } from './init';

describe('seedWeights', () => {
  it('computes fans like tfjs', () => {
    expect(fans([400, 120])).toEqual([400, 120]);
    expect(fans([5, 5, 6, 16])).toEqual([150, 400]);
  });

  it('draws kernels from the seed within the Glorot limit, keeping biases', () => {
    const make = () =>
      tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, biasInitializer: 'ones' }), tf.layers.flatten(), tf.layers.dense({ units: 3 })] });
    const a = make();
    const b = make();
    seedWeights(tf, a, 5);
    seedWeights(tf, b, 5);
    const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
    expect(wa).toEqual(wb);
    const limit = Math.sqrt(6 / (9 * 1 + 9 * 4));
    expect(Math.max(...wa[0]!.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...wa[0]!.map(Math.abs))).toBeGreaterThan(limit * 0.8);
    expect(wa[1]).toEqual([1, 1, 1, 1]); // the bias keeps its initial value
    seedWeights(tf, b, 6);
    expect(Array.from(b.getWeights()[0]!.dataSync())).not.toEqual(wa[0]);
    a.dispose();
    b.dispose();
  });
});
