/**
 * "Inside a block": while a block is open, the canvas edits the block's inner graph as an
 * ordinary document (blockView), and every change is written back into the definition
 * (writeBlockView), so every use of the block changes with it. The store keeps the real
 * document (`root`) for history, autosave, saving, sharing and export.
 */
import { analyzeGraph, nodeInfo, type Analysis } from '../../graph/analyze';
import { BLOCK_SEP, blockView, findBlock, isInstance, writeBlockView } from '../../graph/blocks';
import type { GraphDoc, Shape } from '../../graph/types';

export interface BlockScope {
  blockId: string;
  /** The instance the block was opened from (its input shapes and feature maps are shown), if any. */
  instanceId?: string;
  /** The real document, blocks and all. */
  root: GraphDoc;
}

/**
 * The shapes that feed a block's inputs: those of the instance's sources, or, without an
 * instance, of the first use whose sources' shapes are all known.
 */
export function blockInputShapes(root: GraphDoc, analysis: Analysis, blockId: string, instanceId?: string): (Shape | undefined)[] | undefined {
  const uses = root.nodes.filter((n) => isInstance(n) && n.params.block === blockId && (!instanceId || n.id === instanceId));
  let fallback: (Shape | undefined)[] | undefined;
  for (const use of uses) {
    const shapes = nodeInfo(analysis, use.id)?.sources.map((src) => (src ? nodeInfo(analysis, src)?.outputShape : undefined));
    if (shapes?.every((x) => x)) return shapes;
    fallback ??= shapes;
  }
  return fallback;
}

let rootMemo: { root: GraphDoc; analysis: Analysis } | null = null;
/**
 * The whole graph's analysis while a block is open, memoised on the root document: the view's
 * analysis (blocks with several inputs) and the labs (store.rootAnalysis) share one.
 */
export function analyzeRoot(root: GraphDoc): Analysis {
  if (rootMemo?.root !== root) rootMemo = { root, analysis: analyzeGraph(root) };
  return rootMemo.analysis;
}

/** The view of the scope's block in `root`, or null when the block no longer exists there. */
export function scopeView(root: GraphDoc, blockId: string, instanceId?: string, analysis: Analysis = analyzeGraph(root)): { view: GraphDoc; instanceId?: string } | null {
  if (!findBlock(root, blockId)) return null;
  const keep = instanceId && root.nodes.some((n) => n.id === instanceId && isInstance(n) && n.params.block === blockId) ? instanceId : undefined;
  return { view: blockView(root, blockId, keep, blockInputShapes(root, analysis, blockId, keep)), instanceId: keep };
}

/**
 * Writes an edited view back into `root`; a refusal comes back as a message for people. The
 * view's name and description are the block's (the inspector edits them when nothing is selected).
 */
export function writeScope(root: GraphDoc, scope: Pick<BlockScope, 'blockId' | 'instanceId'>, view: GraphDoc): { root: GraphDoc } | { error: string } {
  const r = writeBlockView(root, scope.blockId, view, scope.instanceId);
  if ('error' in r) return { error: r.error };
  const def = findBlock(r.doc, scope.blockId)!;
  const name = view.name.trim() || def.name;
  const description = view.description.trim() ? view.description : undefined;
  if (name === def.name && description === def.description) return { root: r.doc };
  const { description: _old, ...rest } = def;
  const next = { ...rest, name, ...(description ? { description } : {}) };
  return { root: { ...r.doc, blocks: r.doc.blocks!.map((b) => (b.id === def.id ? next : b)) } };
}

/**
 * Problems of the whole network that a block on its own always has (an output that is no
 * classifier's, two Input nodes for a block with two inputs): not shown while the block is open.
 */
const WHOLE_GRAPH_ONLY = new Set(['no-input', 'several-inputs', 'output-not-vector', 'output-no-softmax', 'segmentation-output-size', 'segmentation-output-activation', 'detection-output-grid', 'detection-output-activation']);

/**
 * The analysis of a block's view, without the whole-network problems it cannot help having. A
 * graph with several Input nodes gets no shapes from analyzeGraph; for a block with several
 * inputs opened from an instance, the inner nodes' shapes and counts are then read from the
 * whole graph's analysis of that instance (`instance/inner`), where the block is wired in.
 */
export function analyzeView(view: GraphDoc, root?: GraphDoc, instanceId?: string): Analysis {
  let a = analyzeGraph(view);
  const diagnostics = a.diagnostics.filter((d) => !WHOLE_GRAPH_ONLY.has(d.code));
  if (diagnostics.length !== a.diagnostics.length) a = { ...a, diagnostics, ok: !diagnostics.some((d) => d.severity === 'error') };
  const inputs = view.nodes.filter((n) => n.type === 'input');
  if (inputs.length < 2 || !root || !instanceId) return a;
  const whole = analyzeRoot(root);
  const sources = nodeInfo(whole, instanceId)?.sources ?? [];
  const nodes = new Map(a.nodes);
  const totals = { params: 0, trainable: 0, nonTrainable: 0, complete: true };
  for (const [id, n] of a.nodes) {
    const i = inputs.findIndex((m) => m.id === id);
    const src = i >= 0 ? sources[i] : undefined;
    const from = i >= 0 ? (src ? nodeInfo(whole, src) : undefined) : whole.nodes.get(`${instanceId}${BLOCK_SEP}${id}`) ?? nodeInfo(whole, `${instanceId}${BLOCK_SEP}${id}`);
    const next = { ...n, outputShape: from?.outputShape ?? n.outputShape, paramCount: i >= 0 ? { trainable: 0, nonTrainable: 0 } : (from?.paramCount ?? n.paramCount) };
    nodes.set(id, next);
    if (i >= 0) continue;
    if (!next.paramCount) totals.complete = false;
    else {
      totals.trainable += next.paramCount.trainable;
      totals.nonTrainable += next.paramCount.nonTrainable;
    }
  }
  totals.params = totals.trainable + totals.nonTrainable;
  return { ...a, nodes, totals };
}

/** The block's name as the breadcrumb shows it. */
export function scopeName(scope: BlockScope): string {
  return findBlock(scope.root, scope.blockId)?.name ?? scope.blockId;
}

