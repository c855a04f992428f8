/**
 * filterKernels against real tfjs layers: a filter's picture must be what that output channel of the
 * layer actually responds with. For every kernel tap (y, x) and input channel i, an impulse is run
 * through the layer and the response of output channel f is read; the picture at (y, x, f) must be
 * the mean of those responses over the inputs (Conv 2D, Conv 2D Transpose), or the one input
 * channel the filter sees (Depthwise Conv 2D). Kernels are non-square, with in ≠ out, so any axis
 * mix-up shows.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGraph } from '../compiler/compile';
import { parseGraphText } from '../graph/parse';
import { kernelPicture } from './feature-maps';
import { filterKernels, hasKernelPicture, type KernelNodeType } from './kernels';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

const KH = 3;
const KW = 2;
const IN = 3;

/** The layer under test and how to read output channel f's response to an impulse at tap (y, x), input channel i. */
function layerFor(type: KernelNodeType) {
  const common = { kernelSize: [KH, KW] as [number, number], padding: 'valid' as const, useBias: false, kernelInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 7 }) };
  if (type === 'conv2d') {
    const layer = tf.layers.conv2d({ ...common, filters: 4 });
    // A KH×KW input with a one at (y, x, i): the single output pixel is kernel tap (y, x) for input i.
    const response = (y: number, x: number, i: number) => {
      const input = tf.buffer([1, KH, KW, IN]);
      input.set(1, 0, y, x, i);
      return (layer.apply(input.toTensor()) as tf.Tensor).dataSync(); // [1, 1, 1, 4]
    };
    return { layer, filters: 4, response, init: () => layer.apply(tf.zeros([1, KH, KW, IN])) };
  }
  if (type === 'conv2dTranspose') {
    const layer = tf.layers.conv2dTranspose({ ...common, filters: 4 });
    // A 1×1 input with a one in channel i: the KH×KW output is what the kernel paints for input i.
    let cache: { i: number; out: Float32Array } | undefined;
    const response = (y: number, x: number, i: number) => {
      if (cache?.i !== i) {
        const input = tf.buffer([1, 1, 1, IN]);
        input.set(1, 0, 0, 0, i);
        cache = { i, out: (layer.apply(input.toTensor()) as tf.Tensor).dataSync() as Float32Array }; // [1, KH, KW, 4]
      }
      return cache.out.slice((y * KW + x) * 4, (y * KW + x + 1) * 4);
    };
    return { layer, filters: 4, response, init: () => layer.apply(tf.zeros([1, 1, 1, IN])) };
  }
  const layer = tf.layers.depthwiseConv2d({ ...common, depthMultiplier: 2, depthwiseInitializer: common.kernelInitializer });
  const response = (y: number, x: number, i: number) => {
    const input = tf.buffer([1, KH, KW, IN]);
    input.set(1, 0, y, x, i);
    return (layer.apply(input.toTensor()) as tf.Tensor).dataSync(); // [1, 1, 1, IN·2]
  };
  return { layer, filters: IN * 2, response, init: () => layer.apply(tf.zeros([1, KH, KW, IN])) };
}

describe('filterKernels reads each layer as tfjs stores it', () => {
  it.each(['conv2d', 'conv2dTranspose', 'depthwiseConv2d'] as const)('%s: each filter is what its output channel responds with', (type) => {
    const { layer, filters, response, init } = layerFor(type);
    init();
    const kernel = layer.getWeights()[0]!;
    const k = filterKernels(type, kernel.dataSync() as Float32Array, kernel.shape);
    expect([k.kh, k.kw, k.filters, k.averagedOver]).toEqual([KH, KW, filters, type === 'depthwiseConv2d' ? 1 : IN]);
    for (let y = 0; y < KH; y++)
      for (let x = 0; x < KW; x++) {
        const r = Array.from({ length: IN }, (_, i) => response(y, x, i));
        for (let f = 0; f < filters; f++) {
          const responses = r.map((ri) => ri[f]!);
          // A depthwise filter responds to one input channel only (f = i·multiplier + m).
          const want = type === 'depthwiseConv2d' ? responses.reduce((a, b) => a + b, 0) : responses.reduce((a, b) => a + b, 0) / IN;
          if (type === 'depthwiseConv2d') expect(responses.filter((v) => v !== 0)).toHaveLength(1);
          expect(k.data[(y * KW + x) * filters + f], `${type} tap (${y}, ${x}) filter ${f}`).toBeCloseTo(want, 5);
        }
      }
  });

  it('refuses kernels of another rank or size', () => {
    expect(() => filterKernels('conv2d', new Float32Array(6), [2, 3])).toThrow(/4 axes/);
    expect(() => filterKernels('conv2d', new Float32Array(5), [1, 1, 2, 3])).toThrow(/has 6 values; got 5/);
  });

  it('kernelPicture pictures every kind of convolution in a compiled graph, and nothing else', async () => {
    const text = JSON.stringify({
      format: 'layerlab-graph',
      version: 2,
      name: 'kernels',
      description: '',
      nodes: [
        { id: 'image', type: 'input', params: { shape: [8, 8, 3] } },
        { id: 'c', type: 'conv2d', params: { filters: 5, kernelSize: [3, 2] } },
        { id: 'dw', type: 'depthwiseConv2d', params: { kernelSize: 3, depthMultiplier: 2 } },
        { id: 't', type: 'conv2dTranspose', params: { filters: 4, kernelSize: 2, strides: 2 } },
        { id: 'flat', type: 'flatten' },
        { id: 'out', type: 'dense', params: { units: 2, activation: 'softmax' } },
      ],
      edges: [
        { from: ['image', 'out'], to: ['c', 'in'] },
        { from: ['c', 'out'], to: ['dw', 'in'] },
        { from: ['dw', 'out'], to: ['t', 'in'] },
        { from: ['t', 'out'], to: ['flat', 'in'] },
        { from: ['flat', 'out'], to: ['out', 'in'] },
      ],
    });
    const r = parseGraphText(text);
    if (!r.ok) throw new Error(r.message);
    const compiled = compileGraph(r.doc);
    try {
      const c = await kernelPicture(tf, compiled, 'c');
      expect(c).toMatchObject({ type: 'conv2d', size: [3, 2], filters: 5, averagedOver: 3, shown: 5 });
      const dw = await kernelPicture(tf, compiled, 'dw');
      expect(dw).toMatchObject({ type: 'depthwiseConv2d', size: [3, 3], filters: 10, averagedOver: 1, shown: 10 });
      // tfjs stores the transposed kernel [2, 2, 4 out, 10 in]: 4 filters, each over 10 inputs.
      const t = await kernelPicture(tf, compiled, 't');
      expect(t).toMatchObject({ type: 'conv2dTranspose', size: [2, 2], filters: 4, averagedOver: 10, shown: 4 });
      expect(t!.min).toBeLessThan(t!.max);
      expect(await kernelPicture(tf, compiled, 'out')).toBeNull();
      expect(await kernelPicture(tf, compiled, 'flat')).toBeNull();
      expect(hasKernelPicture('dense')).toBe(false);
    } finally {
      compiled.model.dispose();
    }
  });
});
