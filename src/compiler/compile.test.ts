import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPreset, presetFiles } from '../../fixtures/presets';
import { BAD_GRAPHS, graphText } from '../../fixtures/bad-graphs';
import { analyzeGraph } from '../graph/analyze';
import { expandBlocks } from '../graph/blocks';
import { parseGraphText } from '../graph/parse';
import type { GraphDoc } from '../graph/types';
import { CompileError, compileGraph } from './compile';

const load = (text: string): GraphDoc => {
  const r = parseGraphText(text);
  if (!r.ok) throw new Error(r.message);
  return r.doc;
};
const preset = loadPreset;
const presets = presetFiles().map((f) => f.replace(/\.json$/, ''));

let disposables: tf.LayersModel[] = [];
afterEach(() => {
  disposables.forEach((m) => m.dispose());
  disposables = [];
});

describe('every preset compiles to a tfjs model with the inspected parameter count', () => {
  it.each(presets)('%s', (name) => {
    const doc = preset(name);
    const analysis = analyzeGraph(doc);
    const { model, probe, probeIds } = compileGraph(doc, analysis);
    disposables.push(model);
    expect(model.countParams()).toBe(analysis.totals.params);
    const trainable = model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 0), 1), 0);
    expect(trainable).toBe(analysis.totals.trainable);
    // Layer names are node ids, and the probe outputs every node's tensor with the inferred shape.
    expect(model.layers.map((l) => l.name).sort()).toEqual(expandBlocks(doc).nodes.map((n) => n.id).sort());
    expect(probeIds).toEqual(analysis.order);
    probe.outputs.forEach((t, i) => expect(t.shape).toEqual([null, ...analysis.nodes.get(probeIds[i]!)!.outputShape!]));
  });

  it('LeNet-5 has 61,706 parameters and ResNet-50 25,636,712 (25,583,592 trainable), as Keras counts them', () => {
    const lenet = compileGraph(preset('lenet5')).model;
    const resnet = compileGraph(preset('resnet50')).model;
    disposables.push(lenet, resnet);
    expect(lenet.countParams()).toBe(61_706);
    expect(resnet.countParams()).toBe(25_636_712);
    const count = (ws: tf.LayerVariable[]) => ws.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 0), 1), 0);
    expect(count(resnet.trainableWeights)).toBe(25_583_592);
    expect(count(resnet.nonTrainableWeights)).toBe(53_120);
  });
});

describe('the compiled model runs', () => {
  it('LeNet-5 predicts a probability distribution, and the probe shares its weights', () => {
    const { model, probe, probeIds } = compileGraph(preset('lenet5'));
    disposables.push(model);
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 7);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 10]);
    const sums = Array.from(y.sum(1).dataSync());
    sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
    const outs = probe.predict(x) as tf.Tensor[];
    expect(outs).toHaveLength(probeIds.length);
    // The probe's last output is the model's output, computed with the very same weights.
    expect(Array.from(outs[outs.length - 1]!.dataSync())).toEqual(Array.from(y.dataSync()));
    expect(Array.from(outs[0]!.dataSync())).toEqual(Array.from(x.dataSync()));
    const c1 = model.getLayer('c1');
    expect(probe.getLayer('c1')).toBe(c1);
    tf.dispose([x, y, ...outs]);
  });

  it('a skip connection and a concatenation compute what they should', () => {
    // out = concat(x, relu(x) + x) on a 2×2×1 input, checked against plain arithmetic.
    const doc = load(
      graphText(
        [
          { id: 'x', type: 'input', params: { shape: [2, 2, 1] } },
          { id: 'r', type: 'activation', params: { activation: 'relu' } },
          { id: 'sum', type: 'add', params: { inputs: 2 } },
          { id: 'cat', type: 'concatenate', params: { inputs: 2 } },
        ],
        [
          { from: ['x', 'out'], to: ['r', 'in'] },
          { from: ['r', 'out'], to: ['sum', 'in0'] },
          { from: ['x', 'out'], to: ['sum', 'in1'] },
          { from: ['x', 'out'], to: ['cat', 'in0'] },
          { from: ['sum', 'out'], to: ['cat', 'in1'] },
        ],
      ),
    );
    const { model } = compileGraph(doc);
    disposables.push(model);
    const input = [-1, 2, -3, 4];
    const y = model.predict(tf.tensor4d(input, [1, 2, 2, 1])) as tf.Tensor;
    const expected = input.flatMap((v) => [v, Math.max(v, 0) + v]);
    expect(Array.from(y.dataSync())).toEqual(expected);
  });
});

describe('graphs with errors do not compile', () => {
  it.each(BAD_GRAPHS.filter((b) => b.exit === 1).map((b) => [b.name, b] as const))('%s', (_name, bad) => {
    const doc = load(bad.text());
    let error: unknown;
    try {
      compileGraph(doc);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CompileError);
    const diag = (error as CompileError).diagnostics.find((d) => bad.message.test(d.message));
    expect(diag?.nodeId).toBe(bad.nodeId);
  });
});
