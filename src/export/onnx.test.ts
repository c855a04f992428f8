/**
 * The ONNX file itself: what the model declares (IR version, opset, input and output names and
 * dims, node names, the graph in metadata_props), that ONNX's own checker accepts every exported
 * file (Debian's python3-onnx 1.12, full_check), and the clear errors for what cannot be exported.
 * Whether the model computes what TensorFlow.js computes is src/export/onnx-parity.test.ts.
 */
import onnxProto from 'onnx-proto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BAD_GRAPHS } from '../../fixtures/bad-graphs';
import { EXPORT_CASES } from '../../fixtures/export-graphs';
import { loadPreset, presetFiles } from '../../fixtures/presets';
import { NODE_TYPES } from '../../nodes/registry';
import { tfWeights } from '../../nodes/weight-layout';
import { mulberry32 } from '../training/data/rng';
import { analyzeGraph } from '../graph/analyze';
import { expandBlocks } from '../graph/blocks';
import { parseGraphText } from '../graph/parse';
import type { GraphDoc } from '../graph/types';
import { ONNX_EXTRA_CASES } from './onnx-cases';
import { ONNX_GRAPH_KEY, ONNX_IR_VERSION, ONNX_OPSET, ONNX_VERSION_KEY, onnxFiles, onnxGraphText, onnxModel } from './onnx';
import { pythonWith, runPython, titleFor } from './python-testing';
import { pytorchFiles } from './pytorch';
import type { NamedWeight } from './types';

const { onnx } = onnxProto;

/** The decoded model's graph (decode fills every repeated field). */
const graphOf = (bytes: Uint8Array) => {
  const m = onnx.ModelProto.decode(bytes);
  return { m, graph: m.graph as onnxProto.onnx.GraphProto };
};

/** Random weights of the graph's layout (nodes/ `weights`, the tfjs names and shapes), without tfjs. */
function layoutWeights(doc: GraphDoc, seed = 1): NamedWeight[] {
  const a = analyzeGraph(doc);
  const rng = mulberry32(seed);
  return a.order.flatMap((id) => {
    const n = a.nodes.get(id)!;
    const inputs = (n.sources as string[]).map((s) => a.nodes.get(s)!.outputShape!);
    return tfWeights(n.def!, inputs, n.params!).map((w) => ({
      name: `${id}/${w.name}`,
      shape: w.shape,
      data: Float32Array.from({ length: w.shape.reduce((x, y) => x * y, 1) }, () => rng() - 0.5),
    }));
  });
}

const GRAPHS: { name: string; doc: GraphDoc }[] = [
  ...presetFiles().map((f) => ({ name: `preset ${f}`, doc: loadPreset(f) })),
  ...EXPORT_CASES.map((c) => ({ name: c.name, doc: c.doc })),
  ...ONNX_EXTRA_CASES.map((c) => ({ name: c.name, doc: c.doc })),
];

const dims = (v: onnxProto.onnx.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));

