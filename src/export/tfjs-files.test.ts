/**
 * Round trips of TensorFlow.js model files: every preset with random seeded weights (biases and
 * batch-norm statistics included) saved with `model.save(tf.io.withSaveHandler(…))`, written by
 * modelFiles (as a zip and as plain files), read back by readModelFiles, and loaded both ways —
 * `tf.loadLayersModel(tf.io.fromMemory(…))` and compileGraph + setWeightsByName — must predict
 * exactly (bit for bit) what the original model predicts. Also a trained LeNet-5, and
 * `layerlab train`'s saveModelFiles + readModelDir.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPreset } from '../../fixtures/presets';
import { readModelDir } from '../cli/model-dir';
import { saveModelFiles } from '../cli/train';
import { compileGraph } from '../compiler/compile';
import { expandBlocks } from '../graph/blocks';
import { serializeGraph } from '../graph/serialize';
import type { GraphDoc } from '../graph/types';
import { initBackend } from '../training/backend';
import { mulberry32 } from '../training/data/rng';
import { fans, seedWeights } from '../training/init';
import { compileForData, trainModel } from '../training/trainer';
import { readModelFiles, type ModelFileInput, type OpenedModel } from './open-model';
import { concatWeightData, fileBytes, modelFiles, modelZip, weightsFromArtifacts } from './tfjs-files';
import { compileOpenedModel, loadOpenedModel, namedWeights, setWeightsByName } from './tfjs-weights';
import { ModelFileError } from './model-file-error';

const tmp = mkdtempSync(join(tmpdir(), 'layerlab-tfjs-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(async () => {
  expect((await initBackend(['wasm'])).name).toBe('wasm');
});

/** Every weight random and seeded: kernels Glorot-uniform, biases, gamma, beta and statistics too. */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const rng = mulberry32(seed);
  const u = (lo: number, hi: number) => lo + (hi - lo) * rng();
  const values = model.weights.map((v) => {
    const shape = v.shape as number[];
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const name = v.originalName;
    const [fanIn, fanOut] = fans(shape);
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    for (let i = 0; i < data.length; i++) {
      data[i] = /kernel$/.test(name)
        ? u(-limit, limit)
        : /gamma$/.test(name)
          ? u(0.8, 1.2)
          : /moving_variance$/.test(name)
            ? u(0.5, 1.5)
            : u(-0.1, 0.1);
    }
    return tf.tensor(data, shape);
  });
  model.setWeights(values);
  values.forEach((t) => t.dispose());
}

async function saveArtifacts(model: tf.LayersModel, config?: tf.io.SaveConfig): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
    config,
  );
  return saved!;
}

async function predict(model: tf.LayersModel, x: tf.Tensor): Promise<Float32Array> {
  const y = model.predict(x) as tf.Tensor;
  const data = (await y.data()) as Float32Array;
  y.dispose();
  return data;
}

const asInputs = (files: ReturnType<typeof modelFiles>): ModelFileInput[] => files.map((f) => ({ name: f.name, data: fileBytes(f) }));

/** Byte equality without Vitest's deep equality (which would walk 100 MB element by element). */
function expectSameBytes(a: Uint8Array, b: Uint8Array): void {
  expect(a.length).toBe(b.length);
  expect(Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))).toBe(true);
}

/** Bit-for-bit equality (NaN-safe), with a readable failure. */
function expectIdentical(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let first = -1;
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) {
      first = i;
      break;
    }
  }
  expect(first, first >= 0 ? `first difference at ${first}: ${a[first]} vs ${b[first]}` : '').toBe(-1);
}

