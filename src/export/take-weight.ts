/**
 * Taking one node's tfjs weight for an exporter (PyTorch, ONNX): looked up by "<node id>/<name>",
 * removed from the pool (so the exporter can name weights nobody used), its shape checked against
 * the node's layout, then its axes moved and reshaped as the node definition says. Messages are
 * for people and name the format.
 */
import type { CodeNode } from './codegraph';
import type { NamedWeight } from './types';

/** Moves the axes of a row-major tensor: output axis i is input axis perm[i] (numpy.transpose). */
export function transposeData(data: Float32Array, shape: readonly number[], perm: readonly number[]): { data: Float32Array; shape: number[] } {
  const rank = shape.length;
  if (perm.length !== rank || [...perm].sort().some((p, i) => p !== i)) throw new Error(`bad permutation [${perm.join(', ')}] for rank ${rank}`);
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * shape[i + 1]!;
  // Stride in the input of each output axis.
  const strides = perm.map((p) => inStrides[p]!);
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src]!;
    // Advance the output index (last axis fastest) and the matching input offset.
    for (let a = rank - 1; a >= 0; a--) {
      index[a]!++;
      src += strides[a]!;
      if (index[a]! < outShape[a]!) break;
      src -= strides[a]! * outShape[a]!;
      index[a] = 0;
    }
  }
  return { data: out, shape: outShape };
}

export const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;

/** The weights by name, for takeWeight; a name given twice is refused. */
export function weightPool(weights: readonly NamedWeight[], format: string): Map<string, NamedWeight> {
  const byName = new Map<string, NamedWeight>();
  for (const w of weights) {
    if (byName.has(w.name)) throw new Error(`Cannot export ${format} weights: weight "${w.name}" is given twice.`);
    byName.set(w.name, w);
  }
  return byName;
}

/** Refuses weights no node took: every tfjs weight must be used exactly once. */
export function checkPoolUsed(byName: ReadonlyMap<string, NamedWeight>, format: string): void {
  if (!byName.size) return;
  const extra = [...byName.keys()];
  throw new Error(
    `Cannot export ${format} weights: ${extra.length === 1 ? 'weight' : 'weights'} ${extra.slice(0, 5).map((x) => `"${x}"`).join(', ')}` +
      `${extra.length > 5 ? ` and ${extra.length - 5} more` : ''} belong to no node of this graph.`,
  );
}

export interface WeightMove {
  /** The tfjs weight name after "<id>/". */
  tf: string;
  /** Its shape in the node's tfjs layout. */
  shape: readonly number[];
  /** numpy-style transpose: output axis i is input axis permute[i]. */
  permute?: readonly number[];
  reshape?: readonly number[];
}

/** The weight in the exporter's layout; `data` is the caller's own array when nothing moved (`moved` false). */
export function takeWeight(n: CodeNode, move: WeightMove, byName: Map<string, NamedWeight>, format: string): { data: Float32Array; shape: number[]; moved: boolean } {
  const tfName = `${n.id}/${move.tf}`;
  const w = byName.get(tfName);
  if (!w) {
    throw new Error(
      `Cannot export ${format} weights: weight "${tfName}" of node ${n.id} (${n.def.title}) is missing. ` +
        `Weights are named "<node id>/<weight>" as in model.json; train or rebuild the model from this graph.`,
    );
  }
  byName.delete(tfName);
  const size = move.shape.reduce((a, b) => a * b, 1);
  if (w.shape.length !== move.shape.length || w.shape.some((d, i) => d !== move.shape[i]) || w.data.length !== size) {
    throw new Error(
      `Cannot export ${format} weights: weight "${tfName}" of node ${n.id} (${n.def.title}) has shape ${fmtShape(w.shape)}` +
        `${w.data.length !== size ? ` with ${w.data.length} values` : ''}, but the node needs ${fmtShape(move.shape)}. ` +
        `Were these weights trained on a different version of the graph?`,
    );
  }
  let t = { data: w.data, shape: [...w.shape] };
  if (move.permute) t = transposeData(t.data, t.shape, move.permute);
  if (move.reshape) {
    if (move.reshape.reduce((a, b) => a * b, 1) !== t.data.length) throw new Error(`internal: bad reshape of ${tfName}`);
    t = { data: t.data, shape: [...move.reshape] };
  }
  return { ...t, moved: t.data !== w.data };
}
