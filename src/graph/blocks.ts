/**
 * Blocks (format version 2): a group of nodes defined once in the document's `blocks` and used
 * as one node (type "block") any number of times, like a Keras nested model. Editing the
 * definition changes every use. Everything that builds or exports a model works on the flat
 * graph that expandBlocks() makes: inner nodes get the ids `instance/inner` (nested blocks
 * `a/b/c`), so layer names, weights and feature maps of inner nodes are keyed by those.
 *
 * Pure: no DOM, no tfjs.
 */
import { LIMITS } from './limits';
import type { BlockDef, GraphDoc, GraphEdge, GraphNode } from './types';
import { uniqueId } from './ids';

export const BLOCK_TYPE = 'block';
export const BLOCK_SEP = '/';
/** Blocks inside blocks inside … at most this deep (a block that contains itself stops here). */
export const MAX_BLOCK_DEPTH = 8;

export type BlockParamValue = number | string | boolean;

export const isInstance = (n: Pick<GraphNode, 'type'>) => n.type === BLOCK_TYPE;

export function hasBlocks(doc: Pick<GraphDoc, 'nodes' | 'blocks'>): boolean {
  return (doc.blocks?.length ?? 0) > 0 || doc.nodes.some(isInstance);
}

export function findBlock(doc: Pick<GraphDoc, 'blocks'>, id: unknown): BlockDef | undefined {
  return typeof id === 'string' ? doc.blocks?.find((b) => b.id === id) : undefined;
}

/** The block an instance node uses (its `block` param). */
export function instanceBlock(doc: Pick<GraphDoc, 'blocks'>, node: GraphNode): BlockDef | undefined {
  return findBlock(doc, node.params.block);
}

/** The instance's input ports, in operand order: in0, in1, … one per block input. */
export function blockInputPorts(def: Pick<BlockDef, 'inputs'>): string[] {
  return def.inputs.map((_, i) => `in${i}`);
}

/** A reference to a block parameter in an inner node's params: the string "$name". */
export function paramRef(value: unknown): string | undefined {
  return typeof value === 'string' && /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(value) ? value.slice(1) : undefined;
}

/** The values of a block's params for one instance: the definition's defaults, then the instance's own. */
export function instanceValues(def: BlockDef, node: GraphNode): Record<string, unknown> {
  const values: Record<string, unknown> = { ...(def.params ?? {}) };
  for (const [k, v] of Object.entries(node.params)) if (k !== 'block' && def.params && k in def.params) values[k] = v;
  return values;
}

function resolveRefs(params: Record<string, unknown>, values: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(params)) {
    const ref = paramRef(v);
    if (ref !== undefined && Object.prototype.hasOwnProperty.call(values, ref)) {
      out ??= { ...params };
      out[k] = values[ref];
    }
  }
  return out ?? params;
}

/** Why an instance cannot be expanded (shown on the instance), or undefined. */
export function instanceProblem(doc: Pick<GraphDoc, 'blocks'>, node: GraphNode, depth = 0): string | undefined {
  const def = instanceBlock(doc, node);
  if (!def) {
    const name = node.params.block;
    return typeof name === 'string'
      ? `${node.id}: this block uses the definition "${name}", which is not in the file.`
      : `${node.id}: a block node needs a "block" param naming its definition.`;
  }
  if (depth >= MAX_BLOCK_DEPTH) return `${node.id}: blocks nest more than ${MAX_BLOCK_DEPTH} deep (does "${def.id}" contain itself?).`;
  const inner = new Set(def.nodes.map((n) => n.id));
  if (!inner.has(def.output)) return `${node.id}: block "${def.name}" names "${def.output}" as its output, but it has no node with that id.`;
  const clash = def.inputs.find((i) => inner.has(i));
  if (clash) return `${node.id}: block "${def.name}" has an input and a node both called "${clash}".`;
  if (new Set(def.inputs).size !== def.inputs.length) return `${node.id}: block "${def.name}" names an input twice.`;
  return undefined;
}

/**
 * How many flat nodes each top-level node becomes (1 for a plain node), without expanding:
 * a hostile file could nest 100 instances of 100 instances of … and explode.
 */
export function expandedSizes(doc: Pick<GraphDoc, 'blocks' | 'nodes'>): Map<string, number> {
  const memo = new Map<string, number>();
  const sizeOf = (def: BlockDef, depth: number): number => {
    const known = memo.get(def.id);
    if (known !== undefined) return known;
    if (depth >= MAX_BLOCK_DEPTH) return 1;
    memo.set(def.id, Infinity); // a block inside itself
    let total = 0;
    for (const n of def.nodes) {
      const inner = isInstance(n) ? findBlock(doc, n.params.block) : undefined;
      total += inner ? sizeOf(inner, depth + 1) : 1;
      if (total > LIMITS.maxNodes) break;
    }
    memo.set(def.id, total);
    return total;
  };
  return new Map(doc.nodes.map((n) => {
    const def = isInstance(n) ? instanceBlock(doc, n) : undefined;
    return [n.id, def ? sizeOf(def, 1) : 1];
  }));
}

