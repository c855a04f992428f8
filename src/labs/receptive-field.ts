/**
 * Receptive fields: which pixels of the input image can influence one output value of a node,
 * through the whole graph (skip connections and concatenations included), and the window a
 * convolution or pooling node reads for one output value. Pure (no tfjs, no DOM): each node
 * definition declares how its outputs read its inputs (`receptive` in nodes/types.ts); this module
 * propagates sets of positions backwards, node by node, from the chosen output to the input.
 *
 * A set over a tensor is kept per channel: for a map [h, w, c], `ch[k]` is a mask over the h×w
 * positions of channel k (null = none); for a vector [n], each entry is a 1-element mask. Channels
 * with the same set share one array (a convolution gives every input channel the same window), so
 * a ResNet-50 stays cheap.
 */
import type { ReceptiveMap, Shape } from '../../nodes/types';
import type { Analysis, NodeAnalysis } from '../graph/analyze';

type Plane = Uint8Array;

/** A set of values of a tensor: per channel (last axis), a mask over the other axes' positions. */
interface TensorSet {
  /** Rows and columns of a map; a vector counts as 1×1 with n channels. */
  h: number;
  w: number;
  ch: (Plane | null)[];
}

/** The output value(s) whose receptive field is asked for. */
export interface Target {
  /** Row and column on a map (ignored for a vector). */
  y?: number;
  x?: number;
  /** Channel on a map (absent: every channel at that position); entry on a vector. */
  channel?: number;
}

export interface ReceptiveField {
  inputId: string;
  /** The input image's height and width. */
  height: number;
  width: number;
  /** height×width, 1 where changing that pixel (any channel) can change the chosen output. */
  mask: Uint8Array;
  count: number;
  /** The smallest rectangle holding the mask (inclusive), or null when it is empty. */
  box: { top: number; left: number; bottom: number; right: number } | null;
}

const dims = (shape: Shape): [number, number, number] =>
  shape.length === 3 ? [shape[0]!, shape[1]!, shape[2]!] : shape.length === 1 ? [1, 1, shape[0]!] : [1, 1, shape.reduce((a, b) => a * b, 1)];

/** The node's receptive map (from its definition), or null when it has none (every output reads every input). */
export function receptiveMap(n: NodeAnalysis, inputShapes: readonly Shape[]): ReceptiveMap | null {
  if (!n.def?.receptive || !n.params) return null;
  return n.def.receptive(inputShapes, n.params as never);
}

function inputShapesOf(analysis: Analysis, n: NodeAnalysis): Shape[] {
  return n.sources.map((s) => analysis.nodes.get(s!)!.outputShape!);
}

/** Unions of planes, cached by the pair of arrays (shared planes stay shared). */
class Planes {
  private unions = new WeakMap<Plane, WeakMap<Plane, Plane>>();
  private fulls = new Map<number, Plane>();
  full(size: number): Plane {
    let p = this.fulls.get(size);
    if (!p) this.fulls.set(size, (p = new Uint8Array(size).fill(1)));
    return p;
  }
  union(a: Plane | null, b: Plane | null): Plane | null {
    if (!a || a === b) return b ?? a;
    if (!b) return a;
    const hit = this.unions.get(a)?.get(b);
    if (hit) return hit;
    const out = new Uint8Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = a[i]! | b[i]!;
    let m = this.unions.get(a);
    if (!m) this.unions.set(a, (m = new WeakMap()));
    m.set(b, out);
    return out;
  }
  unionAll(list: readonly (Plane | null)[]): Plane | null {
    let acc: Plane | null = null;
    const seen = new Set<Plane>();
    for (const p of list) {
      if (!p || seen.has(p)) continue;
      seen.add(p);
      acc = this.union(acc, p);
    }
    return acc;
  }
}

/** Applies `f` to every distinct plane once (shared planes stay shared). */
function mapPlanes(ch: readonly (Plane | null)[], f: (p: Plane) => Plane | null): (Plane | null)[] {
  const done = new Map<Plane, Plane | null>();
  return ch.map((p) => {
    if (!p) return null;
    if (!done.has(p)) done.set(p, f(p));
    return done.get(p)!;
  });
}

