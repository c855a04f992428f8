/** Blocks compile to their inner layers ("instance/inner"): the same network as the flat graph. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPreset } from '../../fixtures/presets';
import { parseGraphText } from '../graph/parse';
import type { GraphDoc } from '../graph/types';
import { compileGraph } from './compile';

const load = (text: string): GraphDoc => {
  const r = parseGraphText(text);
  if (!r.ok) throw new Error(r.message);
  return r.doc;
};
const preset = loadPreset;
let disposables: tf.LayersModel[] = [];
afterEach(() => {
  disposables.forEach((m) => m.dispose());
  disposables = [];
});

describe('blocks compile to their inner layers', () => {
  const flat = (name: string) => load(readFileSync(join(__dirname, '..', '..', 'fixtures', name), 'utf8'));
  const keras = (id: string) => id.split('/').join('_');
  /** "block1/conv1/kernel" -> "block1_conv1/kernel": the layer part renamed, the weight's own name kept. */
  const weightKey = (name: string) => `${keras(name.slice(0, name.lastIndexOf('/')))}${name.slice(name.lastIndexOf('/'))}`;

  it.each([
    ['resnet-mini', 'resnet-mini-flat.json', [3, 28, 28, 1]],
    ['inception-mini', 'inception-mini-flat.json', [3, 28, 28, 1]],
    ['resnet50', 'resnet50-flat.json', [1, 224, 224, 3]],
  ] as const)('%s from blocks gives the same outputs as the flat graph for the same weights', async (name, flatFile, inputShape) => {
    const backend = name === 'resnet50' ? 'wasm' : 'cpu';
    expect(await tf.setBackend(backend)).toBe(true);
    try {
      const fromBlocks = compileGraph(preset(name)).model;
      const plain = compileGraph(flat(flatFile)).model;
      disposables.push(fromBlocks, plain);
      // Inner layers are named "instance/inner"; the flat graph has the same layers as "instance_inner".
      expect(fromBlocks.layers.some((l) => l.name.includes('/'))).toBe(true);
      expect(fromBlocks.layers.map((l) => keras(l.name)).sort()).toEqual(plain.layers.map((l) => l.name).sort());
      // Random weights (moving statistics too, so batch norm is not the identity), copied by name.
      const values = new Map(
        fromBlocks.weights.map((w, i) => [weightKey(w.originalName), tf.randomUniform(w.shape as number[], w.originalName.includes('variance') ? 0.5 : -0.5, 1, 'float32', 7 + i)]),
      );
      fromBlocks.setWeights(fromBlocks.weights.map((w) => values.get(weightKey(w.originalName))!));
      plain.setWeights(plain.weights.map((w) => values.get(w.originalName)!));
      const x = tf.randomUniform([...inputShape], 0, 1, 'float32', 3);
      const a = fromBlocks.predict(x) as tf.Tensor;
      const b = plain.predict(x) as tf.Tensor;
      expect(a.shape).toEqual(b.shape);
      expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
      tf.dispose([x, a, b, ...values.values()]);
    } finally {
      await tf.setBackend('cpu');
    }
  }, 300_000);
});