interface Level {
  prefix: string;
  nodes: readonly GraphNode[];
  edges: readonly GraphEdge[];
  /** Block input name -> flat id of the node feeding it. */
  inputs: ReadonlyMap<string, string | undefined>;
  values: Record<string, unknown>;
  depth: number;
}

/** The flat id whose output is node `id`'s output (for an instance: its block's output node, recursively). */
export function outputOf(doc: Pick<GraphDoc, 'blocks'>, prefix: string, node: GraphNode, depth: number): string {
  if (!isInstance(node) || instanceProblem(doc, node, depth)) return prefix + node.id;
  const def = instanceBlock(doc, node)!;
  const out = def.nodes.find((n) => n.id === def.output)!;
  return outputOf(doc, `${prefix}${node.id}${BLOCK_SEP}`, out, depth + 1);
}

/**
 * The flat graph: no `blocks`, every instance replaced by its inner nodes (ids `instance/inner`,
 * `$param` references resolved) and wired in place. An instance that cannot be expanded (unknown
 * definition, too deep, …) stays as a node of type "block" (analysis reports it). A document
 * without blocks comes back unchanged (the same object).
 */
export function expandBlocks(doc: GraphDoc): GraphDoc {
  if (!hasBlocks(doc)) return doc;
  if ([...expandedSizes(doc).values()].reduce((a, b) => a + b, 0) > LIMITS.maxNodes) {
    // Too big to expand: every instance stays one node of type "block" and analysis says why.
    const { blocks: _b, ...rest } = doc;
    return rest;
  }
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const expand = (level: Level) => {
    const byId = new Map(level.nodes.map((n) => [n.id, n]));
    const source = (id: string): string | undefined => {
      if (level.inputs.has(id)) return level.inputs.get(id);
      const n = byId.get(id);
      return n ? outputOf(doc, level.prefix, n, level.depth) : level.prefix + id;
    };
    const expandable = (n: GraphNode) => isInstance(n) && !instanceProblem(doc, n, level.depth);
    const instanceInputs = new Map<string, Map<string, string | undefined>>();
    for (const n of level.nodes) {
      if (expandable(n)) {
        instanceInputs.set(n.id, new Map());
      } else {
        nodes.push({ ...n, id: level.prefix + n.id, params: resolveRefs(n.params, level.values) });
      }
    }
    for (const e of level.edges) {
      const from = source(e.from[0]);
      if (from === undefined) continue; // an unconnected block input: the inner node reports a dangling input
      const fromPort = level.inputs.has(e.from[0]) ? 'out' : e.from[1];
      const target = instanceInputs.get(e.to[0]);
      if (target) target.set(e.to[1], from);
      else edges.push({ ...e, from: [from, fromPort], to: [level.prefix + e.to[0], e.to[1]] });
    }
    for (const n of level.nodes) {
      const wired = instanceInputs.get(n.id);
      if (!wired) continue;
      const def = instanceBlock(doc, n)!;
      const ports = blockInputPorts(def);
      expand({
        prefix: `${level.prefix}${n.id}${BLOCK_SEP}`,
        nodes: def.nodes,
        edges: def.edges,
        inputs: new Map(def.inputs.map((name, i) => [name, wired.get(ports[i]!)])),
        values: resolveRefs(instanceValues(def, n), level.values),
        depth: level.depth + 1,
      });
    }
  };
  expand({ prefix: '', nodes: doc.nodes, edges: doc.edges, inputs: new Map(), values: {}, depth: 0 });
  const { blocks: _blocks, ...rest } = doc;
  return { ...rest, nodes, edges };
}

/** The top-level node a flat id belongs to: "res2a/c1" -> "res2a"; a top-level id maps to itself. */
export function topLevelId(flatId: string): string {
  const i = flatId.indexOf(BLOCK_SEP);
  return i < 0 ? flatId : flatId.slice(0, i);
}

