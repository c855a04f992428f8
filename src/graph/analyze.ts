/**
 * Validation, topological order, shape inference and parameter counts for a whole graph.
 * Pure and synchronous: the editor re-runs it after every edit, the CLI and the compiler
 * run it before anything else. Problems never throw; they become diagnostics on nodes.
 */
import { resolveParams } from '../../nodes/params';
import { getNodeDef } from '../../nodes/registry';
import { formatShape, product } from '../../nodes/shape';
import { inputPorts, OUTPUT_PORT, ShapeError, type NodeDef, type ParamCount, type Shape } from '../../nodes/types';
import { diagnostic, MESSAGES } from './diagnostics';
import { BLOCK_SEP, BLOCK_TYPE, blockInputPorts, expandBlocks, hasBlocks, instanceBlock, instanceProblem, instanceValues, isInstance, outputOf, paramRef, topLevelId } from './blocks';
import { LIMITS } from './limits';
import { DETECTION_LAYOUT } from './training-settings';
import type { Diagnostic, GraphDoc, GraphNode } from './types';

export interface NodeAnalysis {
  id: string;
  type: string;
  node: GraphNode;
  def?: NodeDef;
  /** Resolved params (defaults filled in, values normalised) when they are all valid. */
  params?: Record<string, unknown>;
  /** Input port names, in operand order. */
  ports: string[];
  /** The node feeding each port (undefined where nothing is connected). */
  sources: (string | undefined)[];
  /** Nodes this node feeds. */
  targets: string[];
  /** Nodes feeding this node through accepted wires (also for nodes of unknown type). */
  incoming: string[];
  outputShape?: Shape;
  paramCount?: ParamCount;
}

/** A block instance, as the editor shows it (see blocks.ts). */
export interface InstanceAnalysis extends NodeAnalysis {
  /** The definition used (undefined when it is missing). */
  blockId?: string;
  /** The flat ids of its inner nodes (`instance/inner`). */
  inner: string[];
}

export interface Totals {
  params: number;
  trainable: number;
  nonTrainable: number;
  /** False when some node's count is unknown (its shape could not be inferred). */
  complete: boolean;
}

export interface Analysis {
  nodes: Map<string, NodeAnalysis>;
  /** Topological order of every node not caught in a cycle (duplicates of an id excluded). */
  order: string[];
  inputId?: string;
  outputId?: string;
  diagnostics: Diagnostic[];
  totals: Totals;
  /** No error-level diagnostics: the graph can be compiled. */
  ok: boolean;
  /** Block instances of the document (graphs with blocks only); `nodes` holds the flat ids. */
  instances?: Map<string, InstanceAnalysis>;
}

function activationOf(n: NodeAnalysis): string | undefined {
  const a = n.params?.activation;
  return typeof a === 'string' ? a : undefined;
}

/** What an output is, in words: "10 numbers", "a 14×14×2 map". */
function describeOutput(shape: Shape): string {
  if (shape.length === 1) return shape[0] === 1 ? '1 number' : `${shape[0]} numbers`;
  return `a ${formatShape(shape)} map`;
}

/**
 * The output checked against a segmentation or detection task (warnings, like a classifier's:
 * the graph still builds, so its feature maps can be looked at while it is being fixed).
 * Segmentation: [H, W, C] with the input's H and W, C ≥ 2 with softmax or C = 1 with sigmoid.
 * Detection: a [rows, columns, 5 + K] grid, K ≥ 1, raw scores (DETECTION_LAYOUT).
 */
function taskOutputDiagnostics(task: 'segmentation' | 'detection', out: NodeAnalysis, input: Shape | undefined): Diagnostic[] {
  const shape = out.outputShape!;
  const activation = activationOf(out) ?? 'linear';
  if (task === 'segmentation') {
    const size = input && input.length === 3 ? `${input[0]}×${input[1]}` : undefined;
    if (size && (shape.length !== 3 || shape[0] !== input![0] || shape[1] !== input![1])) {
      return [diagnostic('segmentation-output-size', 'warning', [out.id], MESSAGES['segmentation-output-size'](out.id, size, describeOutput(shape)))];
    }
    if (shape.length !== 3) return [];
    const channels = shape[2]!;
    const wanted = channels === 1 ? 'sigmoid' : 'softmax';
    return activation === wanted
      ? []
      : [diagnostic('segmentation-output-activation', 'warning', [out.id], MESSAGES['segmentation-output-activation'](out.id, channels, activation, !!out.def?.params && 'activation' in out.def.params))];
  }
  if (shape.length !== 3 || shape[2]! < DETECTION_LAYOUT.minChannels) {
    return [diagnostic('detection-output-grid', 'warning', [out.id], MESSAGES['detection-output-grid'](out.id, describeOutput(shape)))];
  }
  return activation === 'linear'
    ? []
    : [diagnostic('detection-output-activation', 'warning', [out.id], MESSAGES['detection-output-activation'](out.id, activation))];
}

