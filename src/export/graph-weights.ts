/**
 * The weights a graph needs, computed from the graph alone (no tfjs): names and shapes in
 * TensorFlow.js layout, exactly as `compileGraph(graph).model.weights` has them (`originalName`
 * "<node id>/<weight>"). Used to check that weight files fit a graph before anything is built,
 * and by the exporters. The layouts follow tfjs-layers:
 *
 * | node | weights |
 * |---|---|
 * | conv2d | kernel [kh, kw, in, filters], bias [filters] |
 * | conv2dTranspose | kernel [kh, kw, filters, in], bias [filters] |
 * | depthwiseConv2d | depthwise_kernel [kh, kw, in, multiplier], bias [in × multiplier] |
 * | dense | kernel [last input axis, units], bias [units] |
 * | batchNormalization | gamma [c], beta [c] (trainable), moving_mean [c], moving_variance [c] |
 *
 * Every other node type has no weights. Each node's shapes are checked against its definition's
 * `paramCount`, so a layout that drifts from the node catalogue fails loudly (and the tests
 * compare this with the compiled tfjs model for every node type).
 */
import { formatShape, product } from '../../nodes/shape';
import { analyzeGraph, type Analysis } from '../graph/analyze';
import type { GraphDoc } from '../graph/types';
import { ModelFileError } from './model-file-error';

export interface WeightShape {
  /** "<node id>/<weight>", e.g. "c1/kernel". */
  name: string;
  shape: number[];
  trainable: boolean;
  /** The node it belongs to. */
  nodeId: string;
}

type P = Record<string, unknown>;
const pair = (v: unknown): [number, number] => v as [number, number];

/** Weight layouts per node type: (input shape, resolved params) -> [weight, shape, trainable][]. */
const LAYOUTS: Record<string, (x: readonly number[], p: P) => [string, number[], boolean][]> = {
  conv2d: (x, p) => {
    const [kh, kw] = pair(p.kernelSize);
    const f = p.filters as number;
    return [['kernel', [kh, kw, x[2]!, f], true], ...(p.useBias ? [['bias', [f], true] as [string, number[], boolean]] : [])];
  },
  conv2dTranspose: (x, p) => {
    const [kh, kw] = pair(p.kernelSize);
    const f = p.filters as number;
    return [['kernel', [kh, kw, f, x[2]!], true], ...(p.useBias ? [['bias', [f], true] as [string, number[], boolean]] : [])];
  },
  depthwiseConv2d: (x, p) => {
    const [kh, kw] = pair(p.kernelSize);
    const m = p.depthMultiplier as number;
    return [['depthwise_kernel', [kh, kw, x[2]!, m], true], ...(p.useBias ? [['bias', [x[2]! * m], true] as [string, number[], boolean]] : [])];
  },
  dense: (x, p) => {
    const u = p.units as number;
    return [['kernel', [x[x.length - 1]!, u], true], ...(p.useBias ? [['bias', [u], true] as [string, number[], boolean]] : [])];
  },
  batchNormalization: (x, p) => {
    const c = x[x.length - 1]!;
    return [
      ...(p.scale ? [['gamma', [c], true] as [string, number[], boolean]] : []),
      ...(p.center ? [['beta', [c], true] as [string, number[], boolean]] : []),
      ['moving_mean', [c], false],
      ['moving_variance', [c], false],
    ];
  },
};

/**
 * The weights of a graph, node by node in topological order. The graph must analyse without
 * errors (otherwise shapes are unknown): throws ModelFileError listing the first errors.
 */
export function expectedWeights(graph: GraphDoc, analysis: Analysis = analyzeGraph(graph)): WeightShape[] {
  if (!analysis.ok) {
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
    throw new ModelFileError(
      `The graph has ${errors.length === 1 ? 'an error' : `${errors.length} errors`}, so its weights are unknown: ${errors
        .slice(0, 3)
        .map((d) => d.message)
        .join(' ')}${errors.length > 3 ? ' …' : ''}`,
    );
  }
  const out: WeightShape[] = [];
  for (const id of analysis.order) {
    const n = analysis.nodes.get(id)!;
    if (!n.def || n.def.role === 'input') continue;
    const input = n.sources[0] === undefined ? undefined : analysis.nodes.get(n.sources[0])?.outputShape;
    const count = n.paramCount ? n.paramCount.trainable + n.paramCount.nonTrainable : 0;
    const layout = LAYOUTS[n.type];
    if (!layout) {
      if (count !== 0) throw new Error(`LayerLab does not know the weight layout of ${n.def.title} (${id} has ${count} parameters).`);
      continue;
    }
    const weights = layout(input!, n.params!);
    const total = weights.reduce((s, [, shape]) => s + product(shape), 0);
    if (total !== count) throw new Error(`The weight layout of ${id} (${n.def.title}) gives ${total} values but the node counts ${count}.`);
    for (const [w, shape, trainable] of weights) out.push({ name: `${id}/${w}`, shape, trainable, nodeId: id });
  }
  return out;
}

