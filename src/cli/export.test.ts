/**
 * `layerlab export`, in-process through main() and once through the real executable: every format
 * writes its files; tfjs files load in TensorFlow.js with the weights they should hold (trained
 * ones from --weights, seeded ones without); bad arguments and bad weight folders fail clearly.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPreset } from '../../fixtures/presets';
import { compileGraph } from '../compiler/compile';
import { PYTHON, pythonWith, titleFor } from '../export/python-testing';
import { decodeSafetensors } from '../export/safetensors';
import { seedWeights } from '../training/init';
import { main } from './main';
import { saveModelFiles } from './train';

const root = join(__dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'layerlab-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function run(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function loadDir(dir: string) {
  const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const w = readFileSync(join(dir, 'weights.bin'));
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) }),
  );
}

/** py_compile needs only the interpreter. */
const PY = pythonWith([]);

const input = () => tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 7);

describe('layerlab export', () => {
  /** A LeNet-5 with weights unlike any seeded ones (as if trained), saved as `layerlab train --out` does. */
  const trainedDir = join(tmp, 'trained');
  let trainedOut: number[];
  beforeAll(async () => {
    const { model } = compileGraph(loadPreset('lenet5'));
    seedWeights(tf, model, 12345);
    await saveModelFiles(model, trainedDir, loadPreset('lenet5'));
    trainedOut = Array.from(await (model.predict(input()) as tf.Tensor).data());
    model.dispose();
  });

  it('tfjs --weights DIR writes model files that predict exactly like the trained model', async () => {
    const out = join(tmp, 'tfjs-trained');
    const r = await run('export', join(root, 'presets/lenet5.json'), '--format', 'tfjs', '--weights', trainedDir, '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('weights: trained');
    expect(readdirSync(out).sort()).toEqual(['graph.json', 'model.json', 'weights.bin']);
    const model = await loadDir(out);
    expect(Array.from(await (model.predict(input()) as tf.Tensor).data())).toEqual(trainedOut);
    // The graph travels inside model.json too.
    expect(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).userDefinedMetadata.layerlab.graph.name).toBe('LeNet-5');
  });

  it('without --weights the weights are fresh and seeded (two exports are identical; another seed differs)', async () => {
    const a = join(tmp, 'seed-a');
    const b = join(tmp, 'seed-b');
    expect((await run('export', 'lenet5', '--format', 'tfjs', '--out', a)).code).toBe(0);
    expect((await run('export', 'lenet5', '--format', 'tfjs', '--out', b)).code).toBe(0);
    expect(readFileSync(join(a, 'weights.bin')).equals(readFileSync(join(b, 'weights.bin')))).toBe(true);
    expect(readFileSync(join(a, 'weights.bin')).equals(readFileSync(join(trainedDir, 'weights.bin')))).toBe(false);
  });

  it('pytorch writes model.py, train.py and the trained weights as safetensors in PyTorch layout', async () => {
    const out = join(tmp, 'torch');
    const r = await run('export', 'lenet5', '--format', 'pytorch', '--weights', trainedDir, '--out', out, '--json');
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out.trim());
    expect(summary.files.map((f: { name: string }) => f.name).sort()).toEqual(['model.py', 'model.safetensors', 'train.py']);
    const tensors = decodeSafetensors(new Uint8Array(readFileSync(join(out, 'model.safetensors'))));
    const list = Array.isArray(tensors) ? tensors : (tensors as { tensors: { name: string; shape: number[] }[] }).tensors;
    const kernel = list.find((t: { name: string }) => /c1.*weight/.test(t.name))!;
    expect(kernel.shape).toEqual([6, 1, 5, 5]); // OIHW, from tfjs' HWIO 5×5×1×6
  });

  it('keras writes a Python file', async () => {
    const out = join(tmp, 'keras');
    const r = await run('export', 'resnet-mini', '--format', 'keras', '--out', out);
    expect(r.code, r.err).toBe(0);
    const [py] = readdirSync(out).filter((f) => f.endsWith('.py'));
    expect(readFileSync(join(out, py!), 'utf8')).toMatch(/keras/);
  });

  it.skipIf(!PY.ok)(titleFor('keras writes Python that compiles', PY), async () => {
    const out = join(tmp, 'keras-compiles');
    expect((await run('export', 'resnet-mini', '--format', 'keras', '--out', out)).code).toBe(0);
    const [py] = readdirSync(out).filter((f) => f.endsWith('.py'));
    const c = spawnSync(PYTHON, ['-m', 'py_compile', join(out, py!)], { encoding: 'utf8' });
    expect(c.status, c.stderr).toBe(0);
  });

  it('refuses bad arguments, a graph with errors and weights of another graph, each with its reason', async () => {
    expect(await run('export', 'lenet5', '--out', tmp)).toMatchObject({ code: 2, err: expect.stringContaining('--format must be one of tfjs, keras, pytorch') });
    expect(await run('export', 'lenet5', '--format', 'onnx', '--out', tmp)).toMatchObject({ code: 2, err: expect.stringContaining('not "onnx"') });
    expect(await run('export', 'lenet5', '--format', 'tfjs')).toMatchObject({ code: 2, err: expect.stringContaining('--out DIR is required') });
    expect(await run('export', 'no-such-graph.json', '--format', 'tfjs', '--out', tmp)).toMatchObject({ code: 2, err: expect.stringContaining('no such file') });

    const broken = loadPreset('lenet5');
    broken.edges = broken.edges.filter((e) => e.to[0] !== 'f6');
    writeFileSync(join(tmp, 'broken.json'), JSON.stringify(broken));
    const r1 = await run('export', join(tmp, 'broken.json'), '--format', 'keras', '--out', join(tmp, 'x'));
    expect(r1.code).toBe(1);
    expect(r1.err).toContain('has errors');

    // MLP weights offered for LeNet-5.
    const mlpDir = join(tmp, 'mlp');
    expect((await run('export', 'mlp', '--format', 'tfjs', '--out', mlpDir)).code).toBe(0);
    rmSync(join(mlpDir, 'graph.json'));
    const r2 = await run('export', 'lenet5', '--format', 'pytorch', '--weights', mlpDir, '--out', join(tmp, 'y'));
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/c1|weights/);

    const r3 = await run('export', 'lenet5', '--format', 'tfjs', '--weights', join(tmp, 'nowhere'), '--out', join(tmp, 'z'));
    expect(r3.code).toBe(2);
    expect(r3.err).toMatch(/nowhere/);

    // A truncated weights.bin.
    const cut = join(tmp, 'cut');
    mkdirSync(cut, { recursive: true });
    cpSync(join(trainedDir, 'model.json'), join(cut, 'model.json'));
    writeFileSync(join(cut, 'weights.bin'), readFileSync(join(trainedDir, 'weights.bin')).subarray(0, 1000));
    const r4 = await run('export', 'lenet5', '--format', 'tfjs', '--weights', cut, '--out', join(tmp, 'w'));
    expect(r4.code).toBe(2);
    expect(r4.err).toMatch(/bytes/);
  });

  it('works through the real executable', () => {
    const out = join(tmp, 'bin-out');
    const r = spawnSync(process.execPath, [join(root, 'bin', 'layerlab.js'), 'export', 'mlp', '--format', 'pytorch', '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['model.py', 'model.safetensors', 'train.py']);
  });
});
