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
import { nodeInfo } from '../../graph/analyze';
import { BLOCK_COLOR, blockFace, blockParamsText } from '../blocks/face';
import { formatNumber } from '../../graph/format';

export function faceData(s: Pick<EditorState, 'analysis' | 'doc'>, id: string) {
  const n = nodeInfo(s.analysis, id);
  // A block instance (no NodeDef): its block's name, inner node count and params (primitives,
  // so that NodeView's shallow comparison holds).
  const block = n?.def ? null : blockFace(s.doc, id);
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
    blockName: block?.name ?? null,
    blockId: block?.blockId ?? null,
    blockParams: block ? blockParamsText(block) : '',
    innerCount: block?.innerCount ?? 0,
  };
}
export type FaceData = ReturnType<typeof faceData>;

/** Measured heights of full faces, by what decides the height, for light faces not yet measured. */
export const heightOf = new Map<string, number>();
/** What decides a full face's height. */
export const faceKind = (type: string | undefined, rows: number, inputs: number, map: boolean) => `${type}|${rows}|${inputs}|${map ? 'map' : ''}`;
/** A full face's height before any like it was measured: header, body rows, footer (editor.css). */
export const guessHeight = (rows: number, inputs: number) => 28 + Math.max(38, 8 + Math.max(rows * 25, inputs * 20)) + 25;

/** The face's title: the layer's, or a block instance's block name. */
export const faceTitle = (v: FaceData) => v.blockName ?? v.def?.title ?? v.node?.type ?? '?';
/** The face's colour: the category's, or the blocks' own. */
export const faceColor = (v: FaceData) => (v.blockName !== null ? BLOCK_COLOR : categoryColor(v.def?.category));

export const ariaLabel = (v: FaceData, id: string, selected: boolean) =>
  `${v.blockName !== null ? `Block ${v.blockName}` : (v.def?.title ?? v.node?.type ?? 'Unknown')} ${id}${selected ? ', selected' : ''}${v.severity ? `, ${v.problemCount} problem${v.problemCount > 1 ? 's' : ''}` : ''}`;

/**
 * A weight count as the face shows it ("1,234 params", as toLocaleString('en-US') writes it),
 * without Intl: toLocaleString builds a new formatter on every call (~16 µs, 177 times when
 * ResNet-50 opens).
 */
export const countText = (count: number | null) => (count === null ? '' : `${formatNumber(count)} params`);

/** The message without the node's id in front (the node shows its id already). */
export const shortMessage = (v: FaceData, id: string) => (v.message.startsWith(`${id}: `) ? v.message.slice(id.length + 2) : v.message);

/**
 * The cold face's markup, parsed once and cloned per node: parsing HTML for every node (innerHTML)
 * was a good part of the time it took to build ResNet-50's 177 faces.
 */
let template: HTMLElement | null = null;
/** The 🔒 of a locked node (as NodeView's). */
export const LOCK_TIP = 'The instructor locked this node: it cannot be deleted, renamed or have its parameters changed';
function faceTemplate(): HTMLElement {
  if (!template) {
    const t = document.createElement('template');
    t.innerHTML =
      '<div data-testid="node" data-face="cold" tabindex="0" role="group" aria-roledescription="layer">' +
      '<div class="ll-node-header"><span class="ll-node-title" data-testid="title"></span><span class="ll-node-id"></span>' +
      `<span class="ll-lock-badge" role="img" aria-label="locked" title="${LOCK_TIP}" hidden>🔒</span>` +
      '<span role="img" hidden></span></div>' +
      '<div class="ll-node-footer"><span class="ll-shape" data-testid="node-shape" title="Output shape (height×width×channels)"></span>' +
      '<span hidden></span><span class="ll-count" data-testid="node-params" title="Weights in this layer"></span></div>' +
      '<div class="ll-node-lod" data-testid="node-lod" aria-hidden="true"><span class="ll-node-lod-title"></span><span class="ll-node-lod-shape"></span></div>' +
      '</div>';
    template = t.content.firstElementChild as HTMLElement;
  }
  return template.cloneNode(true) as HTMLElement;
}

/** The parts of a cold face that change, found once when it is built. */
interface ColdParts {
  header: HTMLElement;
  title: HTMLElement;
  id: HTMLElement;
  lock: HTMLElement;
  badge: HTMLElement;
  footer: HTMLElement;
  shape: HTMLElement;
  message: HTMLElement;
  count: HTMLElement;
  lodTitle: HTMLElement;
  lodShape: HTMLElement;
}

