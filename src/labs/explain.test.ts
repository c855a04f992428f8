/**
 * Saliency, Grad-CAM and a channel's favourite input (src/labs/explain.ts) on the cpu backend,
 * against references that do not use explain.ts' eager graph runner:
 *  - saliency: central finite differences of the logits, computed from the compiled probe model
 *    (the tensor before the output layer) and the output layer's weights by hand;
 *  - Grad-CAM: the node's activation A from the probe model, ∂score/∂A from the rest of the network
 *    written out with tf ops and tf.grad, then the formula in plain JS and a bilinear resize in
 *    plain JS (half-pixel centres).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPreset } from '../../fixtures/presets';
import { compileGraph, type CompiledGraph } from '../compiler/compile';
import type { GraphDoc, GraphNode } from '../graph/types';
import { classScores, defaultCamNode, ExplainError, favouriteInput, featureMapNodes, gradCam, saliency } from './explain';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Spec = [id: string, type: string, params: Record<string, unknown>, from?: string | string[]];

function graph(specs: Spec[]): GraphDoc {
  const nodes: GraphNode[] = specs.map(([id, type, params]) => ({ id, type, params }));
  const edges = specs.flatMap(([id, , , from]) =>
    from === undefined ? [] : (Array.isArray(from) ? from : [from]).map((f, i) => ({ from: [f, 'out'] as [string, string], to: [id, Array.isArray(from) ? `in${i}` : 'in'] as [string, string] })),
  );
  return { format: 'layerlab-graph', version: 2, name: 't', description: '', nodes, edges };
}

/** Compiles and gives every weight seeded random values (scale `scale`). */
function compileSeeded(doc: GraphDoc, seed = 1, scale = 0.5): CompiledGraph {
  const c = compileGraph(doc);
  const ws = c.model.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, scale, 'float32', seed * 100 + i));
  c.model.setWeights(ws);
  tf.dispose(ws);
  return c;
}

function seededImage(shape: number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomUniform(shape, 0, 1, 'float32', seed).dataSync() as Float32Array);
}

/** The probe model's tensor for `nodeId` on image x. */
function probeValue(c: CompiledGraph, nodeId: string, x: tf.Tensor): tf.Tensor {
  const outs = c.probe.predict(x) as tf.Tensor[];
  const i = c.probeIds.indexOf(nodeId);
  const keep = outs[i]!;
  outs.forEach((t, j) => j !== i && t.dispose());
  return keep;
}

/** Logits of a graph ending in flatten/… → dense(softmax) named `out`, computed by hand from the probe and the dense weights. */
function referenceLogits(c: CompiledGraph, x: tf.Tensor, before: string): Float32Array {
  return tf.tidy(() => {
    const feat = probeValue(c, before, x).reshape([1, -1]);
    const [k, b] = c.model.getLayer('out').getWeights();
    return feat.matMul(k!).add(b!).dataSync() as Float32Array;
  });
}

const SHAPE = [6, 6, 2];

/** Smooth (tanh, average pooling) so that finite differences are accurate. */
const smoothNet = graph([
  ['x', 'input', { shape: SHAPE }],
  ['c1', 'conv2d', { filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh' }, 'x'],
  ['p1', 'averagePooling2d', { poolSize: 2 }, 'c1'],
  ['c2', 'conv2d', { filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' }, 'p1'],
  ['f', 'flatten', {}, 'c2'],
  ['out', 'dense', { units: 3, activation: 'softmax' }, 'f'],
]);

/** ReLU and max pooling, as LeNet-5 has them. */
const reluNet = graph([
  ['x', 'input', { shape: SHAPE }],
  ['c1', 'conv2d', { filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }, 'x'],
  ['p1', 'maxPooling2d', { poolSize: 2 }, 'c1'],
  ['c2', 'conv2d', { filters: 5, kernelSize: 2, padding: 'valid', activation: 'relu' }, 'p1'],
  ['f', 'flatten', {}, 'c2'],
  ['out', 'dense', { units: 3, activation: 'softmax' }, 'f'],
]);

describe('class scores', () => {
  it('are the output before its softmax, for a Dense(softmax) output and for Activation(softmax) after a linear Dense', async () => {
    const c = compileSeeded(smoothNet);
    const img = seededImage(SHAPE, 3);
    const x = tf.tensor4d(img, [1, 6, 6, 2]);
    const ref = referenceLogits(c, x, 'f');
    const { logits, predicted } = await classScores(tf, c, img, SHAPE);
    logits.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 4));
    // softmax(logits) is the model's output.
    const probs = (c.model.predict(x) as tf.Tensor).dataSync();
    const soft = tf.softmax(tf.tensor1d(logits)).dataSync();
    soft.forEach((p, i) => expect(p).toBeCloseTo(probs[i]!, 5));
    expect(predicted).toBe(Array.from(probs).indexOf(Math.max(...probs)));

    // The same network with the softmax as a separate node: the score is the linear Dense's output.
    const split = graph([
      ...(smoothNet.nodes.slice(0, 5).map((n, i) => [n.id, n.type, n.params, i ? smoothNet.nodes[i - 1]!.id : undefined]) as Spec[]),
      ['lin', 'dense', { units: 3, activation: 'linear' }, 'f'],
      ['out', 'activation', { activation: 'softmax' }, 'lin'],
    ]);
    const c2 = compileGraph(split);
    c2.model.setWeights(c.model.getWeights());
    const s2 = await classScores(tf, c2, img, SHAPE);
    s2.logits.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 4));
    // And saliency agrees between the two forms.
    const a = await saliency(tf, c, img, SHAPE, 1);
    const b = await saliency(tf, c2, img, SHAPE, 1);
    a.heatmap.flat().forEach((v, i) => expect(b.heatmap.flat()[i]).toBeCloseTo(v, 5));
    x.dispose();
  });
});

