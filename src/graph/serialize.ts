/**
 * Writes a graph document in the canonical file layout: one node and one edge per line, keys in
 * a fixed order, so that files stay readable by hand and diff well in git.
 */
import type { BlockDef, GraphDoc, GraphEdge, GraphNode } from './types';

function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length ? `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }` : '{}';
  }
  return JSON.stringify(value) ?? 'null';
}

function list(items: unknown[], indent: string): string {
  return items.length ? `[\n${items.map((i) => indent + inline(i)).join(',\n')}\n  ]` : '[]';
}

/** Lock fields (locks.ts) are written only when set, after the rest. */
const listed = (names: string[] | undefined) => (names?.length ? names : undefined);
const nodeLine = (n: GraphNode) => ({
  id: n.id,
  type: n.type,
  params: n.params,
  position: n.position,
  locked: n.locked || undefined,
  lockedParams: listed(n.lockedParams),
  hiddenParams: listed(n.hiddenParams),
});
const edgeLine = (e: GraphEdge) => ({ from: e.from, to: e.to, locked: e.locked || undefined });

/** A block definition: its envelope on one line, then one inner node and one inner edge per line. */
function block(b: BlockDef): string {
  const head = { id: b.id, name: b.name, description: b.description, inputs: b.inputs, output: b.output, params: b.params };
  const fields = Object.entries(head)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`);
  const nodes = b.nodes.map((n) => '        ' + inline(nodeLine(n))).join(',\n');
  const edges = b.edges.map((e) => '        ' + inline(edgeLine(e))).join(',\n');
  return [
    `    {\n      ${fields.join(', ')},`,
    `      "nodes": ${nodes ? `[\n${nodes}\n      ]` : '[]'},`,
    `      "edges": ${edges ? `[\n${edges}\n      ]` : '[]'}\n    }`,
  ].join('\n');
}

export function serializeGraph(doc: GraphDoc): string {
  const nodes = doc.nodes.map(nodeLine);
  const edges = doc.edges.map(edgeLine);
  const lines = [
    `  "format": ${JSON.stringify(doc.format)}`,
    `  "version": ${doc.version}`,
    `  "name": ${JSON.stringify(doc.name)}`,
    `  "description": ${JSON.stringify(doc.description)}`,
    `  "nodes": ${list(nodes, '    ')}`,
    `  "edges": ${list(edges, '    ')}`,
  ];
  if (doc.blocks?.length) lines.push(`  "blocks": [\n${doc.blocks.map(block).join(',\n')}\n  ]`);
  if (doc.training) lines.push(`  "training": ${inline(doc.training)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}
