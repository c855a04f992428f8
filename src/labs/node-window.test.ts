/** The written-out arithmetic of one output value against the value tfjs computes for the node. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_CASES } from '../../fixtures/export-graphs';
import { loadPreset } from '../../fixtures/presets';
import { compileGraph } from '../compiler/compile';
import { analyzeGraph } from '../graph/analyze';
import type { GraphDoc } from '../graph/types';
import { activate, windowArithmetic } from './node-window';
import { nodeWindow } from './receptive-field';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** For every window node of the graph, sampled outputs: the arithmetic's result equals tfjs' value. */
function check(doc: GraphDoc, seed = 3) {
  const analysis = analyzeGraph(doc);
  const compiled = compileGraph(doc, analysis);
  const rand = rng(seed);
  // Random weights with non-zero biases, so that the bias term matters.
  for (const layer of compiled.model.layers) {
    if (layer.weights.length) layer.setWeights(layer.weights.map((w) => tf.randomUniform(w.shape as number[], -1, 1, 'float32', seed)));
  }
  const [H, W, C] = analysis.nodes.get(analysis.inputId!)!.outputShape as number[];
  const image = Float32Array.from({ length: H! * W! * C! }, () => rand() * 2 - 1);
  const outs = tf.tidy(() => {
    const r = compiled.probe.predict(tf.tensor4d(image, [1, H!, W!, C!]));
    return (Array.isArray(r) ? r : [r]).map((t) => t.dataSync() as Float32Array);
  });
  const values = new Map(compiled.probeIds.map((id, i) => [id, outs[i]!]));
  let checked = 0;
  const ops = new Set<string>();
  for (const id of compiled.probeIds) {
    const n = analysis.nodes.get(id)!;
    if (n.outputShape?.length !== 3) continue;
    const [h, w, c] = n.outputShape as [number, number, number];
    for (let s = 0; s < 12; s++) {
      const [y, x, ch] = s < 2 ? [s * (h - 1), s * (w - 1), s * (c - 1)] : [Math.floor(rand() * h), Math.floor(rand() * w), Math.floor(rand() * c)];
      const win = nodeWindow(analysis, id, y, x, ch);
      if (!win) break;
      let conv;
      if (win.op === 'conv') {
        const [k, b] = compiled.model.getLayer(id).getWeights();
        conv = { kernel: k!.dataSync(), kernelShape: k!.shape, bias: b ? b.dataSync()[ch]! : 0, activation: String(n.params!.activation), depthwise: n.type === 'depthwiseConv2d' };
      }
      const a = windowArithmetic(win, values.get(win.sourceId)!, ch, conv);
      const actual = values.get(id)![(y * w + x) * c + ch]!;
      if (a.activation === 'softmax') continue;
      expect(a.result, `${id} (${y}, ${x}, ${ch})`).toBeCloseTo(actual, 4);
      if (a.op === 'conv') expect(a.pre).toBeCloseTo(a.sum! + a.bias!, 10);
      if (a.op === 'max') expect(a.values[0]![a.maxTap!]).toBe(actual);
      ops.add(`${n.type}:${a.op}`);
      checked++;
    }
  }
  compiled.model.dispose();
  return { checked, ops };
}

describe('window arithmetic equals the node value from tfjs', () => {
  it('LeNet-5: both convolutions (ReLU after the sum) and both max poolings', () => {
    const r = check(loadPreset('lenet5'));
    expect([...r.ops].sort()).toEqual(['conv2d:conv', 'maxPooling2d:max']);
    expect(r.checked).toBeGreaterThan(30);
  });

  it.each(EXPORT_CASES.filter((c) => c.doc.nodes.some((n) => ['conv2d', 'depthwiseConv2d', 'maxPooling2d', 'averagePooling2d'].includes(n.type))).map((c) => [c.name, c] as const))(
    'fixture: %s',
    (_name, cs) => {
      expect(check(cs.doc).checked).toBeGreaterThan(0);
    },
  );

  it('activations as tfjs applies them', () => {
    const xs = [-3, -0.5, 0, 0.7, 7];
    for (const name of ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'tanh']) {
      const ref = tf.tidy(() => (tf.layers.activation({ activation: name as never }).apply(tf.tensor1d(xs)) as tf.Tensor).dataSync());
      xs.forEach((v, i) => expect(activate(name, v), `${name}(${v})`).toBeCloseTo(ref[i]!, 5));
    }
    expect(activate('softmax', 1)).toBeNull();
  });
});