/** Finds one cycle among `stuck` nodes (all of which have a successor inside the set). */
function findCycle(stuck: Set<string>, nodes: Map<string, NodeAnalysis>): string[] {
  const start = stuck.values().next().value as string;
  const seen = new Map<string, number>();
  const path: string[] = [];
  let cur: string | undefined = start;
  while (cur !== undefined && !seen.has(cur)) {
    seen.set(cur, path.length);
    path.push(cur);
    cur = nodes.get(cur)!.targets.find((t) => stuck.has(t));
  }
  if (cur === undefined) return [start];
  const cycle = path.slice(seen.get(cur));
  return [...cycle, cur];
}

/**
 * Analyses a graph. A graph with blocks is analysed as its flat graph (expandBlocks): `nodes`,
 * `order`, `inputId`, `outputId` and `totals` use the flat ids (`instance/inner`), and each
 * instance is reported in `instances` too; problems inside a block are shown on its instance.
 */
export function analyzeGraph(doc: GraphDoc): Analysis {
  return hasBlocks(doc) ? analyzeWithBlocks(doc) : analyzeFlat(doc);
}

/** A doc node's analysis: a plain node's, or a block instance's. */
export function nodeInfo(analysis: Analysis, id: string): NodeAnalysis | InstanceAnalysis | undefined {
  return analysis.nodes.get(id) ?? analysis.instances?.get(id);
}

function analyzeWithBlocks(doc: GraphDoc): Analysis {
  const a = analyzeFlat(expandBlocks(doc));
  const instances = new Map<string, InstanceAnalysis>();
  const diagnostics: Diagnostic[] = [];
  const docIds = new Set(doc.nodes.map((n) => n.id));
  const blockName = (top: string) => {
    const n = doc.nodes.find((m) => m.id === top);
    return n ? (instanceBlock(doc, n)?.name ?? top) : top;
  };
  for (const d of a.diagnostics) {
    const flatIds = [...(d.nodeId ? [d.nodeId] : []), ...d.nodeIds];
    const flatNode = d.nodeId ? a.nodes.get(d.nodeId) : undefined;
    if (d.code === 'unknown-type' && flatNode?.type === BLOCK_TYPE) {
      // An instance that could not be expanded.
      const why =
        instanceProblem(doc, flatNode.node) ??
        `${d.nodeId}: the blocks of this graph expand to more than ${LIMITS.maxNodes.toLocaleString('en-US')} nodes, more than LayerLab handles.`;
      const top = topLevelId(d.nodeId!);
      diagnostics.push({ ...d, code: 'block', nodeId: top, nodeIds: [...new Set([top, d.nodeId!])], message: why });
      continue;
    }
    if (!flatIds.some((id) => id.includes(BLOCK_SEP))) {
      diagnostics.push(d);
      continue;
    }
    const tops = [...new Set(d.nodeIds.map(topLevelId))].filter((id) => docIds.has(id));
    const top = d.nodeId ? topLevelId(d.nodeId) : tops[0];
    let param = d.param;
    if (d.param && d.nodeId && flatNode) {
      // A problem with an inner param fed by a block param is a problem with the instance's param.
      const ref = innerParamRef(doc, d.nodeId, d.param);
      param = ref;
    }
    const out: Diagnostic = {
      ...d,
      ...(top ? { nodeId: top } : {}),
      nodeIds: [...new Set([...(top ? [top] : []), ...tops, ...d.nodeIds])],
      message: top && d.nodeId?.includes(BLOCK_SEP) ? `In block “${blockName(top)}”: ${d.message}` : d.message,
    };
    if (param === undefined) delete out.param;
    else out.param = param;
    diagnostics.push(out);
  }
  for (const node of doc.nodes) {
    if (!isInstance(node)) continue;
    const def = instanceBlock(doc, node);
    const prefix = node.id + BLOCK_SEP;
    const inner = [...a.nodes.keys()].filter((k) => k.startsWith(prefix));
    const expanded = inner.length > 0;
    const ports = def ? blockInputPorts(def) : [];
    const into = doc.edges.filter((e) => e.to[0] === node.id);
    const sources = ports.map((p) => into.find((e) => e.to[1] === p)?.from[0]);
    for (const e of into) {
      if (def && !ports.includes(e.to[1])) {
        diagnostics.push(diagnostic('edge-bad-port', 'error', [node.id], MESSAGES['edge-bad-port'](node.id, e.to[1], `block “${def.name}”`, ports)));
      }
    }
    let paramCount: ParamCount | undefined = expanded ? { trainable: 0, nonTrainable: 0 } : undefined;
    for (const id of inner) {
      const n = a.nodes.get(id)!;
      if (n.def?.role === 'input') continue;
      if (!n.paramCount || !paramCount) {
        paramCount = undefined;
        break;
      }
      paramCount = { trainable: paramCount.trainable + n.paramCount.trainable, nonTrainable: paramCount.nonTrainable + n.paramCount.nonTrainable };
    }
    const outId = def && expanded ? outputOf(doc, '', node, 0) : undefined;
    instances.set(node.id, {
      id: node.id,
      type: node.type,
      node,
      ...(def ? { params: instanceValues(def, node) } : {}),
      ports,
      sources,
      targets: doc.edges.filter((e) => e.from[0] === node.id).map((e) => e.to[0]),
      incoming: into.map((e) => e.from[0]),
      ...(outId && a.nodes.get(outId)?.outputShape ? { outputShape: a.nodes.get(outId)!.outputShape } : {}),
      ...(paramCount ? { paramCount } : {}),
      blockId: def?.id,
      inner,
    });
  }
  const ok = a.ok && !diagnostics.some((d) => d.severity === 'error');
  return { ...a, diagnostics, instances, ok };
}