function partsOf(el: HTMLElement): ColdParts {
  const at = (parent: Element, i: number) => parent.children[i] as HTMLElement;
  const header = at(el, 0);
  const footer = at(el, 1);
  const lod = at(el, 2);
  return {
    header,
    title: at(header, 0),
    id: at(header, 1),
    lock: at(header, 2),
    badge: at(header, 3),
    footer,
    shape: at(footer, 0),
    message: at(footer, 1),
    count: at(footer, 2),
    lodTitle: at(lod, 0),
    lodShape: at(lod, 1),
  };
}

/** Builds and updates cold faces (plain DOM) inside Rete's node elements. */
export class ColdFaces {
  private faces = new Map<string, { el: HTMLElement; parts: ColdParts; key: string; node: LLNode }>();

  has(id: string) {
    return this.faces.has(id);
  }
  ids() {
    return [...this.faces.keys()];
  }

  /** Draws (or redraws) node `id`'s cold face in `host`; returns its height. */
  draw(host: HTMLElement, node: LLNode, s: Pick<EditorState, 'analysis' | 'selection' | 'doc'>): number {
    const id = node.id;
    let face = this.faces.get(id);
    if (!face || face.el.parentElement !== host) {
      face?.el.remove();
      const el = faceTemplate();
      el.dataset.nodeId = id;
      el.addEventListener('keydown', (e) => {
        if (handleNodeKey(id, e as unknown as Parameters<typeof handleNodeKey>[1])) {
          e.preventDefault();
          e.stopPropagation();
        }
      });
      face = { el, parts: partsOf(el), key: '', node };
      this.faces.set(id, face);
      // Filled in before it is on the page: writes to a detached face invalidate nothing.
      const height = this.update(id, s) ?? 0;
      host.appendChild(el);
      return height;
    }
    return this.update(id, s) ?? 0;
  }

  /** Brings a cold face in line with the store; returns its height. */
  update(id: string, s: Pick<EditorState, 'analysis' | 'selection' | 'doc'>): number | undefined {
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
    const locked = !!v.node?.locked;
    const key = JSON.stringify([v.blockName, v.def?.title, v.node?.type, v.shape, v.count, v.severity, v.message, v.problemCount, height, locked]);
    if (key === face.key) return height;
    face.key = key;
    el.style.setProperty('--node-color', faceColor(v));
    el.style.height = `${height}px`;
    // Laid out and painted only near the view, so that a big graph's first frame costs little.
    el.style.contentVisibility = 'auto';
    el.style.containIntrinsicSize = `220px ${height}px`;
    const title = faceTitle(v);
    const tip = v.blockName !== null ? `Block “${v.blockName}”: ${v.innerCount} nodes inside. Double-click to open it.` : v.def ? `${v.def.summary}\n\n${v.def.explain}` : `Unknown node type "${v.node?.type}"`;
    const count = countText(v.count);
    const sev = v.severity;
    const p = face.parts;
    p.header.title = tip;
    p.title.textContent = title;
    p.id.textContent = id;
    p.lock.hidden = !locked;
    if (locked) p.lock.dataset.testid = 'node-lock';
    else delete p.lock.dataset.testid;
    // The badge and the message are there (for tests and screen readers) only with a problem, as in NodeView.
    p.badge.hidden = !sev;
    if (sev) p.badge.dataset.testid = 'node-badge';
    else delete p.badge.dataset.testid;
    p.badge.className = sev ? `ll-badge ${sev}` : '';
    p.badge.title = v.message;
    p.badge.setAttribute('aria-label', sev ? `${v.problemCount} ${sev === 'error' ? 'error' : 'warning'}(s)` : '');
    p.badge.textContent = sev === 'error' ? '!' : sev ? '⚠' : '';
    p.footer.className = `ll-node-footer${sev ? ` has-${sev}` : ''}`;
    p.shape.textContent = v.shape ?? '?';
    p.message.hidden = !sev;
    if (sev) p.message.dataset.testid = 'node-message';
    else delete p.message.dataset.testid;
    p.message.className = sev ? `ll-node-message ${sev}` : '';
    p.message.title = v.message;
    p.message.textContent = sev ? message : '';
    p.count.hidden = !!sev;
    p.count.textContent = count;
    p.lodTitle.textContent = v.def?.shortTitle ?? title;
    p.lodShape.textContent = v.shape ?? '?';
    return height;
  }

  /** Removes node `id`'s cold face (it is drawn by React from now on, or removed). */
  drop(id: string) {
    this.faces.get(id)?.el.remove();
    this.faces.delete(id);
  }
}
