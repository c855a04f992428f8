/**
 * Writes a graph document in the canonical file layout: one node and one edge per line, keys in
 * a fixed order, so that files stay readable by hand and diff well in git.
 */
import type { GraphDoc } from './types';

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

export function serializeGraph(doc: GraphDoc): string {
  const nodes = doc.nodes.map((n) => ({ id: n.id, type: n.type, params: n.params, position: n.position }));
  const edges = doc.edges.map((e) => ({ from: e.from, to: e.to }));
  const lines = [
    `  "format": ${JSON.stringify(doc.format)}`,
    `  "version": ${doc.version}`,
    `  "name": ${JSON.stringify(doc.name)}`,
    `  "description": ${JSON.stringify(doc.description)}`,
    `  "nodes": ${list(nodes, '    ')}`,
    `  "edges": ${list(edges, '    ')}`,
  ];
  if (doc.training) lines.push(`  "training": ${inline(doc.training)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}