const nonEmpty = (p: Plane | null): Plane | null => (p && p.includes(1) ? p : null);

/** The input positions read by a window op for the output positions in `out` (oh×ow) on an ih×iw input. */
function windowBack(m: Extract<ReceptiveMap, { kind: 'window' }>, out: Plane, ow: number, ih: number, iw: number): Plane {
  const res = new Uint8Array(ih * iw);
  const oh = out.length / ow;
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      if (!out[oy * ow + ox]) continue;
      for (let ky = 0; ky < m.kernel[0]; ky++) {
        const iy = oy * m.strides[0] - m.pad[0] + ky * m.dilation[0];
        if (iy < 0 || iy >= ih) continue;
        for (let kx = 0; kx < m.kernel[1]; kx++) {
          const ix = ox * m.strides[1] - m.pad[1] + kx * m.dilation[1];
          if (ix >= 0 && ix < iw) res[iy * iw + ix] = 1;
        }
      }
    }
  }
  return res;
}

/** tfjs' bilinear resize (alignCorners false, no half-pixel centres): the source rows of output row y with non-zero weight. */
function bilinearTaps(y: number, inSize: number, outSize: number): number[] {
  const src = (inSize / outSize) * y;
  const top = Math.floor(src);
  const bottom = Math.min(inSize - 1, Math.ceil(src));
  return src - top > 0 && bottom !== top ? [top, bottom] : [top];
}

/** The sets on each input of node `n`, given the set on its output. */
function backward(P: Planes, m: ReceptiveMap | null, out: TensorSet, inShapes: readonly Shape[]): TensorSet[] {
  const ins = inShapes.map(dims);
  if (m?.mixLastAxis) {
    const u = P.unionAll(out.ch);
    out = { ...out, ch: out.ch.map(() => u) };
  }
  const uniform = (i: number, plane: Plane | null): TensorSet => ({ h: ins[i]![0], w: ins[i]![1], ch: Array<Plane | null>(ins[i]![2]).fill(plane) });
  if (!m) {
    // Every output value reads every input value.
    const any = out.ch.some(Boolean);
    return ins.map(([h, w], i) => uniform(i, any ? P.full(h * w) : null));
  }
  const [ih, iw, ic] = ins[0] ?? [1, 1, 1];
  switch (m.kind) {
    case 'input':
      return [];
    case 'elementwise':
      return ins.map(() => out);
    case 'lastAxis':
      return [uniform(0, P.unionAll(out.ch))];
    case 'window': {
      const back = (p: Plane) => nonEmpty(windowBack(m, p, out.w, ih, iw));
      if (m.channels === 'all') {
        const u = P.unionAll(out.ch);
        return [uniform(0, u && back(u))];
      }
      if (m.channels === 'same') return [{ h: ih, w: iw, ch: mapPlanes(out.ch, back) }];
      const k = m.channels.depthMultiplier;
      const merged = Array.from({ length: ic }, (_, c) => P.unionAll(out.ch.slice(c * k, c * k + k)));
      return [{ h: ih, w: iw, ch: mapPlanes(merged, back) }];
    }
    case 'transpose': {
      const u = P.unionAll(out.ch);
      if (!u) return [uniform(0, null)];
      const res = new Uint8Array(ih * iw);
      for (let y = 0; y < out.h; y++) {
        for (let x = 0; x < out.w; x++) {
          if (!u[y * out.w + x]) continue;
          const Y = y + m.crop[0];
          const X = x + m.crop[1];
          for (let ky = 0; ky < m.kernel[0]; ky++) {
            if ((Y - ky) % m.strides[0] !== 0) continue;
            const i = (Y - ky) / m.strides[0];
            if (i < 0 || i >= ih) continue;
            for (let kx = 0; kx < m.kernel[1]; kx++) {
              if ((X - kx) % m.strides[1] !== 0) continue;
              const j = (X - kx) / m.strides[1];
              if (j >= 0 && j < iw) res[i * iw + j] = 1;
            }
          }
        }
      }
      return [uniform(0, nonEmpty(res))];
    }
    case 'upsample': {
      const rows = (y: number) => (m.interpolation === 'nearest' ? [Math.floor(y / m.size[0])] : bilinearTaps(y, ih, out.h));
      const cols = (x: number) => (m.interpolation === 'nearest' ? [Math.floor(x / m.size[1])] : bilinearTaps(x, iw, out.w));
      const back = (p: Plane) => {
        const res = new Uint8Array(ih * iw);
        for (let y = 0; y < out.h; y++) for (let x = 0; x < out.w; x++) if (p[y * out.w + x]) for (const r of rows(y)) for (const c of cols(x)) res[r * iw + c] = 1;
        return res;
      };
      return [{ h: ih, w: iw, ch: mapPlanes(out.ch, back) }];
    }
    case 'pad': {
      const [[top], [left]] = m.pads;
      const back = (p: Plane) => {
        const res = new Uint8Array(ih * iw);
        // Negative pads crop (Cropping 2D): input rows and columns outside the output are read by nothing.
        for (let y = 0; y < ih; y++) {
          const oy = y + top;
          if (oy < 0 || oy >= out.h) continue;
          for (let x = 0; x < iw; x++) {
            const ox = x + left;
            if (ox >= 0 && ox < out.w) res[y * iw + x] = p[oy * out.w + ox]!;
          }
        }
        return nonEmpty(res);
      };
      return [{ h: ih, w: iw, ch: mapPlanes(out.ch, back) }];
    }
    case 'global':
      return [{ h: ih, w: iw, ch: out.ch.map((p) => (p ? P.full(ih * iw) : null)) }];
    case 'flatten': {
      const ch: (Plane | null)[] = Array(ic).fill(null);
      out.ch.forEach((p, i) => {
        if (!p) return;
        const c = i % ic;
        const pos = (i - c) / ic;
        ch[c] ??= new Uint8Array(ih * iw);
        ch[c]![pos] = 1;
      });
      return [{ h: ih, w: iw, ch }];
    }
    case 'concat': {
      // Vectors join along their only axis, which is the channel axis here.
      const rank = inShapes[0]!.length;
      const axis = rank === 1 ? 2 : m.axis;
      let offset = 0;
      return ins.map(([h, w, c]) => {
        const from = offset;
        if (axis === 2) {
          offset += c;
          return { h, w, ch: out.ch.slice(from, from + c) };
        }
        offset += axis === 0 ? h : w;
        const slice = (p: Plane) => {
          const res = new Uint8Array(h * w);
          for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) res[y * w + x] = p[(axis === 0 ? y + from : y) * out.w + (axis === 1 ? x + from : x)]!;
          return nonEmpty(res);
        };
        return { h, w, ch: mapPlanes(out.ch, slice) };
      });
    }
  }
}