describe('saliency', () => {
  it.each([
    ['smooth net', smoothNet, 1e-2],
    ['ReLU + max-pool net', reluNet, 1e-3],
  ] as const)('matches central finite differences of the logit (%s)', async (_name, doc, eps) => {
    const c = compileSeeded(doc, 2);
    const img = seededImage(SHAPE, 5);
    for (const cls of [0, 2]) {
      const res = await saliency(tf, c, img, SHAPE, cls);
      expect(res.method).toBe('saliency');
      expect(res.layer).toBeNull();
      expect(res.class).toBe(cls);
      expect(res.heatmap.length).toBe(6);
      res.heatmap.forEach((row) => expect(row.length).toBe(6));
      // Finite differences of every input value.
      const grad = new Float32Array(img.length);
      for (let i = 0; i < img.length; i++) {
        const plus = img.slice();
        plus[i] = img[i]! + eps;
        const minus = img.slice();
        minus[i] = img[i]! - eps;
        const zp = referenceLogits(c, tf.tensor4d(plus, [1, 6, 6, 2]), 'f')[cls]!;
        const zm = referenceLogits(c, tf.tensor4d(minus, [1, 6, 6, 2]), 'f')[cls]!;
        grad[i] = (zp - zm) / (2 * eps);
      }
      const sal = Array.from({ length: 36 }, (_, p) => Math.max(Math.abs(grad[2 * p]!), Math.abs(grad[2 * p + 1]!)));
      const max = Math.max(...sal);
      expect(max).toBeGreaterThan(0);
      const got = res.heatmap.flat();
      sal.forEach((v, p) => expect(Math.abs(got[p]! - v / max)).toBeLessThan(0.03));
      expect(Math.max(...got)).toBe(1);
      expect(Math.min(...got)).toBeGreaterThanOrEqual(0);
    }
  });
});

/** Bilinear resize with half-pixel centres (TensorFlow's halfPixelCenters), in plain JS. */
function resizeRef(map: number[], h0: number, w0: number, h: number, w: number): number[] {
  const out: number[] = [];
  const coord = (d: number, n0: number, n: number) => Math.min(n0 - 1, Math.max(0, (d + 0.5) * (n0 / n) - 0.5));
  for (let y = 0; y < h; y++) {
    const fy = coord(y, h0, h);
    const y0 = Math.floor(fy);
    const y1 = Math.min(h0 - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = coord(x, w0, w);
      const x0 = Math.floor(fx);
      const x1 = Math.min(w0 - 1, x0 + 1);
      const tx = fx - x0;
      const at = (yy: number, xx: number) => map[yy * w0 + xx]!;
      out.push((1 - ty) * ((1 - tx) * at(y0, x0) + tx * at(y0, x1)) + ty * ((1 - tx) * at(y1, x0) + tx * at(y1, x1)));
    }
  }
  return out;
}

/** Grad-CAM from A, ∂score/∂A (both [1, h', w', k]) by the formula, in plain JS, then resized and normalised. */
function camRef(a: tf.Tensor, g: tf.Tensor, h: number, w: number): number[] {
  const [, h0, w0, k] = a.shape as number[];
  const av = a.dataSync();
  const gv = g.dataSync();
  const alpha = Array.from({ length: k! }, (_, ch) => {
    let s = 0;
    for (let p = 0; p < h0! * w0!; p++) s += gv[p * k! + ch]!;
    return s / (h0! * w0!);
  });
  const map = Array.from({ length: h0! * w0! }, (_, p) => Math.max(0, alpha.reduce((s, al, ch) => s + al * av[p * k! + ch]!, 0)));
  const big = resizeRef(map, h0!, w0!, h, w);
  const max = Math.max(...big);
  return big.map((v) => (max > 0 ? v / max : 0));
}