describe('every preset survives model.save → modelFiles → (zip) → readModelFiles → load, bit for bit', () => {
  const CASES: [string, number][] = [
    ['lenet5', 3],
    ['mlp', 3],
    ['resnet-mini', 2],
    ['inception-mini', 2],
    // 25.6M parameters at 224×224×3: batch 1, and each model is built once per loading path.
    ['resnet50', 1],
  ];
  it.each(CASES)(
    '%s',
    async (name, batch) => {
      const t0 = performance.now();
      const lap = (what: string) => process.env.LAYERLAB_TIMING && console.log(`${name} ${what}: ${Math.round(performance.now() - t0)} ms`);
      const graph = loadPreset(name);
      const { model } = compileGraph(graph);
      lap('compiled');
      randomizeWeights(model, 1234);
      const shape = model.inputs[0]!.shape.slice(1) as number[];
      const rng = mulberry32(99);
      const x = tf.tensor(Float32Array.from({ length: batch * shape.reduce((a, b) => a * b, 1) }, () => rng()), [batch, ...shape]);
      lap('randomized');
      const expected = await predict(model, x);
      lap('predicted');
      expect(expected.every(Number.isFinite)).toBe(true);
      const originalWeights = await namedWeights(model);

      const artifacts = await saveArtifacts(model);
      model.dispose();
      const files = modelFiles(artifacts, graph);
      expect(files.map((f) => f.name)).toEqual(['model.json', 'weights.bin', 'graph.json']);
      expect(files[2]!.data).toBe(serializeGraph(graph));
      const zip = modelZip(files);
      lap('saved and zipped');

      const fromZip = readModelFiles([{ name: `${name}.zip`, data: zip }]);
      const plain = readModelFiles(asInputs(files).filter((f) => f.name !== 'graph.json'));
      const original = new Uint8Array(concatWeightData(artifacts.weightData));
      for (const opened of [fromZip, plain]) {
        expect(opened.graph).toEqual(graph);
        expect(opened.graphSource).toBe('model.json');
        expectSameBytes(new Uint8Array(opened.weightData), original);
        expect(opened.weights.map((w) => w.name)).toEqual(originalWeights.map((w) => w.name));
      }
      lap('read back');
      // The PyTorch exporter's view of the same artifacts.
      const fromArtifacts = weightsFromArtifacts(artifacts.weightSpecs!, artifacts.weightData!);
      expect(fromArtifacts.map((w) => [w.name, w.shape])).toEqual(fromZip.weights.map((w) => [w.name, w.shape]));

      // 1. tfjs' own loader on model.json's topology (the graph rides along as user metadata).
      const loaded = await loadOpenedModel(tf, fromZip, { via: 'topology' });
      expect((loaded.getUserDefinedMetadata() as { layerlab: { graph: GraphDoc } }).layerlab.graph).toEqual(graph);
      expectIdentical(await predict(loaded, x), expected);
      loaded.dispose();
      lap('loaded by tfjs and predicted');
      // 2. The graph compiled by LayerLab, weights set by name (layer names = node ids, probe model included).
      const compiled = compileOpenedModel(plain);
      expect(compiled.model.layers.map((l) => l.name).sort()).toEqual(expandBlocks(graph).nodes.map((n) => n.id).sort());
      expectIdentical(await predict(compiled.model, x), expected);
      compiled.model.dispose();
      x.dispose();
      lap('compiled, set and predicted');
    },
    300_000,
  );
});

describe('a trained LeNet-5', () => {
  it('round-trips with identical predictions, also through layerlab train --out and readModelDir', async () => {
    const { loadMnist } = await import('../training/data/mnist');
    const { nodeMnistReader } = await import('../training/data/node-readers');
    const data = await loadMnist(nodeMnistReader(), { limit: { train: 640, test: 64 } });
    const graph = loadPreset('lenet5');
    const compiled = compileForData(graph, data);
    seedWeights(tf, compiled.model, 5);
    const before = await namedWeights(compiled.model);
    const settings = { optimizer: 'adam', learningRate: 0.003, batchSize: 64, epochs: 1, validationSplit: 0, seed: 5 } as const;
    const outcome = await trainModel(tf, compiled, data, settings, { keepWeights: true });
    expect(outcome.status).toBe('done');
    const after = await namedWeights(compiled.model);
    // Really trained: all 10 weight tensors (kernels and biases) moved away from their seeded start.
    expect(after.filter((w, i) => w.data.some((v, j) => v !== before[i]!.data[j]))).toHaveLength(10);

    const x = tf.tensor4d(data.test.images.slice(0, 32 * 784), [32, 28, 28, 1]);
    const expected = await predict(compiled.model, x);

    const artifacts = await saveArtifacts(compiled.model);
    const opened = readModelFiles([{ name: 'trained.zip', data: modelZip(modelFiles(artifacts, graph)) }]);
    expect(opened.weights.map((w) => w.name)).toEqual(after.map((w) => w.name));
    opened.weights.forEach((w, i) => expectIdentical(w.data, after[i]!.data));
    const viaTopology = await loadOpenedModel(tf, opened, { via: 'topology' });
    expectIdentical(await predict(viaTopology, x), expected);
    viaTopology.dispose();
    const viaGraph = await loadOpenedModel(tf, opened);
    expectIdentical(await predict(viaGraph, x), expected);
    viaGraph.dispose();

    // `layerlab train --out DIR` writes the same files; `layerlab export --weights DIR` reads them back.
    const dir = join(tmp, 'trained');
    expect(await saveModelFiles(compiled.model, dir, graph)).toEqual(['model.json', 'weights.bin', 'graph.json']);
    expect(readFileSync(join(dir, 'graph.json'), 'utf8')).toBe(readFileSync(join(__dirname, '..', '..', 'presets', 'lenet5.json'), 'utf8'));
    const fromDir = readModelFiles(readModelDir(dir));
    const again = compileOpenedModel(fromDir);
    expectIdentical(await predict(again.model, x), expected);
    again.model.dispose();
    compiled.model.dispose();
    x.dispose();
  }, 120_000);
});

