/**
 * What a node's face shows, shared by NodeView (React) and the cold face: the plain-DOM face a
 * node of a big graph has until it first comes near the view. A cold face costs a few elements
 * and no React root, so opening ResNet-50 mounts React only for the nodes in view; it shows the
 * light face's content (title, id, problem, output shape, selection) and takes the keyboard.
 */
import { faceParams } from '../../../nodes/params';
import { formatShape } from '../../../nodes/shape';
import type { EditorState } from '../store';
import { categoryColor } from '../../../nodes/categories';
import { handleNodeKey } from '../keyboard';
import type { LLNode } from './types';

export function faceData(s: Pick<EditorState, 'analysis'>, id: string) {
  const n = s.analysis.nodes.get(id);
  const diags = s.analysis.diagnostics.filter((d) => d.nodeId === id);
  const errors = diags.filter((d) => d.severity === 'error');
  return {
    node: n?.node,
    def: n?.def,
    params: n?.params,
    shape: n?.outputShape ? formatShape(n.outputShape) : null,
    count: n?.paramCount ? n.paramCount.trainable + n.paramCount.nonTrainable : null,
    severity: errors.length ? ('error' as const) : diags.length ? ('warning' as const) : null,
    message: (errors[0] ?? diags[0])?.message ?? '',
    problemCount: diags.length,
    isOutput: s.analysis.outputId === id,
  };
}
export type FaceData = ReturnType<typeof faceData>;

/** Measured heights of full faces, by what decides the height, for light faces not yet measured. */
export const heightOf = new Map<string, number>();
/** What decides a full face's height. */
export const faceKind = (type: string | undefined, rows: number, inputs: number, map: boolean) => `${type}|${rows}|${inputs}|${map ? 'map' : ''}`;
/** A full face's height before any like it was measured: header, body rows, footer (editor.css). */
export const guessHeight = (rows: number, inputs: number) => 28 + Math.max(38, 8 + Math.max(rows * 25, inputs * 20)) + 25;

export const ariaLabel = (v: FaceData, id: string, selected: boolean) =>
  `${v.def?.title ?? v.node?.type ?? 'Unknown'} ${id}${selected ? ', selected' : ''}${v.severity ? `, ${v.problemCount} problem${v.problemCount > 1 ? 's' : ''}` : ''}`;

/** The message without the node's id in front (the node shows its id already). */
export const shortMessage = (v: FaceData, id: string) => (v.message.startsWith(`${id}: `) ? v.message.slice(id.length + 2) : v.message);

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Builds and updates cold faces (plain DOM) inside Rete's node elements. */
export class ColdFaces {
  private faces = new Map<string, { el: HTMLDivElement; key: string; node: LLNode }>();

  has(id: string) {
    return this.faces.has(id);
  }
  ids() {
    return [...this.faces.keys()];
  }

  /** Draws (or redraws) node `id`'s cold face in `host`; returns its height. */
  draw(host: HTMLElement, node: LLNode, s: Pick<EditorState, 'analysis' | 'selection'>): number {
    const id = node.id;
    let face = this.faces.get(id);
    if (!face || face.el.parentElement !== host) {
      face?.el.remove();
      const el = document.createElement('div');
      el.dataset.testid = 'node';
      el.dataset.nodeId = id;
      el.dataset.face = 'cold';
      el.tabIndex = 0;
      el.setAttribute('role', 'group');
      el.setAttribute('aria-roledescription', 'layer');
      el.addEventListener('keydown', (e) => {
        if (handleNodeKey(id, e as unknown as Parameters<typeof handleNodeKey>[1])) {
          e.preventDefault();
          e.stopPropagation();
        }
      });
      host.appendChild(el);
      face = { el, key: '', node };
      this.faces.set(id, face);
    }
    return this.update(id, s) ?? 0;
  }

  /** Brings a cold face in line with the store; returns its height. */
  update(id: string, s: Pick<EditorState, 'analysis' | 'selection'>): number | undefined {
    const face = this.faces.get(id);
    if (!face) return undefined;
    const v = faceData(s, id);
    const selected = s.selection.includes(id);
    const rows = v.def ? faceParams(v.def, v.params).length : 0;
    const inputs = Object.keys(face.node.inputs).length;
    const kind = faceKind(v.node?.type, rows, inputs, false);
    const height = heightOf.get(kind) ?? guessHeight(rows, inputs);
    const message = shortMessage(v, id);
    face.node.height = height;
    const { el } = face;
    // A change of selection only touches the class and the label (Ctrl+A on ResNet-50).
    const className = `ll-node light${selected ? ' selected' : ''}${v.severity ? ` has-${v.severity}` : ''}`;
    if (el.className !== className) el.className = className;
    const label = ariaLabel(v, id, selected);
    if (el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
    const key = JSON.stringify([v.def?.title, v.node?.type, v.shape, v.count, v.severity, v.message, v.problemCount, height]);
    if (key === face.key) return height;
    face.key = key;
    el.style.setProperty('--node-color', categoryColor(v.def?.category));
    el.style.height = `${height}px`;
    const title = v.def?.title ?? v.node?.type ?? '?';
    const tip = v.def ? `${v.def.summary}\n\n${v.def.explain}` : `Unknown node type "${v.node?.type}"`;
    const count = v.count === null ? '' : `${v.count.toLocaleString('en-US')} params`;
    const sev = v.severity;
    el.innerHTML =
      `<div class="ll-node-header" title="${esc(tip)}"><span class="ll-node-title" data-testid="title">${esc(title)}</span><span class="ll-node-id">${esc(id)}</span>` +
      (sev ? `<span class="ll-badge ${sev}" data-testid="node-badge" title="${esc(v.message)}" role="img" aria-label="${v.problemCount} ${sev === 'error' ? 'error' : 'warning'}(s)">${sev === 'error' ? '!' : '⚠'}</span>` : '') +
      `</div><div class="ll-node-footer${sev ? ` has-${sev}` : ''}"><span class="ll-shape" data-testid="node-shape" title="Output shape (height×width×channels)">${esc(v.shape ?? '?')}</span>` +
      (sev ? `<span class="ll-node-message ${sev}" data-testid="node-message" title="${esc(v.message)}">${esc(message)}</span>` : '') +
      `<span class="ll-count" data-testid="node-params" title="Weights in this layer"${sev ? ' hidden' : ''}>${esc(count)}</span></div>` +
      `<div class="ll-node-lod" data-testid="node-lod" aria-hidden="true"><span class="ll-node-lod-title">${esc(v.def?.shortTitle ?? title)}</span><span class="ll-node-lod-shape">${esc(v.shape ?? '?')}</span></div>`;
    return height;
  }

  /** Removes node `id`'s cold face (it is drawn by React from now on, or removed). */
  drop(id: string) {
    this.faces.get(id)?.el.remove();
    this.faces.delete(id);
  }
}