describe('Grad-CAM', () => {
  it('matches an independent computation on the last conv (ReLU net) and on the first conv (smooth net)', async () => {
    // ReLU net, node c2 [2, 2, 5]: after it come flatten and the dense layer.
    {
      const c = compileSeeded(reluNet, 4);
      const img = seededImage(SHAPE, 6);
      const x = tf.tensor4d(img, [1, 6, 6, 2]);
      const a = probeValue(c, 'c2', x);
      const [k, b] = c.model.getLayer('out').getWeights();
      for (const cls of [0, 1, 2]) {
        const g = tf.grad((aa: tf.Tensor) => aa.reshape([1, -1]).matMul(k!).add(b!).reshape([-1]).gather([cls]).sum())(a);
        const ref = camRef(a, g, 6, 6);
        const res = await gradCam(tf, c, img, SHAPE, { classIndex: cls });
        expect(res.layer).toBe('c2');
        expect(res.method).toBe('gradcam');
        res.heatmap.flat().forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 4));
      }
    }
    // Smooth net, node c1 [6, 6, 3] (the same size as the input): A → avg-pool → conv(tanh) → dense.
    {
      const c = compileSeeded(smoothNet, 7);
      const img = seededImage(SHAPE, 8);
      const x = tf.tensor4d(img, [1, 6, 6, 2]);
      const a = probeValue(c, 'c1', x);
      const [k2, b2] = c.model.getLayer('c2').getWeights();
      const [k, b] = c.model.getLayer('out').getWeights();
      const rest = (aa: tf.Tensor) =>
        tf
          .conv2d(tf.avgPool(aa as tf.Tensor4D, 2, 2, 'valid'), k2 as tf.Tensor4D, 1, 'same')
          .add(b2!)
          .tanh()
          .reshape([1, -1])
          .matMul(k!)
          .add(b!)
          .reshape([-1]);
      const res = await gradCam(tf, c, img, SHAPE, { nodeId: 'c1' });
      const cls = Array.from(rest(a).dataSync()).reduce((best, v, i, arr) => (v > arr[best]! ? i : best), 0);
      expect(res.predicted).toBe(cls);
      expect(res.class).toBe(cls);
      const g = tf.grad((aa: tf.Tensor) => rest(aa).gather([cls]).sum())(a);
      const ref = camRef(a, g, 6, 6);
      res.heatmap.flat().forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 4));
    }
  });

  it('follows both paths of a skip connection: ∂score/∂A counts the identity and the convolution', async () => {
    const doc = graph([
      ['x', 'input', { shape: [5, 5, 1] }],
      ['c1', 'conv2d', { filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh' }, 'x'],
      ['c2', 'conv2d', { filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh' }, 'c1'],
      ['sum', 'add', {}, ['c1', 'c2']],
      ['gap', 'globalAveragePooling2d', {}, 'sum'],
      ['out', 'dense', { units: 2, activation: 'softmax' }, 'gap'],
    ]);
    const c = compileSeeded(doc, 9);
    const img = seededImage([5, 5, 1], 10);
    const a = probeValue(c, 'c1', tf.tensor4d(img, [1, 5, 5, 1]));
    const [k2, b2] = c.model.getLayer('c2').getWeights();
    const [k, b] = c.model.getLayer('out').getWeights();
    const rest = (aa: tf.Tensor) =>
      aa
        .add(tf.conv2d(aa as tf.Tensor4D, k2 as tf.Tensor4D, 1, 'same').add(b2!).tanh())
        .mean([1, 2])
        .matMul(k!)
        .add(b!)
        .reshape([-1]);
    for (const cls of [0, 1]) {
      const g = tf.grad((aa: tf.Tensor) => rest(aa).gather([cls]).sum())(a);
      const ref = camRef(a, g, 5, 5);
      const res = await gradCam(tf, c, img, [5, 5, 1], { nodeId: 'c1', classIndex: cls });
      res.heatmap.flat().forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 4));
      // The default node is the last conv.
      expect((await gradCam(tf, c, img, [5, 5, 1], { classIndex: cls })).layer).toBe('c2');
    }
  });

  it('an all-zero map stays zero (no NaN): a class whose score does not depend on the image', async () => {
    const c = compileSeeded(reluNet, 11);
    const out = c.model.getLayer('out');
    const [k, b] = out.getWeights();
    out.setWeights([tf.zerosLike(k!), b!]);
    const img = seededImage(SHAPE, 12);
    const cam = await gradCam(tf, c, img, SHAPE, { classIndex: 1 });
    expect(cam.heatmap.flat().every((v) => v === 0)).toBe(true);
    const sal = await saliency(tf, c, img, SHAPE, 1);
    expect(sal.heatmap.flat().every((v) => v === 0)).toBe(true);
  });

  it('an all-zero map stays zero when the ReLU of the weighted sum is zero everywhere', async () => {
    // A ReLU conv whose feature maps are all zero (large negative bias): A = 0, so Σ αₖ Aₖ = 0.
    const c = compileSeeded(reluNet, 13);
    const c2 = c.model.getLayer('c2');
    const [k] = c2.getWeights();
    c2.setWeights([k!, tf.fill([5], -1000)]);
    const cam = await gradCam(tf, c, seededImage(SHAPE, 14), SHAPE);
    expect(cam.heatmap.flat().every((v) => v === 0)).toBe(true);
  });

  it('uses the last Conv 2D or Depthwise Conv 2D by default; any feature-map node can be chosen; others are refused', async () => {
    const lenet = compileGraph(loadPreset('lenet5'));
    expect(defaultCamNode(lenet.analysis)).toBe('c3');
    expect(featureMapNodes(lenet.analysis)).toEqual(['image', 'c1', 's2', 'c3', 's4']);
    const img = seededImage([28, 28, 1], 15);
    const res = await gradCam(tf, lenet, img, [28, 28, 1]);
    expect(res.layer).toBe('c3');
    expect(res.heatmap.length).toBe(28);
    res.heatmap.forEach((row) => {
      expect(row.length).toBe(28);
      row.forEach((v) => expect(v >= 0 && v <= 1).toBe(true));
    });
    expect((await gradCam(tf, lenet, img, [28, 28, 1], { nodeId: 's2' })).layer).toBe('s2');
    await expect(gradCam(tf, lenet, img, [28, 28, 1], { nodeId: 'flatten' })).rejects.toThrow(/feature map.*flatten gives 400/);
    await expect(gradCam(tf, lenet, img, [28, 28, 1], { nodeId: 'nope' })).rejects.toBeInstanceOf(ExplainError);
    await expect(gradCam(tf, lenet, img, [28, 28, 1], { classIndex: 10 })).rejects.toThrow(/classes 0 to 9/);

    const dw = graph([
      ['x', 'input', { shape: [8, 8, 2] }],
      ['c', 'conv2d', { filters: 2, kernelSize: 3, activation: 'relu' }, 'x'],
      ['d', 'depthwiseConv2d', { kernelSize: 3, activation: 'relu' }, 'c'],
      ['p', 'maxPooling2d', { poolSize: 2 }, 'd'],
      ['f', 'flatten', {}, 'p'],
      ['out', 'dense', { units: 2, activation: 'softmax' }, 'f'],
    ]);
    expect(defaultCamNode(compileGraph(dw).analysis)).toBe('d');
    const mlp = compileGraph(loadPreset('mlp'));
    expect(defaultCamNode(mlp.analysis)).toBeNull();
    await expect(gradCam(tf, mlp, img, [28, 28, 1])).rejects.toThrow(/feature map/);
  });
});

