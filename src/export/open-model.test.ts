/**
 * Reading model files: the corpus of broken and hostile files (fixtures/bad-models.ts), how files
 * are matched by name, the zip bounds, and the graph's expected weights against tfjs itself for
 * every node type and preset.
 */
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { BAD_MODELS, editModelJson, makeModelKit, rawZip, zerosBomb, zipFiles, type ModelKit } from '../../fixtures/bad-models';
import { graphText } from '../../fixtures/bad-graphs';
import { loadPreset, presetFiles } from '../../fixtures/presets';
import { NODE_TYPES } from '../../nodes/registry';
import { compileGraph } from '../compiler/compile';
import { parseGraphText } from '../graph/parse';
import type { GraphDoc } from '../graph/types';
import { checkModelFileSizes, checkWeightsFitGraph, expectedWeights, ModelFileError, MODEL_LIMITS, readModelFiles, weightsFitProblem, type ModelFileInput } from './open-model';
import { modelZip } from './tfjs-files';
import { crc32, extractZipEntry, listZip } from './unzip';

let kit: ModelKit;
beforeAll(async () => {
  kit = await makeModelKit();
});

/** Byte equality (Vitest's deep equality walks typed arrays slowly). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

const rejection = (files: ModelFileInput[]): { error: unknown; ms: number } => {
  const t = performance.now();
  try {
    readModelFiles(files);
    return { error: undefined, ms: performance.now() - t };
  } catch (error) {
    return { error, ms: performance.now() - t };
  }
};

describe('broken and hostile model files are refused fast, with a message for a learner', () => {
  it.each(BAD_MODELS.map((b) => [b.name, b] as const))('%s', (_name, bad) => {
    const files = bad.files(kit);
    const { error, ms } = rejection(files);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as Error).message).toMatch(bad.message);
    // A guard against hangs (a lying zip header once made fflate inflate for minutes), not a speed
    // claim: the typical time is a few milliseconds, and a loaded 2-core machine can take seconds.
    expect(ms).toBeLessThan(15_000);
  });

  it('the corpus covers what it promises', () => {
    expect(BAD_MODELS.length).toBeGreaterThanOrEqual(25);
    expect(new Set(BAD_MODELS.map((b) => b.name)).size).toBe(BAD_MODELS.length);
  });

  it('the bomb fixture really inflates to 2 GiB of zeros (first 64 MiB checked)', async () => {
    const { Inflate } = await import('fflate');
    const bomb = zerosBomb(64);
    let total = 0;
    let nonZero = 0;
    const inf = new Inflate((c) => {
      total += c.length;
      for (let i = 0; i < c.length; i += 997) nonZero += c[i]!;
    });
    inf.push(bomb, true);
    expect(total).toBe(64 * 2 ** 20);
    expect(nonZero).toBe(0);
    // 2048 MiB in about 2 MB.
    expect(zerosBomb(2048).length).toBeLessThan(2.5e6);
  });
});

describe('which file is which', () => {
  const named = (files: ModelFileInput[], names: Record<string, string>) => files.map((f) => ({ ...f, name: names[f.name] ?? f.name }));

  it('reads model.json + weights.bin (graph inside), with or without graph.json', () => {
    const withGraph = readModelFiles(kit.lenet5);
    expect(withGraph.graphSource).toBe('model.json');
    expect(withGraph.graph.name).toBe('LeNet-5');
    expect(withGraph.weights.map((w) => w.name)).toEqual(expectedWeights(loadPreset('lenet5')).map((w) => w.name));
    expect(withGraph.notes).toEqual([]);
    const alone = readModelFiles(kit.lenet5.filter((f) => f.name !== 'graph.json'));
    expect(same(new Uint8Array(alone.weightData), new Uint8Array(withGraph.weightData))).toBe(true);
    expect(alone.files).toEqual({ modelJson: 'model.json', weights: ['weights.bin'] });
  });

  it('takes graph.json when model.json has no graph (a model saved by an older LayerLab)', () => {
    const old = editModelJson(kit.lenet5, (j) => void delete j.userDefinedMetadata);
    const opened = readModelFiles(old);
    expect(opened.graphSource).toBe('graph.json');
    expect(opened.files.graph).toBe('graph.json');
    // Any name, recognised by its content.
    const renamed = readModelFiles(named(old, { 'graph.json': 'lenet5.json' }));
    expect(renamed.graphSource).toBe('graph.json');
    expect(renamed.files.graph).toBe('lenet5.json');
  });

  it('takes a single .bin under another name, and says so', () => {
    const opened = readModelFiles(named(kit.lenet5, { 'weights.bin': 'weights (1).bin' }));
    expect(opened.files.weights).toEqual(['weights (1).bin']);
    expect(opened.notes).toEqual(['model.json names weights.bin; weights (1).bin was taken as that file.']);
    // ... but not when two .bin files make it ambiguous,
    const two = [...named(kit.lenet5, { 'weights.bin': 'a.bin' }), { name: 'b.bin', data: new Uint8Array(8) }];
    expect(() => readModelFiles(two)).toThrow(/names weights\.bin, which is not among the files \(the \.bin files there are a\.bin, b\.bin\)/);
    // ... and a wrong file under another name is still refused by its size.
    expect(() => readModelFiles([...kit.lenet5.filter((f) => f.name !== 'weights.bin'), { name: 'other.bin', data: new Uint8Array(12) }])).toThrow(
      /^other\.bin has 12 bytes but model\.json describes 246,824/,
    );
  });

  it('finds model.json under any name when it is the only .json besides graph.json, and inside folders of a zip', () => {
    expect(readModelFiles(named(kit.lenet5, { 'model.json': 'lenet5-model.json' })).files.modelJson).toBe('lenet5-model.json');
    const zip = zipSync(Object.fromEntries(kit.lenet5.map((f) => [`lenet5-model/${f.name}`, f.data])));
    const opened = readModelFiles([{ name: 'lenet5-model.zip', data: zip }]);
    expect(opened.files).toEqual({ modelJson: 'lenet5-model/model.json', weights: ['lenet5-model/weights.bin'] });
  });

  it('recognises a lone zip by its content, but never a weights file that happens to start with "PK\\3\\4"', () => {
    expect(readModelFiles([{ name: 'download', data: modelZip(kit.lenet5) }]).graph.name).toBe('LeNet-5');
    const pk = kit.lenet5.map((f) => {
      if (f.name !== 'weights.bin') return f;
      const data = f.data.slice();
      data.set([0x50, 0x4b, 3, 4]);
      return { name: f.name, data };
    });
    expect(readModelFiles(pk).weights[0]!.data[0]).toBe(new Float32Array(new Uint8Array([0x50, 0x4b, 3, 4]).buffer)[0]);
  });

  it('skips macOS resource forks and folders in a zip', () => {
    const zip = zipSync({
      'm/': new Uint8Array(0),
      '__MACOSX/m/._model.json': new Uint8Array([1, 2, 3]),
      ...Object.fromEntries(kit.lenet5.map((f) => [`m/${f.name}`, f.data])),
    });
    expect(readModelFiles([{ name: 'm.zip', data: zip }]).files.modelJson).toBe('m/model.json');
  });

  it('reads sharded weights (several groups and paths, as the tfjs converter writes them)', () => {
    const w = kit.lenet5.find((f) => f.name === 'weights.bin')!.data;
    const files = editModelJson(kit.lenet5, (j) => {
      const specs = j.weightsManifest[0].weights as { name: string }[];
      j.weightsManifest = [
        { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: specs.slice(0, 2) },
        { paths: ['group2-shard1of1.bin'], weights: specs.slice(2) },
      ];
    }).filter((f) => f.name !== 'weights.bin');
    const c1Bytes = (5 * 5 * 1 * 6 + 6) * 4;
    files.push(
      { name: 'group1-shard1of2.bin', data: w.slice(0, 100) },
      { name: 'group1-shard2of2.bin', data: w.slice(100, c1Bytes) },
      { name: 'group2-shard1of1.bin', data: w.slice(c1Bytes) },
    );
    const opened = readModelFiles(files);
    expect(same(new Uint8Array(opened.weightData), w)).toBe(true);
    expect(opened.files.weights).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin', 'group2-shard1of1.bin']);
  });

  it('ignores optimizer weights saved with includeOptimizer', () => {
    const w = kit.lenet5.find((f) => f.name === 'weights.bin')!.data;
    const extra = new Uint8Array(w.length + 8);
    extra.set(w);
    const files = editModelJson(kit.lenet5, (j) => {
      j.weightsManifest[0].weights.push({ name: 'iter', shape: [2], dtype: 'float32', group: 'optimizer' });
    }).map((f) => (f.name === 'weights.bin' ? { name: f.name, data: extra } : f));
    const opened = readModelFiles(files);
    expect(opened.weightSpecs).toHaveLength(11);
    expect(opened.weights).toHaveLength(10);
  });

  it('checks sizes before reading (File.size, fs.stat)', () => {
    expect(checkModelFileSizes([{ name: 'model.json', size: 50 * 2 ** 20 }])).toMatch(/model\.json is 50 MB/);
    expect(checkModelFileSizes([{ name: 'weights.bin', size: 5 * 2 ** 30 }])).toMatch(/weights\.bin is 5\.0 GB; LayerLab opens models of up to 1\.0 GB of weights/);
    expect(checkModelFileSizes([{ name: 'model.json', size: 300_000 }, { name: 'weights.bin', size: 102_546_848 }])).toBeUndefined();
  });
});

describe('zips', () => {
  it('modelZip stores weights.bin uncompressed and deflates the text files; the zip reader checks CRCs', () => {
    const files = kit.lenet5.map((f) => ({ name: f.name, data: f.data }));
    const zip = modelZip(files);
    const entries = listZip(zip, 'model.zip');
    expect(entries.map((e) => [e.name, e.method])).toEqual([
      ['model.json', 8],
      ['weights.bin', 0],
      ['graph.json', 8],
    ]);
    for (const e of entries) expect(same(extractZipEntry(zip, e, 'model.zip'), files.find((f) => f.name === e.name)!.data)).toBe(true);
    const stored = entries[1]!;
    const flipped = zip.slice();
    const at = stored.localOffset + 30 + 'weights.bin'.length + 1000;
    flipped[at] = flipped[at]! ^ 1;
    expect(() => readModelFiles([{ name: 'model.zip', data: flipped }])).toThrow(/model\.zip is damaged: weights\.bin fails its checksum \(CRC-32\)/);
  });

  it('refuses zips with too many entries, encryption and unknown compression', () => {
    const many = rawZip(Array.from({ length: MODEL_LIMITS.maxZipEntries + 1 }, (_, i) => ({ name: `f${i}`, stored: new Uint8Array(0), method: 0 as const, size: 0, crc: 0 })));
    expect(() => readModelFiles([{ name: 'many.zip', data: many }])).toThrow(/many\.zip holds 1,001 files/);
    const m = kit.lenet5.find((f) => f.name === 'model.json')!.data;
    const bzip = rawZip([{ name: 'model.json', stored: m, method: 0, size: m.length, crc: crc32(m) }]);
    bzip[8] = 12; // local header method: bzip2
    const cdMethod = bzip.length - 22 - (46 + 'model.json'.length) + 10;
    bzip[cdMethod] = 12;
    expect(() => readModelFiles([{ name: 'b.zip', data: bzip }])).toThrow(/model\.json in b\.zip is compressed with method 12/);
  });

  it('an empty zip holds no model.json', () => {
    expect(() => readModelFiles([{ name: 'empty.zip', data: zipSync({}) }])).toThrow(/^empty\.zip holds no model\.json \(it has nothing\)/);
  });

  it('a zip bomb never gets more memory than its declared size', () => {
    const before = process.memoryUsage().arrayBuffers;
    const bad = BAD_MODELS.find((b) => b.name === 'a zip bomb whose header lies about its size')!;
    expect(() => readModelFiles(bad.files(kit))).toThrow(/zip bomb/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(200 * 2 ** 20);
  });

  it('zipFiles (the fixture helper) and modelZip both round-trip', () => {
    for (const zip of [zipFiles(kit.mlp).data, modelZip(kit.mlp)]) {
      expect(readModelFiles([{ name: 'mlp.zip', data: zip }]).graph.name).toBe(readModelFiles(kit.mlp).graph.name);
    }
  });
});

describe('the weights a graph needs, computed without tfjs', () => {
  const load = (text: string): GraphDoc => {
    const r = parseGraphText(text);
    if (!r.ok) throw new Error(r.message);
    return r.doc;
  };
  const wire = (from: string, to: string, port = 'in') => ({ from: [from, 'out'] as [string, string], to: [to, port] as [string, string] });
  const chain = (nodes: { id: string; type: string; params?: Record<string, unknown> }[], extra: ReturnType<typeof wire>[] = []) =>
    load(graphText(nodes, [...nodes.slice(1).map((n, i) => wire(nodes[i]!.id, n.id)), ...extra]));

  /** Every node type, with the params that change weight layouts. */
  const ZOO: GraphDoc[] = [
    chain([
      { id: 'image', type: 'input', params: { shape: [8, 8, 3] } },
      { id: 'c', type: 'conv2d', params: { filters: 4, kernelSize: [3, 2], padding: 'same' } },
      { id: 'dw', type: 'depthwiseConv2d', params: { kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: false } },
      { id: 'bn', type: 'batchNormalization', params: { center: false } },
      { id: 'zp', type: 'zeroPadding2d', params: { padding: 1 } },
      { id: 'crop', type: 'cropping2D', params: { cropping: [[1, 0], [0, 1]] } },
      { id: 'ct', type: 'conv2dTranspose', params: { filters: 3, kernelSize: [3, 2] } },
      { id: 'up', type: 'upSampling2d', params: { size: 2 } },
      { id: 'act', type: 'activation', params: { activation: 'relu' } },
      { id: 'mp', type: 'maxPooling2d', params: { poolSize: 2 } },
      { id: 'drop', type: 'dropout', params: { rate: 0.2 } },
      { id: 'flatten', type: 'flatten' },
      { id: 'out', type: 'dense', params: { units: 5, activation: 'softmax', useBias: false } },
    ]),
    chain([
      { id: 'image', type: 'input', params: { shape: [5, 4, 3] } },
      { id: 'gap', type: 'globalAveragePooling2d' },
      { id: 'out', type: 'dense', params: { units: 2, activation: 'softmax' } },
    ]),
    load(
      graphText(
        [
          { id: 'image', type: 'input', params: { shape: [6, 6, 2] } },
          { id: 'c', type: 'conv2d', params: { filters: 4, kernelSize: 1, useBias: false } },
          { id: 'dw', type: 'depthwiseConv2d', params: { kernelSize: 3, padding: 'same' } },
          { id: 'ct', type: 'conv2dTranspose', params: { filters: 4, kernelSize: 1, useBias: false } },
          { id: 'ap', type: 'averagePooling2d', params: { poolSize: 2 } },
          { id: 'mp', type: 'maxPooling2d', params: { poolSize: 2 } },
          { id: 'sum', type: 'add' },
          { id: 'cat', type: 'concatenate' },
          { id: 'bn', type: 'batchNormalization', params: { scale: false } },
          { id: 'map', type: 'dense', params: { units: 3 } },
          { id: 'gmp', type: 'globalMaxPooling2d' },
          { id: 'bn2', type: 'batchNormalization' },
          { id: 'out', type: 'dense', params: { units: 2, activation: 'softmax' } },
        ],
        [
          wire('image', 'c'),
          wire('c', 'dw'),
          wire('dw', 'ct'),
          wire('ct', 'ap'),
          wire('ct', 'mp'),
          wire('ap', 'sum', 'in0'),
          wire('mp', 'sum', 'in1'),
          wire('sum', 'cat', 'in0'),
          wire('ap', 'cat', 'in1'),
          wire('cat', 'bn'),
          wire('bn', 'map'),
          wire('map', 'gmp'),
          wire('gmp', 'bn2'),
          wire('bn2', 'out'),
        ],
      ),
    ),
  ];

  const tfjsWeights = (graph: GraphDoc) => {
    const { model } = compileGraph(graph);
    const out = model.weights.map((v) => ({ name: v.originalName, shape: v.shape as number[], trainable: v.trainable }));
    model.dispose();
    return out;
  };
  const byName = <T extends { name: string }>(ws: T[]) => [...ws].sort((a, b) => a.name.localeCompare(b.name));

  it('the zoo covers every node type', () => {
    expect([...new Set(ZOO.flatMap((g) => g.nodes.map((n) => n.type)))].sort()).toEqual([...NODE_TYPES].sort());
  });

  it.each([...ZOO.map((g, i) => [`zoo ${i + 1}`, g] as const), ...presetFiles().map((f) => [f.replace(/\.json$/, ''), loadPreset(f)] as const)])(
    '%s: names, shapes and trainability equal the compiled tfjs model',
    (_name, graph) => {
      const mine = expectedWeights(graph).map(({ name, shape, trainable }) => ({ name, shape, trainable }));
      expect(byName(mine)).toEqual(byName(tfjsWeights(graph)));
      expect(weightsFitProblem(graph, mine)).toBeUndefined();
    },
  );

  it('describes misfits in words', () => {
    const lenet = loadPreset('lenet5');
    const ws = expectedWeights(lenet);
    const fit = (list: { name: string; shape: number[] }[]) => weightsFitProblem(lenet, list);
    expect(fit(ws.filter((w) => !w.name.startsWith('f6/')))).toBe('The file has no weights for f6 (the graph needs f6/kernel 120×84, f6/bias 84).');
    expect(fit(ws.filter((w) => w.name !== 'f6/bias'))).toBe('The file has no f6/bias (84), which the graph needs.');
    expect(fit([...ws, { name: 'x/kernel', shape: [2, 2] }])).toBe('The file has weights for x (x/kernel), which the graph lacks.');
    expect(fit([...ws, { name: 's2/kernel', shape: [2, 2] }])).toBe('The file has s2/kernel, which s2 in the graph does not have.');
    expect(fit(ws.map((w) => (w.name === 'c3/kernel' ? { ...w, shape: [3, 3, 6, 16] } : w)))).toBe('c3/kernel is 3×3×6×16 in the file but the graph needs 5×5×6×16.');
    expect(fit([{ name: 'a/kernel', shape: [1] }])).toBe(
      "These weights belong to a different network: none of the graph's 10 weights is in the file with its shape (the file has a/kernel 1). " +
        'First difference: The file has no weights for c1 (the graph needs c1/kernel 5×5×1×6, c1/bias 6). There are 5 more differences.',
    );
    expect(fit(ws.map((w) => (w.name.endsWith('/bias') ? { ...w, shape: [1] } : w)))).toBe('c1/bias is 1 in the file but the graph needs 6. There are 4 more differences.');
    expect(() => checkWeightsFitGraph(lenet, [])).toThrow(ModelFileError);
    expect(() => expectedWeights(load(graphText([{ id: 'image', type: 'input' }, { id: 'x', type: 'nope' }], [wire('image', 'x')])))).toThrow(/unknown|nope/i);
  });
});

