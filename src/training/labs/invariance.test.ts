/**
 * The worker's invariance lab with a stand-in context (what worker.ts lends it): its sweeps equal
 * the shared sweep() on the same model and images; a pinned model keeps the weights it had when
 * pinned (its curve is the earlier model's, the current one moves on), across a backend switch;
 * a drawing's curve follows the class predicted at identity; pins are limited and freed.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompiledGraph } from '../../compiler/compile';
import { parseGraphText } from '../../graph/parse';
import type { GraphDoc } from '../../graph/types';
import { sweep } from '../../labs/robustness';
import { IDENTITY_TRANSFORM, transformImage, type ProbeTransform } from '../../labs/transforms';
import { initBackend } from '../backend';
import { compileForData, type TrainData } from '../trainer';
import type { WorkerContext } from './context';
import { invarianceApi, MAX_PINNED } from './invariance';

const H = 8;
const W = 8;
const SIZE = H * W;

function graph(): GraphDoc {
  const r = parseGraphText(
    JSON.stringify({
      format: 'layerlab-graph',
      version: 2,
      name: 'Tiny',
      description: '',
      nodes: [
        { id: 'image', type: 'input', params: { shape: [H, W, 1] } },
        { id: 'c', type: 'conv2d', params: { filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' } },
        { id: 'flat', type: 'flatten' },
        { id: 'out', type: 'dense', params: { units: 3, activation: 'softmax' } },
      ],
      edges: [
        { from: ['image', 'out'], to: ['c', 'in'] },
        { from: ['c', 'out'], to: ['flat', 'in'] },
        { from: ['flat', 'out'], to: ['out', 'in'] },
      ],
    }),
  );
  if (!r.ok) throw new Error(r.message);
  return r.doc;
}

function noise(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  });
}

const data: TrainData = {
  classes: ['a', 'b', 'c'],
  shape: [H, W, 1],
  train: { images: new Float32Array(0), labels: new Uint8Array(0), count: 0 },
  test: { images: noise(60 * SIZE, 3), labels: Uint8Array.from(noise(60, 4), (v) => Math.floor(v * 3)), count: 60 },
};

/** Random weights (a different seed, a different model). */
function randomize(c: CompiledGraph, seed: number) {
  const ws = c.model.getWeights().map((w, i) => tf.tensor(noise(w.size, seed * 100 + i).map((v) => (v - 0.5) * 1.5), w.shape));
  c.model.setWeights(ws);
  tf.dispose(ws);
}

/** What worker.ts lends the lab: here a model we control, and a probe image that is test image 5 or a drawing. */
function context() {
  const doc = graph();
  const state = {
    compiled: compileForData(doc, data),
    dataName: 'toy',
    probe: { image: data.test.images.slice(5 * SIZE, 6 * SIZE) as Float32Array, label: data.test.labels[5]! as number | null },
    transform: IDENTITY_TRANSFORM as ProbeTransform,
  };
  randomize(state.compiled, 1);
  const ctx: WorkerContext = {
    tf,
    data: () => data,
    dataName: () => state.dataName,
    compiled: () => state.compiled,
    probeImage: () => transformImage(state.probe.image, data.shape, state.transform),
    rawProbeImage: () => state.probe.image,
    probeLabel: () => state.probe.label,
    probeTransform: () => state.transform,
  };
  return { doc, state, api: invarianceApi(ctx) };
}

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

