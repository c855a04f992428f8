/**
 * A clean, self-contained SVG of a graph for slides and papers: plain rects, paths and text
 * (no foreignObject, no CSS, no web fonts), so that Inkscape, PowerPoint and Keynote import it
 * as shapes. Also the small text-free preview of a preset, and PNG rendering (browser only).
 * Everything taken from the file is XML-escaped: names, types and descriptions are untrusted.
 */
import { formatShape, type Analysis, type GraphDoc, type GraphNode } from '../graph';
import { categoryColor } from '../../nodes/categories';
import { getNodeDef } from '../../nodes/registry';
import { nodeInfo } from '../graph/analyze';
import { findBlock } from '../graph/blocks';
import { BLOCK_COLOR } from './blocks/face';

export const NODE_SIZE = { width: 180, height: 72 } as const;

export interface DiagramOptions {
  /** Measured node sizes by id (e.g. from the editor); NODE_SIZE otherwise. */
  sizes?: Map<string, { width: number; height: number }>;
  /** Boxes and wires only, no text: a small preview. */
  thumbnail?: boolean;
  /** Space around the drawing, in graph units (default 24). */
  padding?: number;
}

const HEADER = 24;
const GAP = 60;
const RADIUS = 8;
const SANS = 'Arial, Helvetica, sans-serif';
const MONO = 'Consolas, Menlo, monospace';
const COLORS = { text: '#1c2330', muted: '#5b6577', border: '#c3c9d4', error: '#b42318', wire: '#8a94a6', body: '#ffffff' };

// Characters XML 1.0 does not allow at all (control characters, lone surrogates, U+FFFE/F).
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text safe inside an XML element or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const num = (n: number) => String(Math.round(n * 100) / 100);