describe('tfjs accepts model.json with the graph inside', () => {
  it('loadLayersModel passes userDefinedMetadata through', async () => {
    const opened = readModelFiles(kit.lenet5);
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: opened.modelJson.modelTopology, weightSpecs: opened.weightSpecs, weightData: opened.weightData, userDefinedMetadata: opened.modelJson.userDefinedMetadata }),
    );
    expect((model.getUserDefinedMetadata() as { layerlab: { graph: GraphDoc } }).layerlab.graph.name).toBe('LeNet-5');
    model.dispose();
  });
});

describe('hostile JSON structure', () => {
  it('refuses deep nesting and __proto__ anywhere, quickly, with a path', () => {
    const deep = editModelJson(kit.lenet5, (j) => {
      let text = JSON.stringify(j);
      text = text.replace('"modelTopology":{', `"modelTopology":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)},`);
      return text;
    });
    const t = performance.now();
    expect(() => readModelFiles(deep)).toThrow(/^model\.json is nested more than 64 levels deep \(at modelTopology\.x(\[0\]){63}\)\.$/);
    const nested = editModelJson(kit.lenet5, (j) => {
      j.weightsManifest[0].weights[2] = JSON.parse('{"name":"c3/kernel","shape":[1],"dtype":"float32","extra":[{"constructor":1}]}');
    });
    expect(() => readModelFiles(nested)).toThrow(/^Refusing the key "constructor" at weightsManifest\[0\]\.weights\[2\]\.extra\[0\] of model\.json/);
    expect(performance.now() - t).toBeLessThan(15_000); // a hang guard, not a speed claim
  });
});

describe('ambiguous choices', () => {
  it('two model.json files, or several .json files none of which is a model', () => {
    const second = kit.mlp.map((f) => ({ ...f, name: `mlp/${f.name}` }));
    expect(() => readModelFiles([...kit.lenet5, ...second])).toThrow(/^You chose 2 files named model\.json \(model\.json, mlp\/model\.json\); choose one model at a time\./);
    const enc = new TextEncoder();
    expect(() => readModelFiles([{ name: 'a.json', data: enc.encode('{}') }, { name: 'b.json', data: enc.encode('[]') }])).toThrow(
      /^You chose several \.json files \(a\.json, b\.json\) and none is named model\.json/,
    );
    // ... but one of them with a weightsManifest is the model.
    const lenet = kit.lenet5.map((f) => (f.name === 'model.json' ? { ...f, name: 'lenet.json' } : f));
    expect(readModelFiles([...lenet, { name: 'notes.json', data: enc.encode('{}') }]).files.modelJson).toBe('lenet.json');
  });
});
