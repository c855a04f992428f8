/**
 * Reading graph files defensively: size and depth limits, no prototype pollution, a schema
 * for the structure, bounded numbers. What this accepts is a structurally sound document;
 * whether the network makes sense is analyze()'s job (diagnostics attached to nodes).
 */
import { z } from 'zod';
import { checkJson, jsonPathText } from './json-guard';
import { LIMITS } from './limits';
import { lockFieldsProblem, MAX_LOCK_LIST } from './locks';
import { migrate, MIGRATIONS, type Migration } from './migrate';
import { TRAINING_SCHEMA } from './training-settings';
import { CURRENT_VERSION, FORMAT, type BlockDef, type GraphDoc, type GraphEdge, type GraphNode, type TrainingSettings } from './types';

export type ParseResult = { ok: true; doc: GraphDoc; migratedFrom?: number } | { ok: false; message: string };

export const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

const coordinate = z.number().finite().min(-LIMITS.maxCoordinate).max(LIMITS.maxCoordinate);
const id = z
  .string()
  .min(1, 'must not be empty')
  .max(LIMITS.maxIdLength, `must be at most ${LIMITS.maxIdLength} characters`)
  .regex(ID_PATTERN, 'may only contain letters, digits, _ and -');
const port = z.string().max(16).regex(/^[A-Za-z0-9_]+$/, 'is not a port name');

/** lockedParams / hiddenParams (locks.ts): param names, each once. */
const lockList = z
  .array(z.string().max(LIMITS.maxIdLength).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'is not a parameter name'))
  .max(MAX_LOCK_LIST)
  .refine((names) => new Set(names).size === names.length, 'names a parameter twice');

const nodeSchema = z.strictObject({
  id,
  type: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()).optional(),
  position: z.tuple([coordinate, coordinate]).optional(),
  locked: z.boolean().optional(),
  lockedParams: lockList.optional(),
  hiddenParams: lockList.optional(),
});

const edgeSchema = z.strictObject({
  from: z.tuple([id, port]),
  to: z.tuple([id, port]),
  locked: z.boolean().optional(),
});

const blockParamName = z.string().max(LIMITS.maxIdLength).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'is not a parameter name (letters, digits and _)');

const blockSchema = z.strictObject({
  id,
  name: z.string().min(1, 'must not be empty').max(LIMITS.maxNameLength),
  description: z.string().max(LIMITS.maxDescriptionLength).optional(),
  inputs: z.array(id).min(1, 'a block needs at least one input').max(LIMITS.maxBlockInputs),
  output: id,
  params: z
    .record(blockParamName, z.union([z.number().finite(), z.string().max(LIMITS.maxIdLength), z.boolean()]))
    .refine((p) => Object.keys(p).length <= LIMITS.maxBlockParams, `a block has at most ${LIMITS.maxBlockParams} params`)
    .optional(),
  nodes: z.array(nodeSchema).min(1, 'a block needs at least one node').max(LIMITS.maxNodes),
  edges: z.array(edgeSchema).max(LIMITS.maxEdges),
});

/** The training settings' schema is derived from their one table (training-settings.ts). */
const trainingSchema = TRAINING_SCHEMA;

const docSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(CURRENT_VERSION),
  name: z.string().max(LIMITS.maxNameLength).optional(),
  description: z.string().max(LIMITS.maxDescriptionLength).optional(),
  nodes: z.array(nodeSchema).max(LIMITS.maxNodes),
  edges: z.array(edgeSchema).max(LIMITS.maxEdges),
  blocks: z.array(blockSchema).max(LIMITS.maxBlocks).optional(),
  training: trainingSchema.optional(),
});

type NodeIn = z.infer<typeof nodeSchema>;
type EdgeIn = z.infer<typeof edgeSchema>;

function readNode(n: NodeIn): GraphNode {
  return {
    id: n.id,
    type: n.type,
    params: { ...(n.params ?? {}) },
    ...(n.position ? { position: [n.position[0], n.position[1]] as [number, number] } : {}),
    ...(n.locked ? { locked: true } : {}),
    ...(n.lockedParams?.length ? { lockedParams: [...n.lockedParams] } : {}),
    ...(n.hiddenParams?.length ? { hiddenParams: [...n.hiddenParams] } : {}),
  };
}

function readEdge(e: EdgeIn): GraphEdge {
  return { from: [e.from[0], e.from[1]], to: [e.to[0], e.to[1]], ...(e.locked ? { locked: true } : {}) };
}