describe('invarianceApi', () => {
  it('sweeps the current model: the shared sweep() on the raw probe and the first N test images', async () => {
    const { doc, state, api } = context();
    // A slider's transform is set: the sweep still varies one transform from the raw image.
    state.transform = { ...IDENTITY_TRANSFORM, rotate: 40 };
    const progress: number[] = [];
    const r = await api.sweepProbe(doc, 'rotate', [-90, 0, 45], 25, (d) => progress.push(d));
    const expected = await sweep(tf, state.compiled.model, data, 'rotate', [-90, 0, 45], { limit: 25, probe: { image: state.probe.image, label: state.probe.label! } });
    expect(r).toMatchObject({ kind: 'rotate', values: [-90, 0, 45], count: 25, target: state.probe.label, targetFrom: 'label', skipped: [], cancelled: false });
    expect(r.series).toEqual([{ id: 'current', label: 'Tiny (now)', points: expected }]);
    expect(progress).toEqual([1, 2, 3]);
    // The default is 500 test images, at most the test set.
    expect((await api.sweepProbe(doc, 'scale', [1])).count).toBe(60);
    expect(await api.transformedProbe()).toEqual(transformImage(state.probe.image, data.shape, state.transform));
  });

  it('a pinned model keeps its weights: its curve is the old model, on the same images, across a backend switch', async () => {
    const { doc, state, api } = context();
    const values = [-4, 0, 3];
    const before = await api.sweepProbe(doc, 'shift-x', values, 40);
    const pins = await api.pinModel(doc, '  first model ');
    expect(pins).toEqual([{ id: expect.any(String), label: 'first model', dataset: 'toy', params: state.compiled.model.countParams() }]);
    // The current model moves on (as training would change it).
    randomize(state.compiled, 2);
    const after = await api.sweepProbe(doc, 'shift-x', values, 40);
    expect(after.series.map((s) => s.label)).toEqual(['Tiny (now)', 'first model']);
    expect(after.series[1]!.points).toEqual(before.series[0]!.points);
    expect(after.series[0]!.points).toEqual(await sweep(tf, state.compiled.model, data, 'shift-x', values, { limit: 40, probe: { image: state.probe.image, label: state.probe.label! } }));
    expect(after.series[0]!.points).not.toEqual(after.series[1]!.points);

    // Another backend: the pin is rebuilt there from its copy and gives the same curve.
    expect((await initBackend(['wasm'])).name).toBe('wasm');
    try {
      state.compiled = compileForData(doc, data);
      randomize(state.compiled, 2);
      const wasm = await api.sweepProbe(doc, 'shift-x', values, 40);
      wasm.series[1]!.points.forEach((p, i) => {
        expect(p.accuracy).toBe(before.series[0]!.points[i]!.accuracy);
        expect(p.probability).toBeCloseTo(before.series[0]!.points[i]!.probability!, 5);
      });
    } finally {
      expect(await tf.setBackend('cpu')).toBe(true);
    }
  });

  it('a drawing (no label): every curve is the probability of the class the current model predicts at identity', async () => {
    const { doc, state, api } = context();
    state.probe = { image: noise(SIZE, 9), label: null };
    await api.pinModel(doc, 'old');
    randomize(state.compiled, 5);
    const predicted = tf.tidy(() => (state.compiled.model.predict(tf.tensor4d(state.probe.image, [1, H, W, 1])) as tf.Tensor).argMax(1).dataSync()[0]!);
    const r = await api.sweepProbe(doc, 'brightness', [0.5, 1], 10);
    expect(r.target).toBe(predicted);
    expect(r.targetFrom).toBe('prediction');
    const p = tf.tidy(() => (state.compiled.model.predict(tf.tensor4d(state.probe.image, [1, H, W, 1])) as tf.Tensor).dataSync());
    expect(r.series[0]!.points[1]!.probability).toBeCloseTo(p[predicted]!, 5);
    expect(r.series[1]!.points.every((x) => typeof x.probability === 'number')).toBe(true);
  });

  it('at most a few pins; unpinning frees their memory; pins of another dataset are skipped', async () => {
    const { doc, state, api } = context();
    const start = tf.memory().numTensors;
    for (let i = 0; i < MAX_PINNED; i++) await api.pinModel(doc, `m${i}`);
    await expect(api.pinModel(doc, 'one too many')).rejects.toThrow(/At most 3 models/);
    await api.sweepProbe(doc, 'scale', [1], 5); // builds every pinned model
    expect(tf.memory().numTensors).toBeGreaterThan(start);
    state.dataName = 'other';
    const r = await api.sweepProbe(doc, 'scale', [1], 5);
    expect(r.series.map((s) => s.id)).toEqual(['current']);
    expect(r.skipped.map((s) => s.label)).toEqual(['m0', 'm1', 'm2']);
    expect(r.skipped[0]!.reason).toMatch(/pinned with toy, the dataset now is other/);
    state.dataName = 'toy';
    for (const p of await api.pinnedModels()) await api.unpinModel(p.id);
    expect(await api.pinnedModels()).toEqual([]);
    expect(tf.memory().numTensors).toBe(start);
    // An empty label gets a name.
    expect((await api.pinModel(doc, ' '))[0]!.label).toMatch(/^Tiny #\d+$/);
  });

  it('a cancelled sweep stops after the value under way; bad values are refused', async () => {
    const { doc, api } = context();
    const r = await api.sweepProbe(doc, 'rotate', [0, 10, 20, 30], 5, (done) => {
      if (done === 1) api.cancelSweep();
    });
    expect(r.cancelled).toBe(true);
    expect(r.series[0]!.points.length).toBeLessThan(4);
    // The next sweep runs in full.
    expect((await api.sweepProbe(doc, 'rotate', [0, 10], 5)).series[0]!.points).toHaveLength(2);
    await expect(api.sweepProbe(doc, 'scale', [0, -1], 5)).rejects.toThrow(/above 0/);
    await expect(api.sweepProbe(doc, 'zoom' as never, [1], 5)).rejects.toThrow(/Unknown transform/);
  });
});