describe('favourite input', () => {
  it("raises the chosen channel's mean activation well above its value on the starting noise, and stays in [0, 1]", async () => {
    const c = compileSeeded(reluNet, 16, 0.5);
    for (const [nodeId, channel] of [
      ['c1', 3],
      ['c2', 1],
      ['out', 2],
    ] as const) {
      const fav = await favouriteInput(tf, c, SHAPE, { nodeId, channel, seed: 3 });
      expect(fav.image.length).toBe(72);
      expect(fav.image.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(fav.stuck).toBe(false);
      // The reported numbers are the channel's mean activation (for the output: the class logit), checked independently.
      const x = tf.tensor4d(fav.image, [1, 6, 6, 2]);
      const after =
        nodeId === 'out'
          ? referenceLogits(c, x, 'f')[channel]!
          : tf.tidy(() => {
              const a = probeValue(c, nodeId, x);
              return a.reshape([-1, a.shape[3]!]).mean(0).dataSync()[channel]!;
            });
      expect(fav.after).toBeCloseTo(after, 4);
      expect(fav.after).toBeGreaterThan(fav.before + 0.25);
      expect(fav.after).toBeGreaterThan(1.5 * Math.abs(fav.before));
    }
    // The same seed gives the same image.
    const a = await favouriteInput(tf, c, SHAPE, { nodeId: 'c1', channel: 1, steps: 5, seed: 4 });
    const b = await favouriteInput(tf, c, SHAPE, { nodeId: 'c1', channel: 1, steps: 5, seed: 4 });
    expect(Array.from(a.image)).toEqual(Array.from(b.image));
    await expect(favouriteInput(tf, c, SHAPE, { nodeId: 'c1', channel: 4 })).rejects.toThrow(/channels 0 to 3/);
    await expect(favouriteInput(tf, c, SHAPE, { nodeId: 'x', channel: 0 })).rejects.toThrow(/input/);
  });

  it('says when a channel never responds (a ReLU that stays at 0): the ascent is stuck', async () => {
    const c = compileSeeded(reluNet, 17);
    const c1 = c.model.getLayer('c1');
    const [k] = c1.getWeights();
    c1.setWeights([k!, tf.fill([4], -1000)]);
    const fav = await favouriteInput(tf, c, SHAPE, { nodeId: 'c1', channel: 2, steps: 8 });
    expect(fav.stuck).toBe(true);
    expect(fav.before).toBe(0);
    expect(fav.after).toBe(0);
  });

  it('finds a better input for a LeNet-5 conv channel than the starting noise', async () => {
    const lenet = compileSeeded(loadPreset('lenet5'), 18, 0.3);
    const fav = await favouriteInput(tf, lenet, [28, 28, 1], { nodeId: 'c1', channel: 0, steps: 30 });
    expect(fav.shape).toEqual([28, 28, 1]);
    expect(fav.after).toBeGreaterThan(fav.before + 0.2);
  });
});

describe('memory', () => {
  it('leaves no tensors behind (the worker calls these again and again)', async () => {
    const c = compileSeeded(reluNet, 21);
    const img = seededImage(SHAPE, 22);
    await saliency(tf, c, img, SHAPE); // warm-up (tfjs keeps a few tensors on first use)
    const before = tf.memory().numTensors;
    await saliency(tf, c, img, SHAPE, 1);
    await gradCam(tf, c, img, SHAPE);
    await gradCam(tf, c, img, SHAPE, { nodeId: 'x' });
    await classScores(tf, c, img, SHAPE);
    await favouriteInput(tf, c, SHAPE, { nodeId: 'c2', channel: 1, steps: 5 });
    await expect(gradCam(tf, c, img, SHAPE, { classIndex: 9 })).rejects.toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('on wasm', () => {
  it('saliency, Grad-CAM and the favourite input agree with cpu (with the kernel fixes the worker and the CLI install)', async () => {
    const doc = loadPreset('lenet5');
    await tf.setBackend('cpu');
    const c = compileSeeded(doc, 19, 0.2);
    const weights = c.model.getWeights().map((w) => w.dataSync().slice());
    const img = seededImage([28, 28, 1], 20);
    const cpu = [await saliency(tf, c, img, [28, 28, 1]), await gradCam(tf, c, img, [28, 28, 1]), await gradCam(tf, c, img, [28, 28, 1], { nodeId: 'c1', classIndex: 3 })];
    const favCpu = await favouriteInput(tf, c, [28, 28, 1], { nodeId: 'c3', channel: 2, steps: 10 });
    const { initBackend } = await import('../training/backend');
    expect((await initBackend(['wasm'])).name).toBe('wasm');
    const w = compileGraph(doc);
    w.model.setWeights(w.model.getWeights().map((t, i) => tf.tensor(weights[i]!, t.shape)));
    const wasm = [await saliency(tf, w, img, [28, 28, 1]), await gradCam(tf, w, img, [28, 28, 1]), await gradCam(tf, w, img, [28, 28, 1], { nodeId: 'c1', classIndex: 3 })];
    wasm.forEach((r, i) => {
      expect(r.class).toBe(cpu[i]!.class);
      expect(r.layer).toBe(cpu[i]!.layer);
      const a = r.heatmap.flat();
      const b = cpu[i]!.heatmap.flat();
      a.forEach((v, j) => expect(Math.abs(v - b[j]!)).toBeLessThan(1e-3));
    });
    const favWasm = await favouriteInput(tf, w, [28, 28, 1], { nodeId: 'c3', channel: 2, steps: 10 });
    expect(favWasm.after).toBeCloseTo(favCpu.after, 3);
    await tf.setBackend('cpu');
  });
});
