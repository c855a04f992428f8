/**
 * The weights a graph needs, computed from the graph alone (no tfjs): names and shapes in
 * TensorFlow.js layout, exactly as `compileGraph(graph).model.weights` has them (`originalName`
 * "<node id>/<weight>"). Used to check that weight files fit a graph before anything is built,
 * and by the exporters. Each node definition states its tfjs layout once (`weights` in nodes/*.ts,
 * e.g. Conv 2D's kernel [kh, kw, in, filters]); this module derives the graph's weights from it
 * (nodes/weight-layout.ts, which also checks each layout against the node's `paramCount`). The
 * tests compare the result with the compiled tfjs model for every node type.
 */
import { formatShape } from '../../nodes/shape';
import { tfWeights } from '../../nodes/weight-layout';
import { expandBlocks } from '../graph/blocks';
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
    const inputs = n.sources.map((s) => analysis.nodes.get(s!)!.outputShape!);
    for (const w of tfWeights(n.def, inputs, n.params!)) out.push({ name: `${id}/${w.name}`, shape: w.shape, trainable: w.trainable, nodeId: id });
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
      const inGraph = expandBlocks(graph).nodes.some((n) => n.id === node);
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