/** Blocks that no node (top level or inside another used block) uses. */
export function unusedBlocks(doc: GraphDoc): string[] {
  const used = new Set<string>();
  const visit = (nodes: readonly GraphNode[], depth: number) => {
    if (depth > MAX_BLOCK_DEPTH) return;
    for (const n of nodes) {
      if (!isInstance(n)) continue;
      const def = instanceBlock(doc, n);
      if (!def || used.has(def.id)) continue;
      used.add(def.id);
      visit(def.nodes, depth + 1);
    }
  };
  visit(doc.nodes, 0);
  return (doc.blocks ?? []).filter((b) => !used.has(b.id)).map((b) => b.id);
}

// ---------------------------------------------------------------------------------------------
// Editing blocks. Each takes a document and returns a new one (nothing is mutated).

export type BlockEdit = { doc: GraphDoc } | { error: string };

const taken = (doc: GraphDoc) => new Set(doc.nodes.map((n) => n.id));

/** `base` made an id (or `base_2`, `base_3`, … when in use). */
function freshName(base: string, used: Set<string>): string {
  const clean = base.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 'block';
  return uniqueId(clean, used, { bareFirst: true, start: 2 });
}

function freshInstanceId(doc: GraphDoc, blockId: string): string {
  return uniqueId(blockId, taken(doc));
}

/**
 * The selected nodes become a block definition and one instance of it in their place, wired as
 * they were. A block has one output: the selection may leave through one node only.
 */
export function makeBlock(doc: GraphDoc, nodeIds: Iterable<string>, opts: { name?: string } = {}): { doc: GraphDoc; instanceId: string; blockId: string } | { error: string } {
  const sel = new Set(nodeIds);
  const chosen = doc.nodes.filter((n) => sel.has(n.id));
  if (chosen.length === 0) return { error: 'Select the nodes that should become a block first.' };
  if (chosen.length !== sel.size) return { error: 'Some selected nodes are not in the graph.' };
  if (chosen.some((n) => n.type === 'input')) return { error: 'The Input node cannot go inside a block: a block takes its input from the node before it.' };
  const into = doc.edges.filter((e) => sel.has(e.to[0]) && !sel.has(e.from[0]));
  const outOf = doc.edges.filter((e) => sel.has(e.from[0]) && !sel.has(e.to[0]));
  const leaving = [...new Set(outOf.map((e) => e.from[0]))];
  if (leaving.length > 1) {
    return { error: `A block has one output, but wires leave the selection from ${leaving.length} nodes (${leaving.slice(0, 4).join(', ')}). Select so that only one node feeds the rest of the graph.` };
  }
  let output = leaving[0];
  if (!output) {
    const sinks = chosen.filter((n) => !doc.edges.some((e) => e.from[0] === n.id));
    if (sinks.length !== 1) return { error: 'A block has one output: the selected nodes should end in one node.' };
    output = sinks[0]!.id;
  }
  const sources = [...new Set(into.map((e) => e.from[0]))];
  if (sources.length === 0) return { error: 'A block needs an input: select nodes that something outside the selection feeds.' };
  if (sources.length > LIMITS.maxBlockInputs) return { error: `A block takes at most ${LIMITS.maxBlockInputs} inputs; this selection is fed by ${sources.length} nodes.` };
  const innerIds = new Set(chosen.map((n) => n.id));
  const inputNames: string[] = [];
  for (let i = 0; i < sources.length; i++) inputNames.push(freshName(sources.length === 1 ? 'x' : `x${i}`, new Set([...innerIds, ...inputNames])));
  const nameOf = new Map(sources.map((s, i) => [s, inputNames[i]!]));
  const xs = chosen.map((n) => n.position?.[0] ?? 0);
  const ys = chosen.map((n) => n.position?.[1] ?? 0);
  const [x0, y0] = [Math.min(...xs), Math.min(...ys)];
  const blockIds = new Set((doc.blocks ?? []).map((b) => b.id));
  const name = opts.name?.trim().slice(0, LIMITS.maxNameLength) || `Block ${(doc.blocks?.length ?? 0) + 1}`;
  const blockId = freshName(name.toLowerCase(), blockIds);
  const def: BlockDef = {
    id: blockId,
    name,
    inputs: inputNames,
    output,
    nodes: chosen.map((n) => ({ ...n, position: [(n.position?.[0] ?? 0) - x0, (n.position?.[1] ?? 0) - y0] as [number, number] })),
    edges: [
      ...into.map((e) => ({ ...e, from: [nameOf.get(e.from[0])!, 'out'] as [string, string] })),
      ...doc.edges.filter((e) => sel.has(e.from[0]) && sel.has(e.to[0])),
    ],
  };
  const rest = doc.nodes.filter((n) => !sel.has(n.id));
  const instanceId = freshName(blockId, new Set(rest.map((n) => n.id)));
  const instance: GraphNode = { id: instanceId, type: BLOCK_TYPE, params: { block: blockId }, position: [x0, y0] };
  const ports = blockInputPorts(def);
  const edges: GraphEdge[] = [
    ...doc.edges.filter((e) => !sel.has(e.from[0]) && !sel.has(e.to[0])),
    ...sources.map((s, i) => ({ from: [s, 'out'] as [string, string], to: [instanceId, ports[i]!] as [string, string] })),
    ...outOf.map((e) => ({ ...e, from: [instanceId, 'out'] as [string, string] })),
  ];
  const index = doc.nodes.findIndex((n) => sel.has(n.id));
  const nodes = [...rest.slice(0, index), instance, ...rest.slice(index)];
  return { doc: { ...doc, nodes, edges, blocks: [...(doc.blocks ?? []), def] }, instanceId, blockId };
}

