/**
 * Receptive fields against brute force with TensorFlow.js, for every preset and for the export
 * fixtures (which together cover every node type and the awkward parameters: uneven "same"
 * padding, dilation, depth multipliers, transposed convolutions, bilinear up-sampling,
 * concatenation along every axis).
 *
 * How the brute force sees influence exactly: the graph is compiled with every activation linear,
 * every kernel weight positive (1 / fan-in), biases and batch-norm shifts 0 and scales 1. An input
 * that is 0 everywhere then gives 0 everywhere, and an input that is 1 at one pixel (all channels)
 * gives a positive value exactly at the outputs it reaches — every operation (weighted sums with
 * positive weights, max, mean, padding, resizing) keeps "positive where reached, 0 elsewhere". So
 * the set of outputs > 0 for a one-pixel image is that pixel's forward influence, as tfjs computes
 * it (its padding offsets, cropping, resize taps, flatten order), and the receptive field of each
 * output must be exactly the pixels that reach it.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_CASES } from '../../fixtures/export-graphs';
import { NODE_DEFS } from '../../nodes/registry';
import { loadPreset, presetFiles } from '../../fixtures/presets';
import { compileGraph } from '../compiler/compile';
import { analyzeGraph } from '../graph/analyze';
import { expandBlocks } from '../graph/blocks';
import type { GraphDoc } from '../graph/types';
import { flattenSource, nodeWindow, receptiveField, type Target } from './receptive-field';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

/** The graph with linear activations (and, for big inputs, a smaller input image). */
function linearised(graph: GraphDoc, inputShape?: [number, number, number]): GraphDoc {
  const doc = expandBlocks(graph); // the nodes inside blocks too
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      const params = { ...n.params };
      if ('activation' in params) params.activation = 'linear';
      delete params.alpha;
      if (n.type === 'input' && inputShape) params.shape = inputShape;
      return { ...n, params };
    }),
  };
}

/** Kernels 1 / fan-in (positive), batch-norm scales and variances 1, every shift 0. */
function positiveWeights(model: tf.LayersModel) {
  for (const layer of model.layers) {
    const ws = layer.weights;
    if (!ws.length) continue;
    layer.setWeights(
      ws.map((w) => {
        const name = w.name.split('/').pop()!;
        const shape = w.shape as number[];
        const size = shape.reduce((a, b) => a * b, 1);
        if (name.includes('kernel')) return tf.fill(shape, 1 / Math.max(1, size / shape[shape.length - 1]!));
        if (name.startsWith('gamma') || name.startsWith('moving_variance')) return tf.ones(shape);
        return tf.zeros(shape);
      }),
    );
  }
}