const nodeOf = (name: string): string => {
  const i = name.lastIndexOf('/');
  return i > 0 ? name.slice(0, i) : name;
};
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const list = (names: string[], max = 4) => names.slice(0, max).join(', ') + (names.length > max ? `, … (${names.length} in all)` : '');

/**
 * Why these weights (names and shapes, e.g. a model file's specs or NamedWeights) do not fit the
 * graph, in words — the first mismatch in graph order, with a count of the others — or undefined
 * when they fit exactly (same names, same shapes; order does not matter).
 */
export function weightsFitProblem(graph: GraphDoc, weights: readonly { name: string; shape: readonly number[] }[], analysis?: Analysis): string | undefined {
  const expected = expectedWeights(graph, analysis);
  const have = new Map<string, readonly number[]>();
  for (const w of weights) {
    if (have.has(w.name)) return `The file has two weights named ${w.name}.`;
    have.set(w.name, w.shape);
  }
  const need = new Set(expected.map((w) => w.name));
  const problems: string[] = [];
  let matched = 0;
  const reportedMissing = new Set<string>();
  for (const w of expected) {
    const shape = have.get(w.name);
    if (shape === undefined) {
      if (reportedMissing.has(w.nodeId)) continue;
      const ofNode = expected.filter((e) => e.nodeId === w.nodeId);
      if (ofNode.every((e) => !have.has(e.name))) {
        reportedMissing.add(w.nodeId);
        problems.push(`The file has no weights for ${w.nodeId} (the graph needs ${ofNode.map((e) => `${e.name} ${formatShape(e.shape)}`).join(', ')}).`);
      } else {
        problems.push(`The file has no ${w.name} (${formatShape(w.shape)}), which the graph needs.`);
      }
    } else if (!sameShape(shape, w.shape)) {
      problems.push(`${w.name} is ${formatShape(shape)} in the file but the graph needs ${formatShape(w.shape)}.`);
    } else {
      matched++;
    }
  }
  const extra = weights.filter((w) => !need.has(w.name));
  if (extra.length) {
    const byNode = new Map<string, string[]>();
    for (const w of extra) byNode.set(nodeOf(w.name), [...(byNode.get(nodeOf(w.name)) ?? []), w.name]);
    for (const [node, names] of byNode) {
      const inGraph = graph.nodes.some((n) => n.id === node);
      problems.push(
        inGraph
          ? `The file has ${list(names)}, which ${node} in the graph does not have.`
          : `The file has weights for ${node} (${list(names)}), which the graph lacks.`,
      );
    }
  }
  if (!problems.length) return undefined;
  const more = problems.length > 1 ? ` There ${problems.length === 2 ? 'is 1 more difference' : `are ${problems.length - 1} more differences`}.` : '';
  if (expected.length > 0 && matched === 0) {
    return `These weights belong to a different network: none of the graph's ${expected.length} weights is in the file with its shape (the file has ${list(
      weights.map((w) => `${w.name} ${formatShape(w.shape)}`),
      3,
    )}). First difference: ${problems[0]}${more}`;
  }
  if (matched < expected.length / 2) {
    return `These weights seem to belong to a different network: only ${matched} of the graph's ${expected.length} weights fit${matched === 1 ? 's' : ''}. First difference: ${problems[0]}${more}`;
  }
  return `${problems[0]}${more}`;
}

/** Throws a ModelFileError saying how the weights do not fit the graph (see weightsFitProblem). */
export function checkWeightsFitGraph(graph: GraphDoc, weights: readonly { name: string; shape: readonly number[] }[], analysis?: Analysis): void {
  const problem = weightsFitProblem(graph, weights, analysis);
  if (problem) throw new ModelFileError(problem);
}