/**
 * The receptive field of node `nodeId`'s value at `target` on the input image: every input pixel
 * (any of its channels) whose change can change that value. "Can": the structure allows it; a
 * weight that happens to be zero, or a max that another value wins, may hide it for one image.
 */
export function receptiveField(analysis: Analysis, nodeId: string, target: Target = {}): ReceptiveField {
  const inputId = analysis.inputId;
  const node = analysis.nodes.get(nodeId);
  if (!inputId || !node?.outputShape) throw new Error(`No receptive field for ${nodeId}: the graph is not complete.`);
  const [H, W] = dims(analysis.nodes.get(inputId)!.outputShape!);
  const P = new Planes();
  const [h, w, c] = dims(node.outputShape);
  const start: Plane = new Uint8Array(h * w);
  const vector = node.outputShape.length !== 3;
  const y = vector ? 0 : (target.y ?? 0);
  const x = vector ? 0 : (target.x ?? 0);
  if (y < 0 || y >= h || x < 0 || x >= w) throw new Error(`Position (${y}, ${x}) is outside ${nodeId}'s ${h}×${w} map.`);
  start[y * w + x] = 1;
  const sets = new Map<string, TensorSet>();
  sets.set(nodeId, { h, w, ch: Array.from({ length: c }, (_, k) => (target.channel === undefined || target.channel === k ? start : null)) });
  const at = analysis.order.indexOf(nodeId);
  for (let i = at; i >= 0; i--) {
    const id = analysis.order[i]!;
    const set = sets.get(id);
    if (!set || id === inputId) continue;
    sets.delete(id);
    const n = analysis.nodes.get(id)!;
    const inShapes = inputShapesOf(analysis, n);
    const back = backward(P, receptiveMap(n, inShapes), set, inShapes);
    back.forEach((s, j) => {
      const src = n.sources[j]!;
      const prev = sets.get(src);
      sets.set(src, prev ? { ...prev, ch: prev.ch.map((p, k) => P.union(p, s.ch[k] ?? null)) } : s);
    });
  }
  const mask = new Uint8Array(H * W);
  const inSet = sets.get(inputId);
  if (inSet) for (const p of new Set(inSet.ch)) if (p) for (let j = 0; j < mask.length; j++) mask[j] = mask[j]! | p[j]!;
  let count = 0;
  let box: ReceptiveField['box'] = null;
  for (let yy = 0; yy < H; yy++) {
    for (let xx = 0; xx < W; xx++) {
      if (!mask[yy * W + xx]) continue;
      count++;
      if (!box) box = { top: yy, left: xx, bottom: yy, right: xx };
      else {
        box.bottom = yy;
        box.left = Math.min(box.left, xx);
        box.right = Math.max(box.right, xx);
      }
    }
  }
  return { inputId, height: H, width: W, mask, count, box };
}