interface Probe {
  nodeId: string;
  target: Target;
  rf: Uint8Array;
  /** 1 where the brute force saw the output reached from that pixel. */
  brute: Uint8Array;
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A few output positions and channels per node: the corners, the centre and random ones. */
function targetsFor(shape: readonly number[], rand: () => number, count: number): Target[] {
  if (shape.length !== 3) {
    const n = shape[0]!;
    const picks = new Set([0, n - 1, Math.floor(n / 2), ...Array.from({ length: count }, () => Math.floor(rand() * n))]);
    return [...picks].map((channel) => ({ channel }));
  }
  const [h, w, c] = shape as [number, number, number];
  const spots: [number, number][] = [
    [0, 0],
    [h - 1, w - 1],
    [0, w - 1],
    [Math.floor(h / 2), Math.floor(w / 2)],
    ...Array.from({ length: count }, () => [Math.floor(rand() * h), Math.floor(rand() * w)] as [number, number]),
  ];
  return spots.flatMap(([y, x]) => [{ y, x }, { y, x, channel: Math.floor(rand() * c) }]);
}

function reached(values: Float32Array, shape: readonly number[], b: number, t: Target): boolean {
  const size = shape.reduce((a, s) => a * s, 1);
  const base = b * size;
  if (shape.length !== 3) return values[base + t.channel!]! > 0;
  const [, w, c] = shape as [number, number, number];
  const at = base + (t.y! * w + t.x!) * c;
  if (t.channel !== undefined) return values[at + t.channel]! > 0;
  for (let k = 0; k < c; k++) if (values[at + k]! > 0) return true;
  return false;
}

/** Compares every sampled output's receptive field with the pixels that reach it, on `pixels` (all when absent). */
function bruteForce(doc: GraphDoc, opts: { pixels?: number; perNode?: number; batch?: number; seed?: number } = {}) {
  const analysis = analyzeGraph(doc);
  expect(analysis.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const compiled = compileGraph(doc, analysis);
  positiveWeights(compiled.model);
  const [H, W, C] = analysis.nodes.get(analysis.inputId!)!.outputShape as [number, number, number];
  const rand = rng(opts.seed ?? 7);
  const probes: Probe[] = [];
  for (const id of compiled.probeIds) {
    const shape = analysis.nodes.get(id)!.outputShape!;
    for (const target of targetsFor(shape, rand, opts.perNode ?? 3)) {
      probes.push({ nodeId: id, target, rf: receptiveField(analysis, id, target).mask, brute: new Uint8Array(H * W) });
    }
  }
  let pixels = Array.from({ length: H * W }, (_, i) => i);
  if (opts.pixels && opts.pixels < pixels.length) {
    const corners = [0, W - 1, (H - 1) * W, H * W - 1, Math.floor(H / 2) * W + Math.floor(W / 2)];
    const picked = new Set(corners);
    while (picked.size < opts.pixels) picked.add(Math.floor(rand() * H * W));
    pixels = [...picked];
  }
  const batch = opts.batch ?? 64;
  const index = new Map(compiled.probeIds.map((id, i) => [id, i]));
  for (let s = 0; s < pixels.length; s += batch) {
    const chunk = pixels.slice(s, s + batch);
    const x = new Float32Array(chunk.length * H * W * C);
    chunk.forEach((p, b) => x.fill(1, (b * H * W + p) * C, (b * H * W + p + 1) * C));
    const outs = tf.tidy(() => {
      const r = compiled.probe.predict(tf.tensor4d(x, [chunk.length, H, W, C]));
      return Array.isArray(r) ? r : [r];
    });
    const values = outs.map((t) => t.dataSync() as Float32Array);
    tf.dispose(outs);
    for (const pr of probes) {
      const i = index.get(pr.nodeId)!;
      const shape = analysis.nodes.get(pr.nodeId)!.outputShape!;
      chunk.forEach((p, b) => {
        if (reached(values[i]!, shape, b, pr.target)) pr.brute[p] = 1;
      });
    }
  }
  compiled.model.dispose();
  const types = new Set<string>();
  const wrong: string[] = [];
  for (const pr of probes) {
    types.add(analysis.nodes.get(pr.nodeId)!.type);
    const bad = pixels.filter((p) => pr.rf[p] !== pr.brute[p]);
    if (bad.length) {
      const p = bad[0]!;
      wrong.push(
        `${pr.nodeId} ${JSON.stringify(pr.target)}: pixel (${Math.floor(p / W)}, ${p % W}) is ${pr.rf[p] ? '' : 'not '}in the computed field but ` +
          `${pr.brute[p] ? 'reaches' : 'does not reach'} it (${bad.length} pixels differ)`,
      );
    }
  }
  return { wrong, types, probes: probes.length, pixels: pixels.length };
}

describe('receptive fields equal the brute force (one-pixel images through tfjs)', () => {
  const presets = presetFiles().filter((f) => f !== 'resnet50.json');
  // Every pixel for the small chains; a sample (corners, centre, random) for the residual and inception nets.
  const sampled: Record<string, number> = { 'resnet-mini.json': 120, 'inception-mini.json': 160 };
  it.each(presets)(
    'preset %s',
    (file) => {
      const r = bruteForce(linearised(loadPreset(file)), { pixels: sampled[file], batch: 40 });
      expect(r.wrong).toEqual([]);
      expect(r.probes).toBeGreaterThan(10);
    },
    300_000,
  );

  it('preset resnet50.json (input 32×32×3, a sample of pixels)', () => {
    const r = bruteForce(linearised(loadPreset('resnet50.json'), [32, 32, 3]), { pixels: 24, perNode: 1, batch: 8 });
    expect(r.wrong).toEqual([]);
    for (const t of ['conv2d', 'batchNormalization', 'activation', 'maxPooling2d', 'zeroPadding2d', 'add', 'globalAveragePooling2d', 'dense']) {
      expect(r.types).toContain(t);
    }
  }, 600_000);

  it.each(EXPORT_CASES.map((c) => [c.name, c] as const))('fixture: %s', (_name, cs) => {
    const r = bruteForce(linearised(cs.doc));
    expect(r.wrong).toEqual([]);
  });

  it('every node type declares how its outputs read its inputs', () => {
    expect(NODE_DEFS.filter((d) => !d.receptive).map((d) => d.type)).toEqual([]);
  });

  it('the fixtures and presets together cover every node type', () => {
    const types = new Set([...EXPORT_CASES, ...presetFiles().map((f) => ({ doc: loadPreset(f) }))].flatMap((c) => expandBlocks(c.doc).nodes.map((n) => n.type)));
    expect([...types].sort()).toEqual(NODE_DEFS.map((d) => d.type).sort());
  });
});

describe('receptive fields on LeNet-5', () => {
  const analysis = analyzeGraph(loadPreset('lenet5'));
  const ids = analysis.order;
  const byType = (t: string, k = 0) => ids.filter((id) => analysis.nodes.get(id)!.type === t)[k]!;

  it('the first convolution (5×5, same) sees a 5×5 square, clipped at the border', () => {
    const c1 = byType('conv2d');
    expect(receptiveField(analysis, c1, { y: 10, x: 10 }).box).toEqual({ top: 8, left: 8, bottom: 12, right: 12 });
    expect(receptiveField(analysis, c1, { y: 10, x: 10 }).count).toBe(25);
    expect(receptiveField(analysis, c1, { y: 0, x: 0 }).box).toEqual({ top: 0, left: 0, bottom: 2, right: 2 });
  });

  it('after pooling and the second convolution the field grows to 14×14; the dense layers see everything', () => {
    const c3 = byType('conv2d', 1);
    const rf = receptiveField(analysis, c3, { y: 0, x: 0, channel: 3 });
    // pool 2×2 → c3's 5×5 window covers pool rows 0..4 = input rows 0..9, c1 pads 2: rows −2..11 clipped.
    expect(rf.box).toEqual({ top: 0, left: 0, bottom: 11, right: 11 });
    const mid = receptiveField(analysis, c3, { y: 4, x: 4 });
    expect(mid.count).toBe(14 * 14);
    expect(receptiveField(analysis, byType('dense'), { channel: 0 }).count).toBe(28 * 28);
  });
});

describe('the node window', () => {
  const doc = (padding: 'same' | 'valid', strides = 2) =>
    analyzeGraph({
      ...loadPreset('lenet5'),
      nodes: [
        { id: 'image', type: 'input', params: { shape: [7, 8, 2] }, position: [0, 0] },
        { id: 'c', type: 'conv2d', params: { filters: 3, kernelSize: [3, 4], strides, padding }, position: [0, 0] },
        { id: 'p', type: 'maxPooling2d', params: { poolSize: 2, strides: 2, padding }, position: [0, 0] },
        { id: 'd', type: 'depthwiseConv2d', params: { kernelSize: 2, depthMultiplier: 2, padding }, position: [0, 0] },
      ],
      edges: [
        { from: ['image', 'out'], to: ['c', 'in'] },
        { from: ['c', 'out'], to: ['p', 'in'] },
        { from: ['image', 'out'], to: ['d', 'in'] },
      ],
    } as GraphDoc);

  it("'same' padding with stride 2 and an even kernel pads as tfjs does (extra row/column at the bottom/right)", () => {
    const a = doc('same');
    // 7 rows, stride 2 → 4 outputs; kernel 3: total pad (4−1)·2+3−7 = 2, top 1. 8 cols → 4; kernel 4: total 2, left 1.
    const w = nodeWindow(a, 'c', 0, 0, 1)!;
    expect(w.taps.map((t) => [t.iy, t.ix, t.padding])).toEqual(
      [-1, 0, 1].flatMap((iy) => [-1, 0, 1, 2].map((ix) => [iy, ix, iy < 0 || ix < 0])),
    );
    expect(w.channels).toEqual([0, 1]);
    const last = nodeWindow(a, 'c', 3, 3, 0)!;
    expect(last.taps.filter((t) => t.padding).map((t) => [t.iy, t.ix])).toEqual([[7, 5], [7, 6], [7, 7], [7, 8], [5, 8], [6, 8]].sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]!));
  });

  it("'valid' padding with stride 2 starts at 0 and never pads; pooling reads its own channel; depthwise reads ⌊o / multiplier⌋", () => {
    const a = doc('valid');
    const w = nodeWindow(a, 'c', 1, 2, 0)!;
    expect(w.taps[0]).toMatchObject({ iy: 2, ix: 4, padding: false });
    expect(w.taps.at(-1)).toMatchObject({ iy: 4, ix: 7, padding: false });
    expect(w.taps.some((t) => t.padding)).toBe(false);
    const p = nodeWindow(a, 'p', 0, 1, 2)!;
    expect(p.op).toBe('max');
    expect(p.channels).toEqual([2]);
    expect(p.taps.map((t) => [t.iy, t.ix])).toEqual([[0, 2], [0, 3], [1, 2], [1, 3]]);
    const d = nodeWindow(a, 'd', 0, 0, 3)!;
    expect(d.channels).toEqual([1]);
    expect(d.multiplierIndex).toBe(1);
  });

  it('the window of every output of a stride-2 same conv matches tfjs (one-hot input per tap)', () => {
    const a = doc('same');
    const [h, w, c] = [7, 8, 2];
    // For a one-hot input at (iy, ix, ch), tfjs' conv with a kernel of distinct values gives, at each
    // output, the kernel value at the tap that reads that pixel (or 0): compare with the taps.
    const kernel = tf.tensor4d(Array.from({ length: 3 * 4 * 2 * 1 }, (_, i) => i + 1), [3, 4, 2, 1]);
    for (let iy = 0; iy < h; iy++) {
      for (let ix = 0; ix < w; ix++) {
        const x = tf.buffer([1, h, w, c]);
        x.set(1, 0, iy, ix, 1);
        const out = tf.conv2d(x.toTensor() as tf.Tensor4D, kernel, 2, 'same').dataSync();
        for (let oy = 0; oy < 4; oy++) {
          for (let ox = 0; ox < 4; ox++) {
            const tap = nodeWindow(a, 'c', oy, ox, 0)!.taps.find((t) => t.iy === iy && t.ix === ix);
            const expected = tap ? (tap.ky * 4 + tap.kx) * 2 + 1 + 1 : 0;
            expect(out[oy * 4 + ox]).toBe(expected);
          }
        }
      }
    }
  });
});

describe('flatten', () => {
  it("entry i comes from (height, width, channel) in tfjs' reshape order", () => {
    const shape: [number, number, number] = [3, 5, 4];
    const n = 3 * 5 * 4;
    const map = tf.tensor3d(Array.from({ length: n }, (_, i) => i), shape);
    const flat = map.reshape([n]).dataSync();
    const grid = map.arraySync();
    for (let i = 0; i < n; i++) {
      const { y, x, channel } = flattenSource(shape, i);
      expect(grid[y]![x]![channel]).toBe(flat[i]);
    }
  });
});