/** A new instance of a block of the document. */
export function addBlockInstance(doc: GraphDoc, blockId: string, position: [number, number]): { doc: GraphDoc; id: string } | { error: string } {
  const def = findBlock(doc, blockId);
  if (!def) return { error: `There is no block "${blockId}" in this graph.` };
  if (doc.nodes.length >= LIMITS.maxNodes) return { error: `A graph can have at most ${LIMITS.maxNodes} nodes.` };
  const id = freshInstanceId(doc, def.id);
  return { doc: { ...doc, nodes: [...doc.nodes, { id, type: BLOCK_TYPE, params: { block: def.id }, position }] }, id };
}

/**
 * The instance becomes the nodes inside it (ids "instance_inner"), wired in place, with the
 * block's params filled in. The definition stays: other uses keep it.
 */
export function detachInstance(doc: GraphDoc, instanceId: string): { doc: GraphDoc; ids: string[] } | { error: string } {
  const node = doc.nodes.find((n) => n.id === instanceId);
  if (!node || !isInstance(node)) return { error: `${instanceId} is not a block.` };
  const problem = instanceProblem(doc, node);
  if (problem) return { error: problem };
  const def = instanceBlock(doc, node)!;
  const used = new Set(doc.nodes.filter((n) => n.id !== instanceId).map((n) => n.id));
  const newId = new Map<string, string>();
  for (const n of def.nodes) {
    const id = freshName(`${instanceId}_${n.id}`.slice(0, LIMITS.maxIdLength), used);
    used.add(id);
    newId.set(n.id, id);
  }
  const values = instanceValues(def, node);
  const [px, py] = node.position ?? [0, 0];
  const inner: GraphNode[] = def.nodes.map((n) => ({
    ...n,
    id: newId.get(n.id)!,
    params: resolveRefs(n.params, values),
    position: [px + (n.position?.[0] ?? 0), py + (n.position?.[1] ?? 0)],
  }));
  const ports = blockInputPorts(def);
  const feeding = new Map(def.inputs.map((name, i) => [name, doc.edges.find((e) => e.to[0] === instanceId && e.to[1] === ports[i])?.from[0]]));
  const edges: GraphEdge[] = doc.edges.filter((e) => e.to[0] !== instanceId && e.from[0] !== instanceId);
  for (const e of def.edges) {
    const src = feeding.has(e.from[0]) ? feeding.get(e.from[0]) : newId.get(e.from[0]);
    if (src !== undefined) edges.push({ ...e, from: [src, 'out'], to: [newId.get(e.to[0]) ?? e.to[0], e.to[1]] });
  }
  for (const e of doc.edges) if (e.from[0] === instanceId) edges.push({ ...e, from: [newId.get(def.output)!, 'out'] });
  const index = doc.nodes.findIndex((n) => n.id === instanceId);
  const nodes = [...doc.nodes.slice(0, index), ...inner, ...doc.nodes.slice(index + 1)];
  return { doc: { ...doc, nodes, edges }, ids: inner.map((n) => n.id) };
}

/**
 * A block's inside as an ordinary document, for editing in the canvas: each block input is an
 * Input node named after it (shaped like what feeds `instanceId`, or the first use whose shape is
 * known), and `$param` references show the instance's values. writeBlockView is the inverse.
 */