describe('the exported model declares', () => {
  it('covers every node type', () => {
    const covered = new Set(GRAPHS.flatMap((g) => g.doc.nodes.map((n) => n.type)));
    expect(NODE_TYPES.filter((t) => !covered.has(t))).toEqual([]);
  });

  it.each(GRAPHS.filter((g) => g.name !== 'preset resnet50.json').map((g) => [g.name, g.doc] as const))('%s', (_name, doc) => {
    const files = onnxFiles(doc, layoutWeights(doc));
    expect(files.map((f) => f.name)).toEqual(['model.onnx']);
    const { m, graph } = graphOf(files[0]!.data as Uint8Array);
    expect(Number(m.irVersion)).toBe(ONNX_IR_VERSION);
    expect(m.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', ONNX_OPSET]]);

    // Input "input" N×C×H×W, output "output" N×C×H×W or N×C, N dynamic.
    const a = analyzeGraph(doc);
    const [h, w, c] = a.nodes.get(a.inputId!)!.outputShape!;
    expect(graph.input.map((v) => v.name)).toEqual(['input']);
    expect(dims(graph.input[0]!)).toEqual(['N', c, h, w]);
    const out = a.nodes.get(a.outputId!)!.outputShape!;
    expect(graph.output.map((v) => v.name)).toEqual(['output']);
    expect(dims(graph.output[0]!)).toEqual(out.length === 3 ? ['N', out[2], out[0], out[1]] : ['N', ...out]);

    // Every node but the input is named after its id exactly once; helpers "<id>/<op>"; all unique.
    const names = graph.node.map((n) => n.name ?? '');
    expect(new Set(names).size).toBe(names.length);
    // (Blocks are exported as the nodes inside them: "instance/inner".)
    const flat = expandBlocks(doc);
    for (const n of flat.nodes) {
      if (n.type === 'input') continue;
      expect(names.filter((x) => x === n.id), n.id).toHaveLength(1);
    }
    const ids = new Set(doc.nodes.map((n) => n.id));
    for (const name of names) expect(ids.has(name.split('/')[0]!), name).toBe(true);

    // Every weight became an initializer "<id>/<tfjs name>".
    const inits = new Set(graph.initializer.map((t) => t.name));
    for (const wt of layoutWeights(doc)) expect(inits.has(wt.name), wt.name).toBe(true);

    // The graph travels along and reads back as the same graph.
    expect(m.metadataProps.find((p) => p.key === ONNX_VERSION_KEY)?.value).toBe(String(doc.version));
    const text = m.metadataProps.find((p) => p.key === ONNX_GRAPH_KEY)!.value!;
    expect(onnxGraphText(files[0]!.data as Uint8Array)).toBe(text);
    const back = parseGraphText(text);
    expect(back.ok).toBe(true);
    if (back.ok) expect(back.doc).toEqual(doc);
  });

  it('keeps the reserved names "input" and "output" for the model even when nodes are called so', () => {
    const c = ONNX_EXTRA_CASES.find((x) => x.name.startsWith('nodes called input and output'))!;
    const { graph } = graphOf(onnxModel(c.doc, layoutWeights(c.doc)));
    const writers = graph.node.filter((n) => n.output?.includes('output'));
    expect(writers.map((n) => n.name)).toEqual(['last']);
    expect(graph.node.find((n) => n.name === 'output')!.output).toEqual(['output/out']);
    expect(graph.node.find((n) => n.name === 'input')!.output).toEqual(['input/out']);
  });

  it('writes TensorFlow kernels in ONNX layout (Conv OIHW, value by value)', () => {
    const doc = loadPreset('lenet5');
    const weights = layoutWeights(doc);
    const { graph } = graphOf(onnxModel(doc, weights));
    const k = weights.find((x) => x.name === 'c3/kernel')!; // [5, 5, 6, 16] HWIO
    const t = graph.initializer.find((x) => x.name === 'c3/kernel')!;
    expect(t.dims!.map(Number)).toEqual([16, 6, 5, 5]);
    const raw = t.rawData!;
    const onnxData = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    for (const [y, x, i, o] of [[0, 0, 0, 0], [1, 4, 5, 15], [4, 2, 3, 7]] as const) {
      expect(onnxData[((o * 6 + i) * 5 + y) * 5 + x]).toBe(k.data[((y * 5 + x) * 6 + i) * 16 + o]);
    }
  });
});

describe('onnxModel refuses what it cannot export, naming it', () => {
  const doc = loadPreset('lenet5');
  const weights = layoutWeights(doc);

  it('a graph with errors, with the message of the other exporters', () => {
    const bad = BAD_GRAPHS.find((b) => b.exit === 1)!;
    const r = parseGraphText(bad.text());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(() => onnxModel(r.doc, [])).toThrow(/Cannot export .* as ONNX: the graph has errors/);
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    // The same list of problems as the PyTorch route gives.
    expect(message(() => onnxFiles(r.doc, []))).toBe(message(() => pytorchFiles(r.doc, [])).replace(' as PyTorch code: ', ' as ONNX: '));
  });

  it('a missing weight', () => {
    expect(() => onnxModel(doc, weights.filter((w) => w.name !== 'c3/bias'))).toThrow(/weight "c3\/bias" of node c3 \(Conv 2D\) is missing/);
  });

  it('a weight of the wrong shape', () => {
    const wrong = weights.map((w) => (w.name === 'f5/kernel' ? { ...w, shape: [w.shape[1]!, w.shape[0]!] } : w));
    expect(() => onnxModel(doc, wrong)).toThrow(/weight "f5\/kernel" of node f5 \(Dense\) has shape \[120, 400\], but the node needs \[400, 120\]/);
    const short = weights.map((w) => (w.name === 'c1/bias' ? { ...w, data: w.data.slice(1) } : w));
    expect(() => onnxModel(doc, short)).toThrow(/"c1\/bias" .* with 5 values/);
  });

  it('weights that belong to no node, or come twice', () => {
    expect(() => onnxModel(doc, [...weights, { name: 'c9/kernel', shape: [1], data: new Float32Array(1) }])).toThrow(/"c9\/kernel" belong to no node/);
    expect(() => onnxModel(doc, [...weights, weights[0]!])).toThrow(/"c1\/kernel" is given twice/);
  });
});

const CHECKER = `
import json, sys, onnx
failures = []
for path in json.load(open(sys.argv[1])):
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
    except Exception as e:
        failures.append({'path': path, 'error': str(e)[:2000]})
print(json.dumps({'version': onnx.__version__, 'failures': failures}))
`;

const PY = pythonWith(['onnx']);

describe.skipIf(!PY.ok)(titleFor("ONNX's checker accepts every exported file", PY), () => {
  let root = '';
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('presets, node-type fixtures and ONNX cases (onnx.checker.check_model, full_check=True)', async () => {
    root = mkdtempSync(join(tmpdir(), 'layerlab-onnx-check-'));
    const paths = GRAPHS.map((g, i) => {
      const path = join(root, `case${i}.onnx`);
      writeFileSync(path, onnxModel(g.doc, layoutWeights(g.doc, i)));
      return path;
    });
    writeFileSync(join(root, 'paths.json'), JSON.stringify(paths));
    writeFileSync(join(root, 'check.py'), CHECKER);
    const r = await runPython([join(root, 'check.py'), join(root, 'paths.json')], root, { timeoutMs: 240_000 });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { version: string; failures: { path: string; error: string }[] };
    const named = result.failures.map((f) => `${GRAPHS[paths.indexOf(f.path)]!.name}: ${f.error}`);
    expect(named).toEqual([]);
    console.log(`onnx ${result.version} checker: ${paths.length} files accepted`);
  }, 300_000);
});