/** Cuts text to about `width` units with an ellipsis, for an average character width of `em` × `fontSize`. */
function fit(text: string, width: number, fontSize: number, em: number): string {
  const max = Math.max(1, Math.floor(width / (fontSize * em)));
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

interface Box {
  node: GraphNode;
  x: number;
  y: number;
  w: number;
  h: number;
}

function layout(doc: GraphDoc, analysis: Analysis, sizes: DiagramOptions['sizes']): { boxes: Box[]; byId: Map<string, Box> } {
  const sizeOf = (id: string) => {
    const s = sizes?.get(id);
    const ok = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
    return { w: ok(s?.width) ? s.width : NODE_SIZE.width, h: ok(s?.height) ? s.height : NODE_SIZE.height };
  };
  const boxes: Box[] = [];
  const unplaced: GraphNode[] = [];
  for (const node of doc.nodes) {
    if (node.position) boxes.push({ node, x: node.position[0], y: node.position[1], ...sizeOf(node.id) });
    else unplaced.push(node);
  }
  // Nodes without a position: one row to the right of the placed ones, in topological order.
  const rank = new Map(analysis.order.map((id, i) => [id, i]));
  unplaced.sort((a, b) => (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity));
  let x = boxes.length ? Math.max(...boxes.map((b) => b.x + b.w)) + GAP : 0;
  const y = boxes.length ? Math.min(...boxes.map((b) => b.y)) : 0;
  for (const node of unplaced) {
    const size = sizeOf(node.id);
    boxes.push({ node, x, y, ...size });
    x += size.w + GAP;
  }
  const byId = new Map<string, Box>();
  for (const b of boxes) if (!byId.has(b.node.id)) byId.set(b.node.id, b);
  return { boxes, byId };
}

/** The graph as a standalone SVG document. */
export function diagramSvg(doc: GraphDoc, analysis: Analysis, opts: DiagramOptions = {}): string {
  const thumbnail = opts.thumbnail ?? false;
  const padding = opts.padding ?? 24;
  const { boxes, byId } = layout(doc, analysis, opts.sizes);
  const errors = new Set(analysis.diagnostics.filter((d) => d.severity === 'error' && d.nodeId !== undefined).map((d) => d.nodeId!));
  // Thin strokes stay visible when a big graph is shrunk to a preview.
  const stroke = thumbnail ? ' vector-effect="non-scaling-stroke"' : '';

  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const extend = (x: number, y: number) => {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  };
  for (const b of boxes) {
    extend(b.x, b.y);
    extend(b.x + b.w, b.y + b.h);
  }

  const wires: string[] = [];
  for (const edge of doc.edges) {
    const from = byId.get(edge.from[0]);
    const to = byId.get(edge.to[0]);
    if (!from || !to) continue;
    const ports = nodeInfo(analysis, to.node.id)?.ports ?? [];
    const slot = ports.indexOf(edge.to[1]);
    const x1 = from.x + from.w;
    const y1 = from.y + from.h / 2;
    const x2 = to.x;
    const y2 = slot < 0 ? to.y + to.h / 2 : to.y + (to.h * (slot + 1)) / (ports.length + 1);
    // Forward wires bend halfway; wires running back (a wrapped row) keep a small loop.
    const dx = x2 >= x1 ? Math.max(30, (x2 - x1) / 2) : Math.min(120, Math.max(30, (x1 - x2) / 4));
    // The curve stays inside its control points' hull, so these bound it.
    extend(x1 + dx, y1);
    extend(x2 - dx, y2);
    wires.push(
      `<path class="edge" d="M${num(x1)} ${num(y1)} C${num(x1 + dx)} ${num(y1)} ${num(x2 - dx)} ${num(y2)} ${num(x2)} ${num(y2)}" fill="none" stroke="${COLORS.wire}" stroke-width="2"${stroke}/>`,
    );
  }
  if (!boxes.length) minX = minY = maxX = maxY = 0;

  const nodes = boxes.map((b) => {
    // A duplicated id is analysed once, for its first node.
    const info = byId.get(b.node.id) === b ? nodeInfo(analysis, b.node.id) : undefined;
    const def = getNodeDef(b.node.type);
    // A block instance: its block's name and colour (blocks/face.ts).
    const block = def ? undefined : findBlock(doc, b.node.params.block);
    const color = block ? BLOCK_COLOR : categoryColor(def?.category);
    const bad = errors.has(b.node.id);
    const parts = [
      `<g class="node" transform="translate(${num(b.x)} ${num(b.y)})">`,
      `<rect width="${num(b.w)}" height="${num(b.h)}" rx="${RADIUS}" fill="${COLORS.body}"/>`,
      `<rect width="${num(b.w)}" height="${HEADER}" rx="${RADIUS}" fill="${color}"/>`,
      `<rect y="${HEADER / 2}" width="${num(b.w)}" height="${HEADER / 2}" fill="${color}"/>`,
      `<rect width="${num(b.w)}" height="${num(b.h)}" rx="${RADIUS}" fill="none" stroke="${bad ? COLORS.error : COLORS.border}" stroke-width="${bad ? 2.5 : 1}"${stroke}/>`,
    ];
    if (!thumbnail) {
      const inner = b.w - 20;
      const count = def?.role !== 'input' ? info?.paramCount : undefined;
      const total = count ? count.trainable + count.nonTrainable : undefined;
      const shape = formatShape(info?.outputShape);
      const detail = total === undefined ? shape : `${shape} · ${total.toLocaleString('en-US')} param${total === 1 ? '' : 's'}`;
      parts.push(
        `<text x="10" y="17" font-size="13" font-weight="bold" fill="#ffffff">${escapeXml(fit(def?.title ?? block?.name ?? b.node.type, inner, 13, 0.62))}</text>`,
        `<text x="10" y="${num(HEADER + 20)}" font-family="${MONO}" font-size="12" fill="${COLORS.text}">${escapeXml(fit(b.node.id, inner, 12, 0.6))}</text>`,
        `<text x="10" y="${num(HEADER + 38)}" font-size="12" fill="${COLORS.muted}">${escapeXml(fit(detail, inner, 12, 0.55))}</text>`,
      );
    }
    parts.push('</g>');
    return parts.join('');
  });

  const vx = minX - padding;
  const vy = minY - padding;
  const vw = maxX - minX + 2 * padding;
  const vh = maxY - minY + 2 * padding;
  const meta = thumbnail ? [] : [`<title>${escapeXml(doc.name)}</title>`, `<desc>${escapeXml(doc.description)}</desc>`];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${num(vw)}" height="${num(vh)}" viewBox="${num(vx)} ${num(vy)} ${num(vw)} ${num(vh)}" font-family="${SANS}">`,
    ...meta,
    `<g class="edges">`,
    ...wires,
    '</g>',
    `<g class="nodes">`,
    ...nodes,
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}

/** Renders an SVG document to a PNG (browser only). `scale` is reduced to fit canvas limits. */
export function svgToPngBlob(svg: string, scale = 2): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml;charset=utf-8' }));
    const fail = (why: string) => {
      URL.revokeObjectURL(url);
      reject(new Error(`Could not make a PNG of the diagram: ${why}`));
    };
    const img = new Image();
    img.onerror = () => fail('the browser could not draw the SVG.');
    img.onload = () => {
      const w = img.naturalWidth || 1;
      const h = img.naturalHeight || 1;
      // Browsers refuse canvases over ~16k pixels a side or ~268M pixels in all.
      const s = Math.min(scale, 16384 / w, 16384 / h, Math.sqrt(2 ** 27 / (w * h)));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(w * s));
      canvas.height = Math.max(1, Math.round(h * s));
      const ctx = canvas.getContext('2d');
      if (!ctx) return fail('no 2D canvas is available.');
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('Could not make a PNG of the diagram: the canvas gave no image (too large?).'))), 'image/png');
    };
    img.src = url;
  });
}