export function blockView(doc: GraphDoc, blockId: string, instanceId?: string, inputShapes?: readonly (readonly number[] | undefined)[]): GraphDoc {
  const def = findBlock(doc, blockId);
  if (!def) throw new Error(`There is no block "${blockId}" in this graph.`);
  const node = instanceId ? doc.nodes.find((n) => n.id === instanceId) : doc.nodes.find((n) => isInstance(n) && n.params.block === blockId);
  const values = node ? instanceValues(def, node) : { ...(def.params ?? {}) };
  const inputs: GraphNode[] = def.inputs.map((name, i) => {
    const shape = inputShapes?.[i];
    return { id: name, type: 'input', params: shape ? { shape: [...shape] } : {}, position: [-280, i * 190] };
  });
  return {
    format: doc.format,
    version: doc.version,
    name: def.name,
    description: def.description ?? '',
    nodes: [...inputs, ...def.nodes.map((n) => ({ ...n, params: resolveRefs(n.params, values) }))],
    edges: def.edges.map((e) => ({ ...e })),
    ...(doc.blocks ? { blocks: doc.blocks } : {}),
    ...(doc.training ? { training: doc.training } : {}),
  };
}

/**
 * Writes an edited block view back into the definition: every use changes with it. Input nodes
 * are the block's inputs. A param that still shows the instance's value keeps its `$param`
 * reference; a param changed here becomes that value in every use.
 */
export function writeBlockView(doc: GraphDoc, blockId: string, view: GraphDoc, instanceId?: string): BlockEdit {
  const def = findBlock(doc, blockId);
  if (!def) return { error: `There is no block "${blockId}" in this graph.` };
  const node = instanceId ? doc.nodes.find((n) => n.id === instanceId) : doc.nodes.find((n) => isInstance(n) && n.params.block === blockId);
  const values = node ? instanceValues(def, node) : { ...(def.params ?? {}) };
  const inputs = view.nodes.filter((n) => n.type === 'input').map((n) => n.id);
  if (inputs.length === 0) return { error: 'A block needs at least one input: keep an Input node in it.' };
  const inner = view.nodes.filter((n) => n.type !== 'input');
  if (inner.length === 0) return { error: 'A block needs at least one node besides its inputs.' };
  if (inner.some((n) => n.type === BLOCK_TYPE && n.params.block === blockId)) return { error: `Block “${def.name}” cannot contain itself.` };
  const old = new Map(def.nodes.map((n) => [n.id, n]));
  const nodes = inner.map((n) => {
    const before = old.get(n.id);
    if (!before) return n;
    const params = { ...n.params };
    for (const [k, v] of Object.entries(before.params)) {
      const ref = paramRef(v);
      if (ref !== undefined && k in params && params[k] === values[ref]) params[k] = v;
    }
    return { ...n, params };
  });
  const ids = new Set(nodes.map((n) => n.id));
  let output = def.output;
  if (!ids.has(output)) {
    const sinks = nodes.filter((n) => !view.edges.some((e) => e.from[0] === n.id));
    if (sinks.length !== 1) return { error: `A block has one output: its output node ${def.output} is gone, and ${sinks.length} nodes now feed nothing.` };
    output = sinks[0]!.id;
  }
  const ordered = [...def.inputs.filter((i) => inputs.includes(i)), ...inputs.filter((i) => !def.inputs.includes(i))];
  const next: BlockDef = { ...def, inputs: ordered, output, nodes, edges: view.edges.map((e) => ({ ...e })) };
  return { doc: { ...doc, blocks: (doc.blocks ?? []).map((b) => (b.id === blockId ? next : b)) } };
}

export function renameBlock(doc: GraphDoc, blockId: string, name: string): BlockEdit {
  const clean = name.trim().slice(0, LIMITS.maxNameLength);
  if (!clean) return { error: 'A block needs a name.' };
  if (!findBlock(doc, blockId)) return { error: `There is no block "${blockId}" in this graph.` };
  return { doc: { ...doc, blocks: doc.blocks!.map((b) => (b.id === blockId ? { ...b, name: clean } : b)) } };
}

/** Removes an unused block definition (one in use is refused). */
export function removeBlock(doc: GraphDoc, blockId: string): BlockEdit {
  const def = findBlock(doc, blockId);
  if (!def) return { error: `There is no block "${blockId}" in this graph.` };
  if (!unusedBlocks(doc).includes(blockId)) return { error: `Block “${def.name}” is still used; detach or delete its uses first.` };
  const blocks = doc.blocks!.filter((b) => b.id !== blockId);
  const { blocks: _b, ...rest } = doc;
  return { doc: blocks.length ? { ...rest, blocks } : rest };
}

/** Copies a block definition (from a library or another graph) into the document, under a fresh id when its id is taken. */
export function importBlock(doc: GraphDoc, def: BlockDef): { doc: GraphDoc; blockId: string } {
  const ids = new Set((doc.blocks ?? []).map((b) => b.id));
  const blockId = ids.has(def.id) ? freshName(def.id, ids) : def.id;
  return { doc: { ...doc, blocks: [...(doc.blocks ?? []), { ...def, id: blockId }] }, blockId };
}