function readBlock(b: z.infer<typeof blockSchema>): BlockDef {
  return {
    id: b.id,
    name: b.name,
    ...(b.description !== undefined ? { description: b.description } : {}),
    inputs: [...b.inputs],
    output: b.output,
    ...(b.params ? { params: { ...b.params } } : {}),
    nodes: b.nodes.map(readNode),
    edges: b.edges.map(readEdge),
  };
}

function pathText(path: readonly PropertyKey[]): string {
  return jsonPathText(path.map((p) => (typeof p === 'number' ? p : String(p)))) || 'the file';
}

function formatMib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** Checks a file's size before reading it (browser File.size, fs.stat). */
export function checkFileSize(bytes: number): string | undefined {
  return bytes > LIMITS.maxFileBytes
    ? `The file is ${formatMib(bytes)}; LayerLab graph files are at most ${formatMib(LIMITS.maxFileBytes)}. Is this really a LayerLab graph?`
    : undefined;
}

/** Parses the text of a graph file. Never throws. */
export function parseGraphText(text: string): ParseResult {
  const tooBig = checkFileSize(text.length);
  if (tooBig) return { ok: false, message: tooBig };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `The file is not valid JSON (${e instanceof Error ? e.message : String(e)}).` };
  }
  return parseGraph(json);
}

/** Validates and migrates an already-parsed JSON value. Never throws. */
export function parseGraph(json: unknown, migrations: Readonly<Record<number, Migration>> = MIGRATIONS, current = CURRENT_VERSION): ParseResult {
  try {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      return { ok: false, message: 'The file is not a LayerLab graph: it should hold one JSON object.' };
    }
    // Prototype-polluting keys and absurd nesting: the same guard as the model-file reader's.
    const bad = checkJson(json, { maxDepth: LIMITS.maxDepth, file: 'the file', kind: 'graph' });
    if (bad) return { ok: false, message: bad };
    const obj = json as Record<string, unknown>;
    if (obj.format !== FORMAT) {
      return {
        ok: false,
        message:
          obj.format === undefined
            ? `This is not a LayerLab graph file: it has no "format": "${FORMAT}" field.`
            : `This is not a LayerLab graph file: its format is ${JSON.stringify(obj.format).slice(0, 60)}, expected "${FORMAT}".`,
      };
    }
    const migrated = migrate(obj, migrations, current);
    if (!migrated.ok) return { ok: false, message: migrated.message };
    const { nodes, edges, blocks } = migrated.doc;
    const innerNodes = Array.isArray(blocks) ? blocks.reduce((s: number, b) => s + (Array.isArray((b as { nodes?: unknown })?.nodes) ? ((b as { nodes: unknown[] }).nodes.length) : 0), 0) : 0;
    const nodeCount = (Array.isArray(nodes) ? nodes.length : 0) + innerNodes;
    if (nodeCount > LIMITS.maxNodes) {
      return { ok: false, message: `The graph has ${nodeCount.toLocaleString('en-US')} nodes${innerNodes ? ' (blocks included)' : ''}; LayerLab handles up to ${LIMITS.maxNodes.toLocaleString('en-US')}.` };
    }
    if (Array.isArray(edges) && edges.length > LIMITS.maxEdges) {
      return { ok: false, message: `The graph has ${edges.length.toLocaleString('en-US')} edges; LayerLab handles up to ${LIMITS.maxEdges.toLocaleString('en-US')}.` };
    }
    const parsed = docSchema.safeParse(migrated.doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const extra = issue.code === 'unrecognized_keys' ? ` (${issue.keys.map((k) => `"${k}"`).join(', ')})` : '';
      return { ok: false, message: `The file is not a valid LayerLab graph: ${pathText(issue.path)}: ${issue.message}${extra}.` };
    }
    const d = parsed.data;
    for (const n of [...d.nodes, ...(d.blocks ?? []).flatMap((b) => b.nodes)]) {
      const bad = lockFieldsProblem(n);
      if (bad) return { ok: false, message: `The file is not a valid LayerLab graph: ${bad}` };
    }
    const doc: GraphDoc = {
      format: FORMAT,
      version: CURRENT_VERSION,
      name: d.name ?? 'Untitled',
      description: d.description ?? '',
      nodes: d.nodes.map(readNode),
      edges: d.edges.map(readEdge),
      ...(d.blocks ? { blocks: d.blocks.map(readBlock) } : {}),
      ...(d.training ? { training: { ...(d.training as TrainingSettings) } } : {}),
    };
    return migrated.from === current ? { ok: true, doc } : { ok: true, doc, migratedFrom: migrated.from };
  } catch (e) {
    // Defensive: nothing in a file may crash the app.
    return { ok: false, message: `The file could not be read (${e instanceof Error ? e.message : String(e)}).` };
  }
}
