/**
 * learnedKernel against the real layers: running the kernel it returns (with its bias) over the
 * input channel it names, with the kernel lab's own convolution, must give exactly what the layer
 * computes for an input whose other channels are zero. Random (seeded) biases and a non-square
 * kernel, with in ≠ out, so any axis mix-up shows. The input map it returns for a deeper node must
 * be the real feature map of that node's input.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGraph, type CompiledGraph } from '../../compiler/compile';
import { parseGraphText } from '../../graph/parse';
import type { GraphDoc } from '../../graph/types';
import { convolve, type Kernel } from '../../labs/convolve';
import type { WorkerContext } from './context';
import { kernelLabApi } from './kernel-lab';
import type { TrainData } from '../trainer';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

const H = 7;
const W = 6;
const C = 3;

function graph(): GraphDoc {
  const r = parseGraphText(
    JSON.stringify({
      format: 'layerlab-graph',
      version: 2,
      name: 'k',
      description: '',
      nodes: [
        { id: 'image', type: 'input', params: { shape: [H, W, C] } },
        { id: 'c', type: 'conv2d', params: { filters: 4, kernelSize: [3, 5], padding: 'same', activation: 'linear' } },
        { id: 'dw', type: 'depthwiseConv2d', params: { kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'linear' } },
        { id: 'flat', type: 'flatten' },
        { id: 'out', type: 'dense', params: { units: 2, activation: 'softmax' } },
      ],
      edges: [
        { from: ['image', 'out'], to: ['c', 'in'] },
        { from: ['c', 'out'], to: ['dw', 'in'] },
        { from: ['dw', 'out'], to: ['flat', 'in'] },
        { from: ['flat', 'out'], to: ['out', 'in'] },
      ],
    }),
  );
  if (!r.ok) throw new Error(r.message);
  return r.doc;
}

/** Random biases (a fresh layer's are zero, which would hide a wrong bias index). */
function randomiseBiases(compiled: CompiledGraph) {
  for (const id of ['c', 'dw']) {
    const layer = compiled.model.getLayer(id);
    const [k, b] = layer.getWeights();
    layer.setWeights([k!, tf.randomUniform(b!.shape, -1, 1, 'float32', 11)]);
  }
}

/** One layer's output for `input` ([H, W, C]), channels-last. */
function layerOutput(compiled: CompiledGraph, id: string, input: Float32Array): { data: Float32Array; c: number } {
  return tf.tidy(() => {
    const out = compiled.probe.predict(tf.tensor4d(input, [1, H, W, C])) as tf.Tensor[];
    const t = out[compiled.probeIds.indexOf(id)]!;
    return { data: t.dataSync() as Float32Array, c: t.shape[3]! };
  });
}

describe('learnedKernel', () => {
  const doc = graph();
  const compiled = compileGraph(doc);
  randomiseBiases(compiled);
  let probe: Float32Array = new Float32Array(H * W * C);
  const data = { classes: ['a', 'b'], shape: [H, W, C] } as unknown as TrainData;
  const ctx: WorkerContext = {
    tf,
    data: () => data,
    dataName: () => 'test',
    compiled: () => compiled,
    probeImage: () => probe,
    rawProbeImage: () => probe,
    probeLabel: () => null,
    probeTransform: () => ({ shiftX: 0, shiftY: 0, rotate: 0, scale: 1, brightness: 1 }),
  };
  const api = kernelLabApi(ctx);
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);

  it('Conv 2D: each (filter, input channel) kernel with its bias reproduces the layer on that channel', async () => {
    for (let f = 0; f < 4; f++) {
      for (let i = 0; i < C; i++) {
        const lk = await api.learnedKernel(doc, 'c', f, i);
        expect(lk).toMatchObject({ size: [3, 5], filters: 4, inputChannels: C, filter: f, inputChannel: i, fromInput: true, source: 'image', type: 'conv2d' });
        // Only channel i is non-zero: the layer's output channel f is this kernel over channel i, + bias.
        const input = new Float32Array(H * W * C);
        for (let p = 0; p < H * W; p++) input[p * C + i] = random();
        probe = input;
        const k: Kernel = { h: 3, w: 5, values: lk.kernel };
        const ours = convolve({ width: W, height: H, channels: C, data: input }, k, { bias: lk.bias }, i);
        const real = layerOutput(compiled, 'c', input);
        for (let p = 0; p < H * W; p++) expect(ours[p]).toBeCloseTo(real.data[p * real.c + f]!, 5);
        // The input map of a first layer is the image's channel itself.
        const again = await api.learnedKernel(doc, 'c', f, i);
        expect(again.inputMap!.data).toEqual(Float32Array.from({ length: H * W }, (_, p) => input[p * C + i]!));
      }
    }
  });

  it('Depthwise Conv 2D: filter f sees only input channel ⌊f / multiplier⌋, and its input map is the real feature map', async () => {
    probe = Float32Array.from({ length: H * W * C }, () => random());
    const cOut = layerOutput(compiled, 'c', probe);
    const dwOut = layerOutput(compiled, 'dw', probe);
    for (let f = 0; f < 8; f++) {
      const lk = await api.learnedKernel(doc, 'dw', f, 0);
      expect(lk).toMatchObject({ size: [3, 3], filters: 8, inputChannels: 4, filter: f, inputChannel: Math.floor(f / 2), fromInput: false, source: 'c' });
      const map = lk.inputMap!;
      expect([map.width, map.height]).toEqual([W, H]);
      expect(map.data).toEqual(Float32Array.from({ length: H * W }, (_, p) => cOut.data[p * 4 + lk.inputChannel]!));
      const ours = convolve({ width: W, height: H, channels: 1, data: map.data }, { h: 3, w: 3, values: lk.kernel }, { bias: lk.bias });
      for (let p = 0; p < H * W; p++) expect(ours[p]).toBeCloseTo(dwOut.data[p * 8 + f]!, 5);
    }
  });

  it('refuses nodes without a kernel', async () => {
    await expect(api.learnedKernel(doc, 'out', 0, 0)).rejects.toThrow(/only Conv 2D/);
    await expect(api.learnedKernel(doc, 'nope', 0, 0)).rejects.toThrow(/no node/);
  });
});
