/**
 * The PyTorch and Keras generators without Python: weight conversion element by element, names,
 * the errors they raise, and that the export modules stay pure (no DOM, no tfjs, no Node APIs at
 * run time). The numerical check against TensorFlow.js is pytorch-parity.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BAD_GRAPHS } from '../../fixtures/bad-graphs';
import { EXPORT_CASES } from '../../fixtures/export-graphs';
import { loadPreset, presetFiles } from '../../fixtures/presets';
import { tfSamePads } from '../../nodes/codegen';
import { compileGraph } from '../compiler/compile';
import { parseGraphText } from '../graph/parse';
import { TRAINING_DEFAULTS, type GraphDoc } from '../graph/types';
import { DEFAULT_SETTINGS } from '../training/trainer';
import { resolveTraining } from './codegraph';
import { kerasFiles } from './keras';
import { pythonClassName, pythonNames } from './python';
import { namedWeights, randomizeWeights } from './python-testing';
import { pytorchFiles, transposeData } from './pytorch';
import { decodeSafetensors } from './safetensors';
import type { NamedWeight } from './types';

function graph(nodes: { id: string; type: string; params?: Record<string, unknown> }[]): GraphDoc {
  const edges = nodes.slice(1).map((n, i) => ({ from: [nodes[i]!.id, 'out'], to: [n.id, 'in'] }));
  const r = parseGraphText(JSON.stringify({ format: 'layerlab-graph', version: 1, name: 'Test net', description: '', nodes, edges }));
  if (!r.ok) throw new Error(r.message);
  return r.doc;
}

/** Weights whose every value is distinct: value = index + offset per weight. */
function countingWeights(doc: GraphDoc): NamedWeight[] {
  const { model } = compileGraph(doc);
  return model.weights.map((v, k) => {
    const shape = v.shape as number[];
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i + 1000 * k);
    return { name: v.originalName, shape, data };
  });
}

/** Value of a row-major tensor at an index. */
const at = (t: { data: Float32Array; shape: number[] }, idx: number[]) => t.data[idx.reduce((o, v, i) => o * t.shape[i]! + v, 0)]!;

describe('transposeData', () => {
  it('moves axes like numpy.transpose', () => {
    const shape = [2, 3, 4, 5];
    const data = Float32Array.from({ length: 120 }, (_, i) => i);
    const perm = [3, 2, 0, 1];
    const out = transposeData(data, shape, perm);
    expect(out.shape).toEqual([5, 4, 2, 3]);
    for (let a = 0; a < 2; a++)
      for (let b = 0; b < 3; b++)
        for (let c = 0; c < 4; c++)
          for (let d = 0; d < 5; d++) expect(at(out, [d, c, a, b])).toBe(at({ data, shape }, [a, b, c, d]));
    expect(transposeData(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0]).data).toEqual(Float32Array.from([1, 4, 2, 5, 3, 6]));
    expect(() => transposeData(data, shape, [0, 1, 1, 2])).toThrow(/bad permutation/);
  });
});