/** One tap of a node's window: kernel position (ky, kx) reads input (iy, ix), or padding outside the input. */
export interface WindowTap {
  ky: number;
  kx: number;
  iy: number;
  ix: number;
  padding: boolean;
}

export interface NodeWindow {
  /** The node whose output the window belongs to, and the node feeding it. */
  nodeId: string;
  sourceId: string;
  op: 'conv' | 'max' | 'avg';
  /** The source's height, width and channels. */
  inputShape: [number, number, number];
  kernel: [number, number];
  /** Row-major over the kernel (ky, then kx). */
  taps: WindowTap[];
  /** The input channels read for this output channel. */
  channels: number[];
  /** For a depthwise convolution, which of the channel's kernels (0 … depthMultiplier − 1). */
  multiplierIndex: number;
}

/**
 * The window of node `nodeId`'s input that its output (y, x, channel) reads, for window nodes
 * (convolutions and pooling); null for other node types.
 */
export function nodeWindow(analysis: Analysis, nodeId: string, y: number, x: number, channel: number): NodeWindow | null {
  const n = analysis.nodes.get(nodeId);
  if (!n?.outputShape || n.outputShape.length !== 3) return null;
  const inShapes = inputShapesOf(analysis, n);
  const m = receptiveMap(n, inShapes);
  if (!m || m.kind !== 'window') return null;
  const [ih, iw, ic] = dims(inShapes[0]!);
  const taps: WindowTap[] = [];
  for (let ky = 0; ky < m.kernel[0]; ky++) {
    for (let kx = 0; kx < m.kernel[1]; kx++) {
      const iy = y * m.strides[0] - m.pad[0] + ky * m.dilation[0];
      const ix = x * m.strides[1] - m.pad[1] + kx * m.dilation[1];
      taps.push({ ky, kx, iy, ix, padding: iy < 0 || iy >= ih || ix < 0 || ix >= iw });
    }
  }
  const channels =
    m.channels === 'all' ? Array.from({ length: ic }, (_, k) => k) : m.channels === 'same' ? [channel] : [Math.floor(channel / m.channels.depthMultiplier)];
  const multiplierIndex = typeof m.channels === 'object' ? channel % m.channels.depthMultiplier : 0;
  return { nodeId, sourceId: n.sources[0]!, op: m.op, inputShape: [ih, iw, ic], kernel: m.kernel, taps, channels, multiplierIndex };
}

/**
 * Where entry `index` of a Flatten's vector comes from: TensorFlow flattens a map [h, w, c] in
 * (height, width, channels) order, so index = (y·w + x)·c + channel.
 */
export function flattenSource(inputShape: Shape, index: number): { y: number; x: number; channel: number } {
  const [, w, c] = dims(inputShape);
  const channel = index % c;
  const pos = (index - channel) / c;
  return { y: Math.floor(pos / w), x: pos % w, channel };
}
