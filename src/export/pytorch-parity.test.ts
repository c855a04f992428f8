/**
 * The exported PyTorch model computes what TensorFlow.js computes. For every preset and every
 * graph of fixtures/export-graphs.ts (all node types and the options that change the code):
 * random seeded weights (batch norm with random moving statistics too), a batch of 2 random
 * inputs through tfjs, the export (model.py + model.safetensors), then Debian's PyTorch
 * (/usr/bin/python3) on the same inputs transposed to NCHW, in one Python process for all cases.
 *
 * Tolerance: max |torch − tfjs| ≤ 1e-4 · max(1, max |tfjs|). Outputs within ±1 (softmax
 * probabilities, most maps here) are held to 1e-4 absolute; larger outputs (the scores of deep
 * random networks) to 1e-4 relative to their largest value, as float32 rounding grows with the
 * magnitude. For graphs ending in softmax, the scores before the softmax (forward(x,
 * return_logits=True)) are compared too, against tfjs with that node's activation set to linear:
 * a softmax alone would hide errors in its input.
 *
 * tfjs runs on its CPU backend (the reference implementation of TensorFlow's semantics), except
 * ResNet-50 at 224×224, which runs on WASM (≈ 1 s instead of ≈ 20 s on CPU; its layers have no
 * padding subtleties — Keras' ResNet-50 pads with ZeroPadding2D and pools with "valid").
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_TYPES } from '../../nodes/registry';
import { compileGraph } from '../compiler/compile';
import { parityCases, withoutFinalSoftmax } from './parity.testing';
import { maxAbsDiff, namedWeights, PYTHON, pythonWith, randomizeWeights, randomValues, titleFor } from './python-testing';
import { pytorchFiles, transposeData } from './pytorch';

const BATCH = 2;

const CASES = parityCases();

/** NHWC -> NCHW for maps; vectors stay. */
function toTorchLayout(data: Float32Array, shape: number[]): { data: Float32Array; shape: number[] } {
  return shape.length === 4 ? transposeData(data, shape, [0, 3, 1, 2]) : { data, shape };
}

interface Prepared {
  dir: string;
  outShape: number[];
  output: Float32Array;
  logits: Float32Array | null;
  error?: string;
}

const RUNNER = `
import importlib.util, json, sys, torch

def write(path, t):
    with open(path, 'wb') as f:
        f.write(t.detach().contiguous().numpy().astype('<f4').tobytes())

results = []
for i, case in enumerate(json.load(open(sys.argv[1]))):
    try:
        spec = importlib.util.spec_from_file_location(f'exported_{i}', case['dir'] + '/model.py')
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        model = module.load_model(case['dir'] + '/model.safetensors')
        with open(case['dir'] + '/input.bin', 'rb') as f:
            x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(case['shape'])
        with torch.no_grad():
            y = model(x)
            write(case['dir'] + '/output.bin', y)
            if module.OUTPUT_IS_SOFTMAX:
                write(case['dir'] + '/logits.bin', model(x, return_logits=True))
        results.append({'shape': list(y.shape), 'training': model.training})
    except Exception as e:
        import traceback
        results.append({'error': traceback.format_exc()})
print(json.dumps(results))
`;

const prepared = new Map<string, Prepared>();
const pythonResults: ({ shape: number[]; training: boolean } | { error: string })[] = [];
const measured: string[] = [];
let root = '';
let pythonSeconds = 0;

/** model.py imports torch; the runner reads outputs back through numpy. */
const PY = pythonWith(['torch', 'numpy']);

describe.skipIf(!PY.ok)(titleFor('PyTorch export matches TensorFlow.js', PY), () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'layerlab-pytorch-'));
    const manifest: { dir: string; shape: number[] }[] = [];
    for (const [i, c] of CASES.entries()) {
      expect(await tf.setBackend(c.backend)).toBe(true);
      const dir = join(root, `case${i}`);
      mkdirSync(dir);
      const { model } = compileGraph(c.doc);
      randomizeWeights(tf, model, 1000 + i);
      const [h, w, ch] = model.inputs[0]!.shape.slice(1) as number[];
      const inShape = [BATCH, h!, w!, ch!];
      const xData = randomValues(BATCH * h! * w! * ch!, 7 + i, ...c.range);
      const x = tf.tensor(xData, inShape);
      const y = model.predict(x) as tf.Tensor;
      const output = (await y.data()) as Float32Array;
      const outShape = y.shape;
      let logits: Float32Array | null = null;
      const linear = withoutFinalSoftmax(c.doc);
      if (linear) {
        const m2 = compileGraph(linear).model;
        m2.setWeights(model.getWeights());
        const l = m2.predict(x) as tf.Tensor;
        logits = (await l.data()) as Float32Array;
        tf.dispose(l);
        m2.dispose();
      }
      for (const f of pytorchFiles(c.doc, namedWeights(model))) writeFileSync(join(dir, f.name), f.data);
      const nchw = toTorchLayout(xData, inShape);
      writeFileSync(join(dir, 'input.bin'), new Uint8Array(nchw.data.buffer));
      manifest.push({ dir, shape: nchw.shape });
      prepared.set(c.name, { dir, outShape, output, logits });
      tf.dispose([x, y]);
      model.dispose();
    }
    writeFileSync(join(root, 'cases.json'), JSON.stringify(manifest));
    writeFileSync(join(root, 'runner.py'), RUNNER);
    const t0 = performance.now();
    const r = spawnSync(PYTHON, [join(root, 'runner.py'), join(root, 'cases.json')], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, OMP_NUM_THREADS: '2' } });
    pythonSeconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
    pythonResults.push(...JSON.parse(r.stdout.trim().split('\n').pop()!));
  }, 240_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    if (measured.length) console.log(`max |torch − tfjs| per graph (python ${pythonSeconds.toFixed(1)} s for all):\n  ${measured.join('\n  ')}`);
  });

  it('covers every node type', () => {
    const covered = new Set(CASES.flatMap((c) => c.doc.nodes.map((n) => n.type)));
    expect(NODE_TYPES.filter((t) => !covered.has(t))).toEqual([]);
  });

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', (name, i) => {
    const p = prepared.get(name)!;
    const result = pythonResults[i]!;
    if ('error' in result) throw new Error(`PyTorch failed on ${name}:\n${result.error}`);
    expect(result.training, 'load_model returns the model in eval mode').toBe(false);
    const torchShape = p.outShape.length === 4 ? [p.outShape[0], p.outShape[3], p.outShape[1], p.outShape[2]] : p.outShape;
    expect(result.shape).toEqual(torchShape);
    const back = (file: string) => {
      const raw = readFileSync(join(p.dir, file));
      const data = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      // NCHW back to NHWC to compare with tfjs.
      return p.outShape.length === 4 ? transposeData(data, torchShape as number[], [0, 2, 3, 1]).data : data;
    };
    const out = maxAbsDiff(back('output.bin'), p.output);
    let text = `${name}: output ${out.diff.toExponential(2)} (max |tfjs| ${out.scale.toPrecision(3)})`;
    expect(out.diff, `${name}: output`).toBeLessThanOrEqual(1e-4 * Math.max(1, out.scale));
    if (p.logits) {
      const l = maxAbsDiff(back('logits.bin'), p.logits);
      text += `, scores before softmax ${l.diff.toExponential(2)} (max |tfjs| ${l.scale.toPrecision(3)})`;
      expect(l.diff, `${name}: scores before softmax`).toBeLessThanOrEqual(1e-4 * Math.max(1, l.scale));
    }
    measured.push(text);
  });
});
