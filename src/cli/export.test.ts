/**
 * `layerlab export`, in-process through main() and once through the real executable: every format
 * writes its files; tfjs files load in TensorFlow.js with the weights they should hold (trained
 * ones from --weights, seeded ones without); model.onnx runs in ONNX Runtime (onnxruntime-web in
 * Node) and gives TensorFlow.js' outputs for the same weights; bad arguments and bad weight folders
 * fail clearly.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPreset } from '../../fixtures/presets';
import { compileGraph } from '../compiler/compile';
import { compareWithTfjs, describeOnnxCheck, randomInputs } from '../export/onnx-check';
import { PYTHON, pythonHasOnnx, pythonWith, runPython, titleFor } from '../export/python-testing';
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

const ONNX = pythonHasOnnx();

/**
 * Runs model.onnx in ONNX Runtime (one thread) on seeded random images and compares the output with
 * the tfjs model's on the same images (NHWC there, NCHW in the file).
 */
async function onnxAgainstTfjs(file: string, model: tf.LayersModel, seed = 3) {
  const x = randomInputs([28, 28, 1], 3, seed);
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(file)));
  try {
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['output']);
    const got = (await session.run({ input: new ort.Tensor('float32', x.nchw, x.nchwShape) })).output!;
    const want = tf.tidy(() => model.predict(tf.tensor(x.nhwc, x.nhwcShape)) as tf.Tensor);
    const check = compareWithTfjs({ data: got.data as Float32Array, dims: got.dims }, { data: (await want.data()) as Float32Array, shape: want.shape });
    want.dispose();
    return check;
  } finally {
    await session.release();
  }
}

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

  it('onnx --weights DIR writes model.onnx that ONNX Runtime runs with the trained weights, agreeing with TensorFlow.js', async () => {
    const out = join(tmp, 'onnx-trained');
    const r = await run('export', join(root, 'presets/lenet5.json'), '--format', 'onnx', '--weights', trainedDir, '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(out)).toEqual(['model.onnx']);
    expect(r.out).toContain('weights: trained');
    expect(r.out).toMatch(/Run: onnxruntime's InferenceSession\.create\('.*model\.onnx'\)/);
    expect(r.out).toContain('"input" as float32 N×1×28×28 (N×C×H×W)');
    expect(r.out).toContain('Netron');

    // The trained model, loaded back from the folder --weights read.
    const trained = await loadDir(trainedDir);
    const check = await onnxAgainstTfjs(join(out, 'model.onnx'), trained);
    expect(check.ok, describeOnnxCheck(check)).toBe(true);
    // And not by accident: the seeded (untrained) weights give other outputs.
    const { model: fresh } = compileGraph(loadPreset('lenet5'));
    seedWeights(tf, fresh, loadPreset('lenet5').training?.seed ?? 42);
    expect((await onnxAgainstTfjs(join(out, 'model.onnx'), fresh)).ok).toBe(false);
    fresh.dispose();
    trained.dispose();

    // The graph travels in the model's metadata_props; the opset and IR version suit Debian's onnx 1.12.
    const m = onnxProto.onnx.ModelProto.decode(readFileSync(join(out, 'model.onnx')));
    expect(JSON.parse(m.metadataProps.find((p) => p.key === 'layerlab.graph')?.value ?? '{}').name).toBe('LeNet-5');
    expect(Number(m.irVersion)).toBeLessThanOrEqual(8);
    expect(Number(m.opsetImport[0]!.version)).toBeGreaterThanOrEqual(13);
    expect(Number(m.opsetImport[0]!.version)).toBeLessThanOrEqual(17);
  }, 60_000);

  it('onnx without --weights: fresh seeded weights (two exports are identical) that ONNX Runtime agrees with', async () => {
    const a = join(tmp, 'onnx-a');
    const b = join(tmp, 'onnx-b');
    const r = await run('export', 'lenet5', '--format', 'onnx', '--out', a, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out.trim())).toMatchObject({ format: 'onnx', weights: expect.stringMatching(/^fresh, seeded with \d+$/), files: [{ name: 'model.onnx' }] });
    expect((await run('export', 'lenet5', '--format', 'onnx', '--out', b)).code).toBe(0);
    expect(readFileSync(join(a, 'model.onnx')).equals(readFileSync(join(b, 'model.onnx')))).toBe(true);
    expect(readFileSync(join(a, 'model.onnx')).equals(readFileSync(join(tmp, 'onnx-trained', 'model.onnx')))).toBe(false);
    const doc = loadPreset('lenet5');
    const { model } = compileGraph(doc);
    seedWeights(tf, model, doc.training?.seed ?? 42);
    const check = await onnxAgainstTfjs(join(a, 'model.onnx'), model, 11);
    expect(check.ok, describeOnnxCheck(check)).toBe(true);
    model.dispose();
  }, 60_000);

  it.skipIf(!ONNX.ok)(titleFor("onnx.checker accepts the exported model.onnx (Debian's python3-onnx)", ONNX), async () => {
    const out = join(tmp, 'onnx-checked');
    expect((await run('export', 'lenet5', '--format', 'onnx', '--weights', trainedDir, '--out', out)).code).toBe(0);
    const c = await runPython(['-c', 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print("ok")', join(out, 'model.onnx')], out);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout.trim()).toBe('ok');
  }, 60_000);

  it('onnx refuses a graph with errors and weights that do not fit, with the same messages as the other formats', async () => {
    const broken = loadPreset('lenet5');
    broken.edges = broken.edges.filter((e) => e.to[0] !== 'f6');
    writeFileSync(join(tmp, 'broken-onnx.json'), JSON.stringify(broken));
    const errs: string[] = [];
    for (const format of ['pytorch', 'onnx']) {
      const r = await run('export', join(tmp, 'broken-onnx.json'), '--format', format, '--out', join(tmp, `broken-${format}`));
      expect(r.code).toBe(1);
      expect(r.err).toContain('has errors, fix them first');
      errs.push(r.err);
    }
    expect(errs[1]).toBe(errs[0]);
    expect(existsSync(join(tmp, 'broken-onnx', 'model.onnx'))).toBe(false);

    // Weights of the MLP offered for LeNet-5, and a folder that is not there.
    const mlpDir = join(tmp, 'mlp-for-onnx');
    expect((await run('export', 'mlp', '--format', 'tfjs', '--out', mlpDir)).code).toBe(0);
    rmSync(join(mlpDir, 'graph.json'));
    const wrong = [];
    for (const format of ['pytorch', 'onnx']) {
      const r = await run('export', 'lenet5', '--format', format, '--weights', mlpDir, '--out', join(tmp, `wrong-${format}`));
      expect(r.code).toBe(2);
      wrong.push(r.err);
    }
    expect(wrong[1]).toBe(wrong[0]);
    expect(wrong[1]).toMatch(/c1|weights/);
    const r3 = await run('export', 'lenet5', '--format', 'onnx', '--weights', join(tmp, 'nowhere'), '--out', join(tmp, 'z-onnx'));
    expect(r3.code).toBe(2);
    expect(r3.err).toMatch(/nowhere/);
  });

  it('refuses bad arguments, a graph with errors and weights of another graph, each with its reason', async () => {
    expect(await run('export', 'lenet5', '--out', tmp)).toMatchObject({ code: 2, err: expect.stringContaining('--format must be one of tfjs, keras, pytorch, onnx') });
    expect(await run('export', 'lenet5', '--format', 'caffe', '--out', tmp)).toMatchObject({ code: 2, err: expect.stringContaining('not "caffe"') });
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