describe('weights in PyTorch layouts', () => {
  const doc = graph([
    { id: 'image', type: 'input', params: { shape: [6, 6, 2] } },
    { id: 'conv', type: 'conv2d', params: { filters: 3, kernelSize: [3, 2] } },
    { id: 'dw', type: 'depthwiseConv2d', params: { kernelSize: 2, depthMultiplier: 2 } },
    { id: 'up', type: 'conv2dTranspose', params: { filters: 4, kernelSize: [2, 3], strides: 2 } },
    { id: 'bn', type: 'batchNormalization', params: { center: false } },
    { id: 'flatten', type: 'flatten' },
    { id: 'out', type: 'dense', params: { units: 5, activation: 'softmax' } },
  ]);
  const weights = countingWeights(doc);
  const files = pytorchFiles(doc, weights);
  const st = decodeSafetensors(files.find((f) => f.name === 'model.safetensors')!.data as Uint8Array);
  const torch = new Map(st.tensors.map((t) => [t.name, t]));
  const tfw = new Map(weights.map((w) => [w.name, w]));

  it('names the tensors as the module\'s state_dict does, in order', () => {
    expect(st.tensors.map((t) => t.name)).toEqual([
      'conv.weight', 'conv.bias', 'dw.weight', 'dw.bias', 'up.weight', 'up.bias',
      'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'out.weight', 'out.bias',
    ]);
    expect(st.metadata.format).toBe('pt');
  });

  it('conv2d: HWIO -> OIHW', () => {
    const k = tfw.get('conv/kernel')!; // [3, 2, 2, 3]
    const w = torch.get('conv.weight')!;
    expect(w.shape).toEqual([3, 2, 3, 2]);
    for (const [y, x, i, o] of [[0, 0, 0, 0], [2, 1, 1, 2], [1, 0, 1, 1]]) expect(at(w, [o!, i!, y!, x!])).toBe(at(k, [y!, x!, i!, o!]));
  });

  it('depthwiseConv2d: [h, w, in, multiplier] -> [in·multiplier, 1, h, w], channel i·multiplier + m', () => {
    const k = tfw.get('dw/depthwise_kernel')!; // [2, 2, 3, 2]
    const w = torch.get('dw.weight')!;
    expect(w.shape).toEqual([6, 1, 2, 2]);
    for (const [y, x, i, m] of [[0, 0, 0, 0], [1, 0, 2, 1], [0, 1, 1, 0]]) expect(at(w, [i! * 2 + m!, 0, y!, x!])).toBe(at(k, [y!, x!, i!, m!]));
  });

  it('conv2dTranspose: [h, w, out, in] -> [in, out, h, w]', () => {
    const k = tfw.get('up/kernel')!; // [2, 3, 4, 6]
    const w = torch.get('up.weight')!;
    expect(w.shape).toEqual([6, 4, 2, 3]);
    for (const [y, x, o, i] of [[0, 0, 0, 0], [1, 2, 3, 5], [1, 0, 2, 4]]) expect(at(w, [i!, o!, y!, x!])).toBe(at(k, [y!, x!, o!, i!]));
  });

  it('batchNormalization: gamma, beta (0 when center is off) and the moving statistics', () => {
    expect(torch.get('bn.weight')!.data).toEqual(tfw.get('bn/gamma')!.data);
    expect(Array.from(torch.get('bn.bias')!.data)).toEqual([0, 0, 0, 0]);
    expect(torch.get('bn.running_mean')!.data).toEqual(tfw.get('bn/moving_mean')!.data);
    expect(torch.get('bn.running_var')!.data).toEqual(tfw.get('bn/moving_variance')!.data);
    const model = files.find((f) => f.name === 'model.py')!.data as string;
    expect(model).toContain("self.bn = frozen(nn.BatchNorm2d(4, eps=0.001, momentum=0.01), 'bias')");
  });

  it('dense: [in, units] -> [units, in]', () => {
    const k = tfw.get('out/kernel')!;
    const w = torch.get('out.weight')!;
    expect(w.shape).toEqual([5, k.shape[0]]);
    for (const [i, u] of [[0, 0], [7, 3], [k.shape[0]! - 1, 4]]) expect(at(w, [u!, i!])).toBe(at(k, [i!, u!]));
  });

  it('does not alias the caller\'s arrays', () => {
    expect(torch.get('conv.bias')!.data).toEqual(tfw.get('conv/bias')!.data);
    expect(torch.get('conv.bias')!.data.buffer).not.toBe(tfw.get('conv/bias')!.data.buffer);
  });
});

describe('pytorchFiles refuses what it cannot export, naming it', () => {
  const doc = loadPreset('lenet5');
  const weights = countingWeights(doc);

  it('a graph with errors', () => {
    const bad = BAD_GRAPHS.find((b) => b.exit === 1)!;
    const r = parseGraphText(bad.text());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(() => pytorchFiles(r.doc, [])).toThrow(/Cannot export .* as PyTorch code: the graph has errors/);
    expect(() => kerasFiles(r.doc)).toThrow(/Cannot export .* as Keras code: the graph has errors/);
  });

  it('a missing weight', () => {
    expect(() => pytorchFiles(doc, weights.filter((w) => w.name !== 'c3/bias'))).toThrow(/weight "c3\/bias" of node c3 \(Conv 2D\) is missing/);
  });

  it('a weight of the wrong shape', () => {
    const wrong = weights.map((w) => (w.name === 'f5/kernel' ? { ...w, shape: [w.shape[1]!, w.shape[0]!] } : w));
    expect(() => pytorchFiles(doc, wrong)).toThrow(/weight "f5\/kernel" of node f5 \(Dense\) has shape \[120, 400\], but the node needs \[400, 120\]/);
    const short = weights.map((w) => (w.name === 'c1/bias' ? { ...w, data: w.data.slice(1) } : w));
    expect(() => pytorchFiles(doc, short)).toThrow(/"c1\/bias" .* with 5 values/);
  });

  it('weights that belong to no node, or come twice', () => {
    expect(() => pytorchFiles(doc, [...weights, { name: 'c9/kernel', shape: [1], data: new Float32Array(1) }])).toThrow(/"c9\/kernel" belong to no node/);
    expect(() => pytorchFiles(doc, [...weights, weights[0]!])).toThrow(/"c1\/kernel" is given twice/);
  });
});