describe('a model saved with its optimizer state (includeOptimizer)', () => {
  it('reads and loads, the optimizer weights kept for tfjs and left out of the named weights', async () => {
    const graph = loadPreset('mlp');
    const { model } = compileGraph(graph);
    randomizeWeights(model, 3);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const rng = mulberry32(4);
    const x = tf.tensor4d(Float32Array.from({ length: 8 * 784 }, () => rng()), [8, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
    await model.trainOnBatch(x, y);
    const expected = await predict(model, x);
    const artifacts = await saveArtifacts(model, { includeOptimizer: true });
    const opened = readModelFiles(asInputs(modelFiles(artifacts, graph)));
    expect(opened.weightSpecs.filter((s) => s.group === 'optimizer').length).toBeGreaterThan(0);
    expect(opened.weights.map((w) => w.name)).toEqual(model.weights.map((v) => v.originalName));
    expect(weightsFromArtifacts(artifacts.weightSpecs!, artifacts.weightData!).map((w) => w.name)).toEqual(opened.weights.map((w) => w.name));
    const viaTopology = await loadOpenedModel(tf, opened, { via: 'topology' });
    expectIdentical(await predict(viaTopology, x), expected);
    const viaGraph = await loadOpenedModel(tf, opened);
    expectIdentical(await predict(viaGraph, x), expected);
    [model, viaTopology, viaGraph].forEach((m) => m.dispose());
    tf.dispose([x, y]);
  });
});

describe('setWeightsByName and namedWeights', () => {
  let opened: OpenedModel;
  beforeAll(async () => {
    const graph = loadPreset('resnet-mini');
    const { model } = compileGraph(graph);
    randomizeWeights(model, 7);
    opened = readModelFiles(asInputs(modelFiles(await saveArtifacts(model), graph)));
    model.dispose();
  });

  it('sets weights whatever their order, and namedWeights reads them back (copies)', async () => {
    const { model } = compileGraph(opened.graph);
    setWeightsByName(model, [...opened.weights].reverse());
    const back = await namedWeights(model);
    const byName = new Map(opened.weights.map((w) => [w.name, w]));
    for (const w of back) expectIdentical(w.data, byName.get(w.name)!.data);
    back[0]!.data[0] = 12345;
    expect((await namedWeights(model))[0]!.data[0]).not.toBe(12345);
    model.dispose();
  });

  it('refuses mismatches in words, before changing anything, and leaks no tensors', () => {
    const { model } = compileGraph(opened.graph);
    const tensors = tf.memory().numTensors;
    const ws = opened.weights;
    const first = ws[0]!;
    expect(() => setWeightsByName(model, ws.slice(1))).toThrow(new ModelFileError(`The weights have no ${first.name} (${first.shape.join('×')}), which the model needs.`));
    expect(() => setWeightsByName(model, [...ws, { name: 'x/kernel', shape: [1], data: new Float32Array(1) }])).toThrow(/have x\/kernel, which the model does not have/);
    expect(() => setWeightsByName(model, [{ ...first, shape: [...first.shape].reverse() }, ...ws.slice(1)])).toThrow(/in the weights but the model needs/);
    expect(() => setWeightsByName(model, [{ ...first, data: first.data.subarray(1) }, ...ws.slice(1)])).toThrow(/values where its shape/);
    expect(() => setWeightsByName(model, [...ws, first])).toThrow(/twice/);
    expect(tf.memory().numTensors).toBe(tensors);
    model.dispose();
  });
});
