/**
 * For the export parity tests (PyTorch, ONNX): the graphs they run — every preset and every
 * fixture of fixtures/export-graphs.ts, plus a test's own extra cases — with the range of their
 * random inputs and the tfjs backend of the reference, and the same graph without its final softmax.
 */
import { EXPORT_CASES, type ExportCase } from '../../fixtures/export-graphs';
import { loadPreset, presetFiles } from '../../fixtures/presets';
import { analyzeGraph } from '../graph/analyze';
import type { GraphDoc } from '../graph/types';

export interface ParityCase {
  name: string;
  doc: GraphDoc;
  /** Input values are uniform in [lo, hi]. */
  range: [number, number];
  backend: 'cpu' | 'wasm';
}

/** The presets (ResNet-50 on WASM, the rest on the CPU backend), the export fixtures, then `extra`. */
export function parityCases(extra: readonly ExportCase[] = []): ParityCase[] {
  return [
    ...presetFiles().map((f) => {
      const name = f.replace(/\.json$/, '');
      return { name: `preset ${name}`, doc: loadPreset(name), range: [0, 1] as [number, number], backend: name === 'resnet50' ? ('wasm' as const) : ('cpu' as const) };
    }),
    ...[...EXPORT_CASES, ...extra].map((c) => ({ name: c.name, doc: c.doc, range: [-(c.inputScale ?? 2), c.inputScale ?? 2] as [number, number], backend: 'cpu' as const })),
  ];
}

/** The graph with the output node's softmax replaced by linear (the scores before the softmax), or null without one. */
export function withoutFinalSoftmax(doc: GraphDoc): GraphDoc | null {
  const a = analyzeGraph(doc);
  const out = a.nodes.get(a.outputId!)!;
  if (out.params?.activation !== 'softmax') return null;
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === out.id ? { ...n, params: { ...n.params, activation: 'linear' } } : n)) };
}