describe('names', () => {
  it('turns ids into distinct Python identifiers, deterministically', () => {
    const ids = ['c1', 'c-1', 'c_1', '1x1', 'class', 'train', 'forward', 'input', 'self', 'return_logits', '__init__', 'F', 'c_1_2'];
    const names = pythonNames(ids);
    expect([...names.values()]).toEqual(['c1', 'c_1', 'c_1_2', 'layer_1x1', 'class_', 'train_', 'forward_', 'input_', 'self_', 'return_logits_', 'layer__init__', 'F_', 'c_1_2_2']);
    expect(new Set(names.values()).size).toBe(ids.length);
    expect(pythonNames(ids)).toEqual(names);
    for (const n of names.values()) expect(n).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });

  it('makes a class name from the graph name', () => {
    expect(pythonClassName('LeNet-5')).toBe('LeNet5');
    expect(pythonClassName('resnet mini')).toBe('ResnetMini');
    expect(pythonClassName('50 layers')).toBe('Net50Layers');
    expect(pythonClassName('')).toBe('Net');
    expect(pythonClassName('Model')).toBe('ModelNet');
  });

  it('writes each node as an attribute named after its id', () => {
    const model = pytorchFiles(loadPreset('lenet5'), countingWeights(loadPreset('lenet5')))[0]!.data as string;
    expect(model).toContain('class LeNet5(nn.Module):');
    expect(model).toContain('        self.c1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)\n');
    expect(model).toContain('        self.output = nn.Linear(84, 10)\n');
    expect(model).toContain('    def forward(self, image, return_logits=False):\n        c1 = F.relu(self.c1(image))  # (N, 6, 28, 28)\n');
    expect(model).toMatch(/# Flatten in TensorFlow's order.*\n {8}flatten = torch\.flatten\(s4\.permute\(0, 2, 3, 1\), 1\)/);
    expect(model).toMatch(/Flatten: TensorFlow flattens/);
  });
});

describe('TensorFlow "same" padding', () => {
  it('puts the odd extra pixel at the end, as TensorFlow does', () => {
    expect(tfSamePads(9, 4, 2)).toEqual([1, 2]); // out 5: (5-1)*2 + 4 - 9 = 3
    expect(tfSamePads(10, 4, 2)).toEqual([1, 1]);
    expect(tfSamePads(28, 5, 1)).toEqual([2, 2]);
    expect(tfSamePads(8, 2, 1)).toEqual([0, 1]);
    expect(tfSamePads(13, 3, 1, 2)).toEqual([2, 2]);
    expect(tfSamePads(5, 1, 2)).toEqual([0, 0]);
  });

  it('pads explicitly in forward where the sides differ', () => {
    const c = EXPORT_CASES[0]!;
    const weights = countingWeights(c.doc);
    const model = pytorchFiles(c.doc, weights)[0]!.data as string;
    expect(model).toContain('        c1 = F.pad(image, (1, 1, 1, 2))\n'); // 9×10 input, kernel 4, stride 2: (left, right, top, bottom)
    expect(model).toContain("# TensorFlow 'same' padding is uneven here");
  });
});

describe('purity and settings', () => {
  it('the export modules load no tfjs, DOM or Node API at run time (transitively)', () => {
    const roots = ['keras.ts', 'pytorch.ts', 'pytorch-train.ts', 'safetensors.ts', 'python.ts', 'codegraph.ts'].map((f) => resolve(__dirname, f));
    const seen = new Set<string>();
    const offending: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)) {
        const typeOnly = Boolean(m[1]);
        const spec = m[2] ?? m[3]!;
        if (typeOnly) continue;
        if (spec.startsWith('.')) {
          let target = resolve(dirname(file), spec);
          if (!target.endsWith('.ts')) target += '.ts';
          visit(target);
        } else {
          offending.push(`${file.replace(resolve(__dirname, '../..') + '/', '')} imports ${spec}`);
        }
      }
    };
    roots.forEach(visit);
    expect(seen.size).toBeGreaterThan(20); // the node definitions are walked too
    expect(offending.filter((o) => !/imports zod$/.test(o))).toEqual([]);
  });

  it('fills in the trainer\'s default settings', () => {
    expect(TRAINING_DEFAULTS).toEqual(DEFAULT_SETTINGS);
    const { task, dataset, augmentation, ...filled } = resolveTraining({ ...loadPreset('mlp'), training: undefined });
    expect(filled).toEqual(DEFAULT_SETTINGS);
    expect([task, dataset, augmentation]).toEqual(['classification', 'mnist', undefined]);
  });

  it('names weights "<node id>/<weight>" even for a second model with the same layer names', () => {
    const doc = loadPreset('lenet5');
    compileGraph(doc).model.dispose();
    const { model } = compileGraph(doc);
    expect(model.weights[0]!.name).not.toBe('c1/kernel'); // tfjs suffixes the variable's name…
    expect(namedWeights(model).map((w) => w.name).slice(0, 2)).toEqual(['c1/kernel', 'c1/bias']); // …not originalName
    model.dispose();
  });

  it('exports every preset (shapes only, no Python)', () => {
    for (const f of presetFiles()) {
      const doc = loadPreset(f);
      if (f.startsWith('resnet50')) continue; // 25M weights: the parity test exports it
      const { model } = compileGraph(doc);
      randomizeWeights(tf, model, 1);
      const files = pytorchFiles(doc, namedWeights(model));
      expect(files.map((x) => x.name)).toEqual(['model.py', 'train.py', 'model.safetensors']);
      const n = decodeSafetensors(files[2]!.data as Uint8Array).tensors.reduce((s, t) => s + t.data.length, 0);
      expect(n).toBe(model.countParams());
      model.dispose();
    }
  });
});
