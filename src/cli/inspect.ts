/** `layerlab inspect FILE [--json]`: shapes, parameter counts, totals and diagnostics of a graph. */
import { analyzeGraph, formatShape, type Analysis, type GraphDoc } from '../graph';
import type { CliIO } from './io';
import { readGraphFile } from './read-graph';

export interface InspectNode {
  id: string;
  type: string;
  outputShape: (number | null)[] | null;
  params: number | null;
}

/**
 * The nodes in data-flow order, then any left out of it (cycles, duplicate ids) in file order.
 * Blocks are listed as the layers inside them ("instance/inner"), as the model has them.
 */
export function inspectNodes(doc: GraphDoc, analysis: Analysis): InspectNode[] {
  const expanded = (id: string) => (analysis.instances?.get(id)?.inner.length ?? 0) > 0;
  const ids = new Set([...analysis.order, ...doc.nodes.map((n) => n.id).filter((id) => !expanded(id))]);
  return [...ids].map((id) => {
    const n = (analysis.nodes.get(id) ?? analysis.instances?.get(id))!;
    return {
      id,
      type: n.type,
      outputShape: n.outputShape ? [null, ...n.outputShape] : null,
      params: n.paramCount ? n.paramCount.trainable + n.paramCount.nonTrainable : null,
    };
  });
}

export function inspectJson(doc: GraphDoc, analysis: Analysis) {
  return {
    ok: analysis.ok,
    name: doc.name,
    totalParams: analysis.totals.params,
    trainableParams: analysis.totals.trainable,
    nonTrainableParams: analysis.totals.nonTrainable,
    complete: analysis.totals.complete,
    nodes: inspectNodes(doc, analysis),
    ...(analysis.instances?.size ? { blocks: inspectBlocks(doc, analysis) } : {}),
    diagnostics: analysis.diagnostics.map((d) => ({
      nodeId: d.nodeId ?? null,
      severity: d.severity,
      message: d.message,
      code: d.code,
      nodeIds: d.nodeIds,
      ...(d.param ? { param: d.param } : {}),
    })),
  };
}

/** Each block instance: its definition, output shape and parameters (the sum of its layers'). */
export function inspectBlocks(doc: GraphDoc, analysis: Analysis) {
  return [...(analysis.instances?.values() ?? [])].map((b) => ({
    id: b.id,
    block: b.blockId ?? null,
    name: doc.blocks?.find((d) => d.id === b.blockId)?.name ?? null,
    layers: b.inner.length,
    outputShape: b.outputShape ? [null, ...b.outputShape] : null,
    params: b.paramCount ? b.paramCount.trainable + b.paramCount.nonTrainable : null,
  }));
}

const n = (x: number) => x.toLocaleString('en-US');

function table(rows: string[][], rightAligned: number[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (rightAligned.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd())
    .join('\n');
}

export function inspectText(doc: GraphDoc, analysis: Analysis, path: string): string {
  const rows = [['id', 'type', 'output', 'params']];
  for (const node of inspectNodes(doc, analysis)) {
    rows.push([node.id, node.type, node.outputShape ? formatShape(node.outputShape.slice(1) as number[]) : '?', node.params === null ? '?' : n(node.params)]);
  }
  const t = analysis.totals;
  const blocks = analysis.instances?.size ? inspectBlocks(doc, analysis) : [];
  const blockRows = [['block', 'definition', 'layers', 'output', 'params'], ...blocks.map((b) => [b.id, b.name ?? '?', String(b.layers), b.outputShape ? formatShape(b.outputShape.slice(1) as number[]) : '?', b.params === null ? '?' : n(b.params)])];
  const lines = [
    `${doc.name} (${path}): ${doc.nodes.length} nodes, ${doc.edges.length} edges` +
      (blocks.length ? `; ${blocks.length} of the nodes are blocks (${doc.blocks?.length ?? 0} definitions), ${analysis.nodes.size} layers in all` : ''),
    '',
    table(rows, [3]),
    '',
    ...(blocks.length ? [table(blockRows, [2, 4]), ''] : []),
    `Total params: ${n(t.params)}${t.complete ? '' : ' (incomplete: some shapes are unknown)'}`,
    `  trainable: ${n(t.trainable)}, non-trainable: ${n(t.nonTrainable)}`,
  ];
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  const warnings = analysis.diagnostics.filter((d) => d.severity === 'warning');
  lines.push('');
  if (!errors.length && !warnings.length) lines.push('No problems found.');
  else lines.push(`${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}:`);
  for (const d of [...errors, ...warnings]) lines.push(`  ${d.severity === 'error' ? 'error  ' : 'warning'}  ${d.message}`);
  return lines.join('\n') + '\n';
}

export function inspectCommand(file: string, json: boolean, io: CliIO): number {
  const read = readGraphFile(file);
  if (!read.ok) {
    if (json) io.out(JSON.stringify({ ok: false, error: read.message }) + '\n');
    else io.err(`layerlab: ${read.message}\n`);
    return 2;
  }
  const analysis = analyzeGraph(read.doc);
  io.out(json ? JSON.stringify(inspectJson(read.doc, analysis), null, 2) + '\n' : inspectText(read.doc, analysis, file));
  return analysis.ok ? 0 : 1;
}