/** The block param an inner node's param refers to ("$filters" -> "filters"), following nested instances. */
function innerParamRef(doc: GraphDoc, flatId: string, param: string): string | undefined {
  const parts = flatId.split(BLOCK_SEP);
  let nodes = doc.nodes;
  let key: string | undefined = param;
  const chain: { node: GraphNode }[] = [];
  for (const part of parts) {
    const n = nodes.find((m) => m.id === part);
    if (!n) return undefined;
    chain.push({ node: n });
    const def = isInstance(n) ? instanceBlock(doc, n) : undefined;
    if (def) nodes = def.nodes;
  }
  // Walk back out: the innermost node's param may name a param of its block, which the instance may set or pass on.
  for (let i = chain.length - 1; i > 0 && key !== undefined; i--) {
    const ref = paramRef(chain[i]!.node.params[key]);
    if (ref === undefined) return undefined;
    key = ref;
    const set = chain[i - 1]!.node.params[key];
    if (set !== undefined && paramRef(set) === undefined) return key;
  }
  return key;
}

function analyzeFlat(doc: GraphDoc): Analysis {
  const diagnostics: Diagnostic[] = [];
  const nodes = new Map<string, NodeAnalysis>();
  const paramErrors = new Set<string>();

  // 1. Nodes, types and params.
  for (const node of doc.nodes) {
    if (nodes.has(node.id)) {
      diagnostics.push(diagnostic('duplicate-id', 'error', [node.id], MESSAGES['duplicate-id'](node.id)));
      continue;
    }
    const def = getNodeDef(node.type);
    const entry: NodeAnalysis = { id: node.id, type: node.type, node, ports: [], sources: [], targets: [], incoming: [] };
    nodes.set(node.id, entry);
    if (!def) {
      diagnostics.push(diagnostic('unknown-type', 'error', [node.id], MESSAGES['unknown-type'](node.id, node.type)));
      continue;
    }
    entry.def = def;
    const { params, problems } = resolveParams(def, node.params);
    for (const p of problems) {
      diagnostics.push(diagnostic('bad-param', 'error', [node.id], MESSAGES['bad-param'](node.id, p.message), p.param));
    }
    if (problems.length) paramErrors.add(node.id);
    else entry.params = params;
    entry.ports = inputPorts(def, node.params.inputs);
    entry.sources = entry.ports.map(() => undefined);
  }

  // 2. Edges.
  const wiresInto = new Map<string, string[]>(); // "id.port" -> sources
  const seenEdges = new Set<string>();
  for (const edge of doc.edges) {
    const [fromId, fromPort] = edge.from;
    const [toId, toPort] = edge.to;
    const from = nodes.get(fromId);
    const to = nodes.get(toId);
    if (!from) {
      diagnostics.push(diagnostic('edge-unknown-node', 'error', to ? [toId] : [], MESSAGES['edge-unknown-node'](fromId, 'from')));
      continue;
    }
    if (!to) {
      diagnostics.push(diagnostic('edge-unknown-node', 'error', [fromId], MESSAGES['edge-unknown-node'](toId, 'to')));
      continue;
    }
    if (fromPort !== OUTPUT_PORT) {
      diagnostics.push(diagnostic('edge-bad-output', 'error', [fromId], MESSAGES['edge-bad-output'](fromId, fromPort)));
      continue;
    }
    const key = `${fromId}\u0000${toId}\u0000${toPort}`;
    if (seenEdges.has(key)) {
      diagnostics.push(diagnostic('duplicate-edge', 'error', [toId, fromId], MESSAGES['duplicate-edge'](fromId, `${toId}.${toPort}`)));
      continue;
    }
    seenEdges.add(key);
    if (!to.def) {
      // Unknown type: already reported and its ports are unknown, but keep the wire for the structure.
      from.targets.push(toId);
      to.incoming.push(fromId);
      continue;
    }
    const portIndex = to.ports.indexOf(toPort);
    if (portIndex < 0) {
      diagnostics.push(diagnostic('edge-bad-port', 'error', [toId], MESSAGES['edge-bad-port'](toId, toPort, to.def.title, to.ports)));
      continue;
    }
    const slot = `${toId}.${toPort}`;
    const list = wiresInto.get(slot) ?? [];
    list.push(fromId);
    wiresInto.set(slot, list);
    if (list.length === 1) {
      to.sources[portIndex] = fromId;
      from.targets.push(toId);
      to.incoming.push(fromId);
    }
  }
  for (const [slot, sources] of wiresInto) {
    if (sources.length > 1) {
      const [id, port] = slot.split('.') as [string, string];
      diagnostics.push(diagnostic('port-taken', 'error', [id, ...sources], MESSAGES['port-taken'](id, port, sources)));
    }
  }

  // 3. Structure: dangling inputs, one input node, one output node.
  const inputIds: string[] = [];
  const sinks: string[] = [];
  for (const n of nodes.values()) {
    if (n.def?.role === 'input') inputIds.push(n.id);
    n.sources.forEach((s, i) => {
      if (s === undefined) {
        diagnostics.push(
          diagnostic('dangling-input', 'error', [n.id], MESSAGES['dangling-input'](n.id, n.ports[i]!, n.def!.title, n.ports.length === 1)),
        );
      }
    });
    if (n.targets.length === 0) sinks.push(n.id);
  }
  if (nodes.size > 0 && inputIds.length === 0) diagnostics.push(diagnostic('no-input', 'error', [], MESSAGES['no-input']()));
  if (inputIds.length > 1) diagnostics.push(diagnostic('several-inputs', 'error', inputIds, MESSAGES['several-inputs'](inputIds)));
  if (sinks.length > 1) diagnostics.push(diagnostic('several-outputs', 'error', sinks, MESSAGES['several-outputs'](sinks)));

  // 4. Topological order (Kahn); what is left sits on or behind a cycle.
  const indegree = new Map<string, number>();
  for (const n of nodes.values()) indegree.set(n.id, n.incoming.length);
  const queue = [...nodes.values()].filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    order.push(id);
    for (const t of nodes.get(id)!.targets) {
      const d = indegree.get(t)! - 1;
      indegree.set(t, d);
      if (d === 0) queue.push(t);
    }
  }
  if (order.length < nodes.size) {
    // Prune nodes downstream of a cycle (no successor left in the set) to find the cycles themselves.
    const stuck = new Set([...nodes.keys()].filter((id) => indegree.get(id)! > 0));
    let changed = true;
    while (changed) {
      changed = false;
      for (const id of stuck) {
        if (!nodes.get(id)!.targets.some((t) => stuck.has(t))) {
          stuck.delete(id);
          changed = true;
        }
      }
    }
    const cycle = stuck.size ? findCycle(stuck, nodes) : [];
    const members = [...new Set(cycle)];
    diagnostics.push(diagnostic('cycle', 'error', members, MESSAGES.cycle(cycle)));
  } else if (nodes.size > 0 && sinks.length === 0) {
    diagnostics.push(diagnostic('no-output', 'error', [], MESSAGES['no-output']()));
  }

  // 5. Shapes and parameter counts, in order.
  for (const id of order) {
    const n = nodes.get(id)!;
    if (!n.def || !n.params) continue;
    const inputShapes: Shape[] = [];
    let ready = true;
    for (const s of n.sources) {
      const shape = s === undefined ? undefined : nodes.get(s)!.outputShape;
      if (!shape) ready = false;
      else inputShapes.push(shape);
    }
    if (!ready) continue;
    if (n.def.role === 'input' && inputIds.length > 1) continue;
    try {
      const shape = n.def.inferShape(inputShapes, n.params as never, n.sources as string[]);
      const elements = product(shape);
      if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`bad shape ${formatShape(shape)}`);
      if (elements > LIMITS.maxTensorElements) {
        diagnostics.push(diagnostic('tensor-too-large', 'error', [id], MESSAGES['tensor-too-large'](id, formatShape(shape))));
        continue;
      }
      n.outputShape = shape;
      n.paramCount = n.def.paramCount(inputShapes, n.params as never);
      for (const w of n.def.lint?.(inputShapes, shape, n.params as never, { task: doc.training?.task ?? 'classification' }) ?? []) {
        diagnostics.push(diagnostic('lint', 'warning', [id], MESSAGES.lint(id, w)));
      }
    } catch (e) {
      if (e instanceof ShapeError) diagnostics.push(diagnostic('shape', 'error', [id], MESSAGES.shape(id, e.message)));
      else diagnostics.push(diagnostic('internal', 'error', [id], MESSAGES.internal(id, e instanceof Error ? e.message : String(e))));
    }
  }
  // 6. Whole-graph lints (legal but suspicious).
  const outputId = sinks.length === 1 && order.length === nodes.size ? sinks[0] : undefined;
  for (const n of nodes.values()) {
    const isSoftmax = activationOf(n) === 'softmax';
    if (isSoftmax && n.targets.length > 0) {
      diagnostics.push(diagnostic('softmax-inside', 'warning', [n.id], MESSAGES['softmax-inside'](n.id, n.targets)));
    }
  }
  const task = doc.training?.task ?? 'classification';
  const inputShape = inputIds.length === 1 ? nodes.get(inputIds[0]!)!.outputShape : undefined;
  if (outputId && task !== 'classification') {
    const out = nodes.get(outputId)!;
    if (out.outputShape && out.def?.role !== 'input') diagnostics.push(...taskOutputDiagnostics(task, out, inputShape));
  } else if (outputId) {
    const out = nodes.get(outputId)!;
    if (out.outputShape && out.outputShape.length !== 1 && out.def?.role !== 'input') {
      diagnostics.push(diagnostic('output-not-vector', 'warning', [outputId], MESSAGES['output-not-vector'](outputId, formatShape(out.outputShape))));
    } else if (out.outputShape && out.outputShape.length === 1 && out.def?.role !== 'input' && activationOf(out) !== 'softmax') {
      const settable = !!out.def?.params && 'activation' in out.def.params;
      diagnostics.push(
        diagnostic('output-no-softmax', 'warning', [outputId], MESSAGES['output-no-softmax'](outputId, out.def?.title ?? out.type, settable)),
      );
    }
  }

  // 7. Totals.
  const totals: Totals = { params: 0, trainable: 0, nonTrainable: 0, complete: true };
  for (const n of nodes.values()) {
    if (!n.paramCount) {
      if (n.def?.role !== 'input') totals.complete = false;
      continue;
    }
    totals.trainable += n.paramCount.trainable;
    totals.nonTrainable += n.paramCount.nonTrainable;
  }
  totals.params = totals.trainable + totals.nonTrainable;
  if (totals.params > LIMITS.maxParams) {
    diagnostics.push(diagnostic('model-too-large', 'error', [], MESSAGES['model-too-large'](totals.params.toLocaleString('en-US'))));
  }

  const ok = !diagnostics.some((d) => d.severity === 'error') && paramErrors.size === 0;
  const inputId = inputIds.length === 1 ? inputIds[0] : undefined;
  return { nodes, order, inputId, outputId, diagnostics, totals, ok };
}
