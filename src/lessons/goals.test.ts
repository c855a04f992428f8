import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../graph/analyze';
import { parseGraph, parseGraphText } from '../graph/parse';
import type { GraphDoc } from '../graph/types';
import { checkGoal, checkStep, goalLabel, KERNEL_THRESHOLDS, kernelBehaviour, skipConnections } from './goals';
import type { Goal, GoalContext, KernelBehaviour, LabEvent } from './types';

const root = join(__dirname, '../..');

function preset(name: string): GraphDoc {
  const r = parseGraphText(readFileSync(join(root, 'presets', `${name}.json`), 'utf8'));
  if (!r.ok) throw new Error(r.message);
  return r.doc;
}

type N = { id: string; type: string; params?: Record<string, unknown> };
const wire = (from: string, to: string, port = 'in') => ({ from: [from, 'out'], to: [to, port] });

function graph(nodes: N[], edges: ReturnType<typeof wire>[]): GraphDoc {
  const r = parseGraph({ format: 'layerlab-graph', version: 2, name: 't', description: '', nodes, edges });
  if (!r.ok) throw new Error(r.message);
  return r.doc;
}

function ctx(doc: GraphDoc, extra: Partial<GoalContext> = {}): GoalContext {
  return { doc, analysis: analyzeGraph(doc), runs: [], labs: [], ...extra };
}

const state = (goal: Goal, c: GoalContext) => checkGoal(goal, c).state;

const image = { id: 'image', type: 'input', params: { shape: [28, 28, 1] } };
const dense10 = { id: 'out', type: 'dense', params: { units: 10, activation: 'softmax' } };

/** image -> conv(same, 1 filter) -> add(image, conv) -> flatten -> out: an identity shortcut. */
const identitySkip = graph(
  [image, { id: 'conv', type: 'conv2d', params: { filters: 1, kernelSize: 3, padding: 'same' } }, { id: 'sum', type: 'add', params: { inputs: 2 } }, { id: 'flat', type: 'flatten' }, dense10],
  [wire('image', 'conv'), wire('image', 'sum', 'in0'), wire('conv', 'sum', 'in1'), wire('sum', 'flat'), wire('flat', 'out')],
);
/** The same node added to itself: no branch, no skip. */
const sameTwice = graph(
  [image, { id: 'flat', type: 'flatten' }, { id: 'd', type: 'dense', params: { units: 32 } }, { id: 'sum', type: 'add', params: { inputs: 2 } }, dense10],
  [wire('image', 'flat'), wire('flat', 'd'), wire('d', 'sum', 'in0'), wire('d', 'sum', 'in1'), wire('sum', 'out')],
);
/** Two equally deep parallel branches summed: a branch, but nothing is skipped. */
const parallel = graph(
  [image, { id: 'flat', type: 'flatten' }, { id: 'a', type: 'dense', params: { units: 32 } }, { id: 'b', type: 'dense', params: { units: 32 } }, { id: 'sum', type: 'add', params: { inputs: 2 } }, dense10],
  [wire('image', 'flat'), wire('flat', 'a'), wire('flat', 'b'), wire('a', 'sum', 'in0'), wire('b', 'sum', 'in1'), wire('sum', 'out')],
);
/** A projection shortcut: the short branch has one layer, the long one two. */
const projection = graph(
  [
    image,
    { id: 'flat', type: 'flatten' },
    { id: 'a1', type: 'dense', params: { units: 32 } },
    { id: 'a2', type: 'dense', params: { units: 16 } },
    { id: 'proj', type: 'dense', params: { units: 16 } },
    { id: 'sum', type: 'add', params: { inputs: 2 } },
    dense10,
  ],
  [wire('image', 'flat'), wire('flat', 'a1'), wire('a1', 'a2'), wire('flat', 'proj'), wire('a2', 'sum', 'in0'), wire('proj', 'sum', 'in1'), wire('sum', 'out')],
);
/** flatten's input is missing and the graph has two outputs. */
const broken = graph(
  [image, { id: 'flat', type: 'flatten' }, { id: 'c', type: 'conv2d', params: { filters: 4, kernelSize: 3 } }, dense10],
  [wire('image', 'c'), wire('flat', 'out')],
);

describe('graph goals', () => {
  const lenet = ctx(preset('lenet5'));
  const mlp = ctx(preset('mlp'));
  const resnet = ctx(preset('resnet-mini'));

  it('nodeType counts nodes of a type, block contents included', () => {
    expect(state({ kind: 'nodeType', type: 'conv2d' }, lenet)).toBe('met');
    expect(state({ kind: 'nodeType', type: 'conv2d', min: 2 }, lenet)).toBe('met');
    expect(state({ kind: 'nodeType', type: 'conv2d', min: 3 }, lenet)).toBe('unmet');
    expect(state({ kind: 'nodeType', type: 'conv2d' }, mlp)).toBe('unmet');
    expect(checkGoal({ kind: 'nodeType', type: 'conv2d' }, mlp).detail).toMatch(/0 .*nodes/);
    // ResNet-mini's convolutions live mostly inside its blocks: brute-force count over the flat graph.
    const flatConvs = [...resnet.analysis.nodes.values()].filter((n) => n.type === 'conv2d').length;
    expect(flatConvs).toBeGreaterThan(4);
    expect(state({ kind: 'nodeType', type: 'conv2d', min: flatConvs }, resnet)).toBe('met');
    expect(state({ kind: 'nodeType', type: 'conv2d', min: flatConvs + 1 }, resnet)).toBe('unmet');
  });

  it('skipConnection: ResNet-mini has one, LeNet-5 and the MLP do not', () => {
    expect(state({ kind: 'skipConnection' }, resnet)).toBe('met');
    expect(checkGoal({ kind: 'skipConnection' }, resnet).detail).toMatch(/adds .*shortcut/);
    expect(state({ kind: 'skipConnection' }, lenet)).toBe('unmet');
    expect(checkGoal({ kind: 'skipConnection' }, lenet).detail).toMatch(/no Add node/);
    expect(state({ kind: 'skipConnection' }, mlp)).toBe('unmet');
  });

  it('skipConnection: every residual block of ResNet-mini counts (identity and projection shortcuts)', () => {
    const adds = [...resnet.analysis.nodes.values()].filter((n) => n.type === 'add').map((n) => n.id);
    expect(adds.length).toBe(4);
    expect(skipConnections(resnet.analysis).map((s) => s[0]).sort()).toEqual(adds.sort());
  });

  it('skipConnection: what counts and what does not in small graphs', () => {
    expect(state({ kind: 'skipConnection' }, ctx(identitySkip))).toBe('met');
    expect(skipConnections(ctx(identitySkip).analysis)).toEqual([['sum', 'image', 'conv']]);
    expect(state({ kind: 'skipConnection' }, ctx(projection))).toBe('met');
    expect(skipConnections(ctx(projection).analysis)).toEqual([['sum', 'proj', 'a2']]);
    // add(x, x): the same node twice is not a skip.
    expect(ctx(sameTwice).analysis.ok).toBe(true);
    expect(state({ kind: 'skipConnection' }, ctx(sameTwice))).toBe('unmet');
    // Two equally deep branches summed skip nothing.
    expect(ctx(parallel).analysis.ok).toBe(true);
    expect(state({ kind: 'skipConnection' }, ctx(parallel))).toBe('unmet');
    expect(checkGoal({ kind: 'skipConnection' }, ctx(parallel)).detail).toMatch(/equally many layers/);
    // Inception's parallel branches are concatenated, U-Net's skips too: only Add counts.
    expect(state({ kind: 'skipConnection' }, ctx(preset('inception-mini')))).toBe('unmet');
    expect(state({ kind: 'skipConnection' }, ctx(preset('unet-mini')))).toBe('unmet');
  });

  it('maxParams and minParams against the total count', () => {
    const total = lenet.analysis.totals.params;
    // LeNet-5 as in the preset (6 'same' and 16 'valid' 5×5 filters, 2×2 pooling, 120-84-10 dense): the classic 61,706.
    expect(6 * (25 + 1) + 16 * (6 * 25 + 1) + 16 * 5 * 5 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10).toBe(61706);
    expect(total).toBe(61706);
    expect(state({ kind: 'maxParams', max: total }, lenet)).toBe('met');
    expect(state({ kind: 'maxParams', max: total - 1 }, lenet)).toBe('unmet');
    expect(state({ kind: 'minParams', min: total }, lenet)).toBe('met');
    expect(state({ kind: 'minParams', min: total + 1 }, lenet)).toBe('unmet');
    expect(checkGoal({ kind: 'maxParams', max: 1 }, lenet).detail).toContain(total.toLocaleString('en-US'));
    // A graph whose shapes cannot all be worked out has no count to compare.
    expect(state({ kind: 'maxParams', max: 1e9 }, ctx(broken))).toBe('unmet');
    expect(checkGoal({ kind: 'maxParams', max: 1e9 }, ctx(broken)).detail).toMatch(/unknown/);
  });

  it('outputShape', () => {
    expect(state({ kind: 'outputShape', shape: [10] }, lenet)).toBe('met');
    expect(state({ kind: 'outputShape', shape: [5] }, lenet)).toBe('unmet');
    expect(state({ kind: 'outputShape', shape: [10, 1] }, lenet)).toBe('unmet');
    const unet = ctx(preset('unet-mini'));
    const out = unet.analysis.nodes.get(unet.analysis.outputId!)!.outputShape!;
    // Segmentation: the output keeps the input's height and width.
    const input = preset('unet-mini').nodes.find((n) => n.type === 'input')!.params.shape as number[];
    expect(out.slice(0, 2)).toEqual(input.slice(0, 2));
    expect(state({ kind: 'outputShape', shape: [...out] }, unet)).toBe('met');
    expect(state({ kind: 'outputShape', shape: [10] }, unet)).toBe('unmet');
    expect(checkGoal({ kind: 'outputShape', shape: [10] }, ctx(broken)).detail).toMatch(/no single output/);
  });

  it('nodeAfter follows wires downstream, any distance', () => {
    expect(state({ kind: 'nodeAfter', type: 'dense', after: 'flatten' }, lenet)).toBe('met');
    expect(state({ kind: 'nodeAfter', type: 'conv2d', after: 'maxPooling2d' }, lenet)).toBe('met');
    expect(state({ kind: 'nodeAfter', type: 'dense', after: 'conv2d' }, lenet)).toBe('met');
    expect(state({ kind: 'nodeAfter', type: 'flatten', after: 'dense' }, lenet)).toBe('unmet');
    expect(state({ kind: 'nodeAfter', type: 'conv2d', after: 'conv2d' }, lenet)).toBe('met');
    expect(state({ kind: 'nodeAfter', type: 'dense', after: 'dense' }, ctx(identitySkip))).toBe('unmet');
    expect(checkGoal({ kind: 'nodeAfter', type: 'dense', after: 'dropout' }, lenet).detail).toMatch(/no Dropout node/i);
    // Not connected: conv c is not upstream of anything in the broken graph.
    expect(state({ kind: 'nodeAfter', type: 'dense', after: 'conv2d' }, ctx(broken))).toBe('unmet');
  });

  it('noErrors', () => {
    expect(state({ kind: 'noErrors' }, lenet)).toBe('met');
    expect(state({ kind: 'noErrors' }, resnet)).toBe('met');
    const r = checkGoal({ kind: 'noErrors' }, ctx(broken));
    expect(r.state).toBe('unmet');
    expect(r.detail).toMatch(/error/);
  });
});

describe('training goals', () => {
  const c = (runs: GoalContext['runs']) => ctx(preset('lenet5'), { runs });
  const goal: Goal = { kind: 'testAccuracy', min: 0.95, dataset: 'mnist', maxEpochs: 3 };

  it('is unchecked before any run', () => {
    expect(checkGoal(goal, c([]))).toMatchObject({ state: 'unchecked', detail: 'No training run yet.' });
  });
  it('is met by a run within the epochs that reaches the accuracy', () => {
    expect(state(goal, c([{ dataset: 'mnist', epochs: 3, testAccuracy: 0.95 }]))).toBe('met');
    expect(state(goal, c([{ dataset: 'mnist', epochs: 1, testAccuracy: 0.9 }, { dataset: 'mnist', epochs: 2, testAccuracy: 0.97 }]))).toBe('met');
    expect(state({ ...goal, maxEpochs: undefined }, c([{ dataset: 'mnist', epochs: 50, testAccuracy: 0.99 }]))).toBe('met');
  });
  it('is unmet below the accuracy', () => {
    const r = checkGoal(goal, c([{ dataset: 'mnist', epochs: 3, testAccuracy: 0.949 }]));
    expect(r.state).toBe('unmet');
    expect(r.detail).toMatch(/94\.9%/);
  });
  it('is unmet when the accuracy took too many epochs', () => {
    const r = checkGoal(goal, c([{ dataset: 'mnist', epochs: 4, testAccuracy: 0.99 }]));
    expect(r.state).toBe('unmet');
    expect(r.detail).toMatch(/more than 3 epochs/);
  });
  it('is unmet when the runs were on another dataset', () => {
    const r = checkGoal(goal, c([{ dataset: 'fashion-mnist', epochs: 1, testAccuracy: 0.99 }]));
    expect(r.state).toBe('unmet');
    expect(r.detail).toMatch(/No run on MNIST/);
  });
  it('is unmet when no test accuracy was measured', () => {
    expect(state(goal, c([{ dataset: 'mnist', epochs: 1 }]))).toBe('unmet');
  });
});

describe('lab goals', () => {
  const doc = preset('lenet5');
  const ev = (e: Omit<LabEvent, 'at'>): LabEvent => ({ ...e, at: 1 });

  it('a sweep goal with a transform', () => {
    const goal: Goal = { kind: 'lab', event: 'sweep', transform: 'rotation' };
    expect(state(goal, ctx(doc))).toBe('unchecked');
    expect(state(goal, ctx(doc, { labs: [ev({ kind: 'sweep', transform: 'shift' })] }))).toBe('unmet');
    expect(state(goal, ctx(doc, { labs: [ev({ kind: 'sweep', transform: 'shift' }), ev({ kind: 'sweep', transform: 'rotation' })] }))).toBe('met');
    expect(state(goal, ctx(doc, { labs: [ev({ kind: 'explain' })] }))).toBe('unchecked');
    expect(state({ kind: 'lab', event: 'explain' }, ctx(doc, { labs: [ev({ kind: 'explain' })] }))).toBe('met');
  });

  it('a kernel goal is checked by what the kernel does', () => {
    const goal: Goal = { kind: 'kernel', behaviour: 'verticalEdges' };
    const sobelX = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]];
    const box = [[1, 1, 1], [1, 1, 1], [1, 1, 1]].map((r) => r.map((v) => v / 9));
    expect(state(goal, ctx(doc))).toBe('unchecked');
    expect(state(goal, ctx(doc, { labs: [ev({ kind: 'kernel', kernel: box })] }))).toBe('unmet');
    expect(checkGoal(goal, ctx(doc, { labs: [ev({ kind: 'kernel', kernel: box })] })).detail).toMatch(/blur/);
    expect(state(goal, ctx(doc, { labs: [ev({ kind: 'kernel', kernel: box }), ev({ kind: 'kernel', kernel: sobelX })] }))).toBe('met');
    // The transposed Sobel finds horizontal edges, not vertical ones.
    const sobelY = sobelX[0]!.map((_, j) => sobelX.map((r) => r[j]!));
    expect(state(goal, ctx(doc, { labs: [ev({ kind: 'kernel', kernel: sobelY })] }))).toBe('unmet');
  });
});

describe('labels and steps', () => {
  it('every goal kind has a readable default label, and a label given wins', () => {
    const goals: Goal[] = [
      { kind: 'nodeType', type: 'conv2d', min: 2 },
      { kind: 'skipConnection' },
      { kind: 'maxParams', max: 100000 },
      { kind: 'minParams', min: 10 },
      { kind: 'outputShape', shape: [10] },
      { kind: 'nodeAfter', type: 'dense', after: 'flatten' },
      { kind: 'noErrors' },
      { kind: 'testAccuracy', min: 0.9, dataset: 'mnist', maxEpochs: 1 },
      { kind: 'lab', event: 'sweep', transform: 'rotation' },
      { kind: 'kernel', behaviour: 'blur' },
    ];
    const labels = goals.map(goalLabel);
    expect(new Set(labels).size).toBe(goals.length);
    expect(labels[0]).toMatch(/^Use at least 2 .+ nodes$/);
    expect(labels[2]).toContain('100,000');
    expect(labels[7]).toBe('Reach 90% test accuracy on MNIST digits within 1 epoch');
    for (const l of labels) expect(l.length).toBeGreaterThan(5);
    expect(goalLabel({ kind: 'noErrors', label: 'Make it build' })).toBe('Make it build');
    expect(goalLabel({ kind: 'nodeAfter', type: 'dense', after: 'input' })).toMatch(/^Put a .+ node after an .+ node$/);
    // A goal that did not come through parseLesson never crashes a view.
    const odd = { kind: 'magic' } as unknown as Goal;
    expect(goalLabel(odd)).toBe('Unknown goal "magic"');
    expect(checkGoal(odd, ctx(preset('lenet5')))).toMatchObject({ state: 'unchecked' });
  });

  it('checkStep checks every goal in order', () => {
    const c = ctx(preset('lenet5'));
    const r = checkStep({ id: 's', title: 'S', text: '', goals: [{ kind: 'noErrors' }, { kind: 'skipConnection' }, { kind: 'testAccuracy', min: 0.5, dataset: 'mnist' }] }, c);
    expect(r.map((s) => s.state)).toEqual(['met', 'unmet', 'unchecked']);
  });
});

// ---------------------------------------------------------------------------------------------
// Kernels, checked by convolving images (brute force), not by the closed forms goals.ts uses.

type Img = number[][];
/** Valid cross-correlation, as a conv layer computes it. */
function correlate(img: Img, k: number[][]): Img {
  const kh = k.length;
  const kw = k[0]!.length;
  const out: Img = [];
  for (let y = 0; y + kh <= img.length; y++) {
    const row: number[] = [];
    for (let x = 0; x + kw <= img[0]!.length; x++) {
      let s = 0;
      for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) s += img[y + i]![x + j]! * k[i]![j]!;
      row.push(s);
    }
    out.push(row);
  }
  return out;
}
const SIZE = 16;
const make = (f: (y: number, x: number) => number): Img => Array.from({ length: SIZE }, (_, y) => Array.from({ length: SIZE }, (_, x) => f(y, x)));
const verticalStep = make((_y, x) => (x >= SIZE / 2 ? 1 : 0)); // dark left, bright right
const horizontalStep = make((y) => (y >= SIZE / 2 ? 1 : 0));
const flat = make(() => 1);
const impulse = make((y, x) => (y === SIZE / 2 && x === SIZE / 2 ? 1 : 0));
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const rand = rng(7);
const noise = make(() => rand());
const all = (img: Img) => img.flat();
const maxAbs = (img: Img) => Math.max(...all(img).map(Math.abs));

/** What a kernel does to images, measured. */
function measure(k: number[][]) {
  const n = k.flat().reduce((a, v) => a + Math.abs(v), 0);
  const flatResp = correlate(flat, k)[0]![0]!;
  const v = all(correlate(verticalStep, k));
  const h = all(correlate(horizontalStep, k));
  const imp = all(correlate(impulse, k));
  return {
    n,
    flat: flatResp,
    v: maxAbs(correlate(verticalStep, k)),
    h: maxAbs(correlate(horizontalStep, k)),
    vMax: Math.max(...v),
    vMin: Math.min(...v),
    hMax: Math.max(...h),
    hMin: Math.min(...h),
    /** Noise variance factor of a kernel with weights summing to 1: Σk² / (Σk)², from the impulse response. */
    variance: imp.reduce((a, x) => a + x * x, 0) / (flatResp * flatResp),
    minWeight: Math.min(...imp),
  };
}

/** The documented definitions, applied to the measurements. */
function reference(k: number[][]): KernelBehaviour[] {
  const T = KERNEL_THRESHOLDS;
  const m = measure(k);
  const out: KernelBehaviour[] = [];
  if (m.n === 0) return out;
  const odd = k.length % 2 === 1 && k[0]!.length % 2 === 1;
  const centre = odd ? k[(k.length - 1) / 2]![(k[0]!.length - 1) / 2]! : undefined;
  if (odd) {
    // Identity: the image comes back unchanged (brute force on noise).
    const out2 = correlate(noise, k);
    const r = (k.length - 1) / 2;
    const c = (k[0]!.length - 1) / 2;
    let worst = 0;
    out2.forEach((row, y) => row.forEach((v, x) => (worst = Math.max(worst, Math.abs(v - noise[y + r]![x + c]!)))));
    if (worst <= T.tolerance && Math.abs(centre! - 1) <= T.tolerance) out.push('identity');
  }
  if (m.minWeight >= -T.negative * m.n && m.flat > 0 && m.variance <= T.blurVariance) out.push('blur');
  const maxW = Math.max(...k.flat().map(Math.abs));
  if (m.flat > T.flat * m.n && centre !== undefined && centre > 0 && centre >= maxW && m.minWeight < 0) {
    if (Math.max(m.vMax, m.hMax) / m.flat > 1 + T.tolerance || Math.min(m.vMin, m.hMin) / m.flat < -T.tolerance) out.push('sharpen');
  }
  if (Math.abs(m.flat) <= T.flat * m.n && Math.max(m.v, m.h) >= T.edge * m.n) {
    out.push('edges');
    if (m.v >= T.edge * m.n && m.h <= T.direction * m.v) out.push('verticalEdges');
    if (m.h >= T.edge * m.n && m.v <= T.direction * m.h) out.push('horizontalEdges');
  }
  return out;
}

const transpose = (k: number[][]) => k[0]!.map((_, j) => k.map((r) => r[j]!));
const scale = (k: number[][], s: number) => k.map((r) => r.map((v) => v * s));

describe('kernelBehaviour', () => {
  const sobelX = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]];
  const classics: [string, number[][], KernelBehaviour[]][] = [
    ['identity', [[0, 0, 0], [0, 1, 0], [0, 0, 0]], ['identity']],
    ['box blur', scale([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 1 / 9), ['blur']],
    ['gaussian blur', scale([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 1 / 16), ['blur']],
    ['unnormalised blur', [[1, 1], [1, 1]], ['blur']],
    ['sharpen', [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], ['sharpen']],
    ['sobel x', sobelX, ['edges', 'verticalEdges']],
    ['sobel y', transpose(sobelX), ['edges', 'horizontalEdges']],
    ['prewitt x', [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], ['edges', 'verticalEdges']],
    ['difference [1,-1]', [[1, -1]], ['edges', 'verticalEdges']],
    ['laplacian', [[0, 1, 0], [1, -4, 1], [0, 1, 0]], ['edges']],
    ['laplacian 8', [[1, 1, 1], [1, -8, 1], [1, 1, 1]], ['edges']],
    ['zero', [[0, 0], [0, 0]], []],
    ['shifted impulse', [[1, 0, 0], [0, 0, 0], [0, 0, 0]], []],
    ['emboss', [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], []],
  ];

  it.each(classics)('%s', (_name, k, expected) => {
    expect(kernelBehaviour(k).sort()).toEqual([...expected].sort());
    expect(reference(k).sort()).toEqual([...expected].sort());
  });

  it('a vertical-edge kernel responds to a vertical step edge and not to a horizontal one', () => {
    expect(maxAbs(correlate(verticalStep, sobelX))).toBe(4);
    expect(maxAbs(correlate(horizontalStep, sobelX))).toBe(0);
    expect(maxAbs(correlate(flat, sobelX))).toBe(0);
  });

  it('a blur kernel lowers the noise, an edge kernel darkens flat areas, sharpening overshoots at edges', () => {
    const sd = (img: Img) => {
      const v = all(img);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    };
    expect(sd(correlate(noise, scale([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 1 / 9)))).toBeLessThan(sd(noise) * 0.6);
    const sharp = correlate(verticalStep, [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]);
    expect(Math.max(...all(sharp))).toBeGreaterThan(1);
    expect(Math.min(...all(sharp))).toBeLessThan(0);
  });

  it('agrees with the brute-force measurement on 600 random kernels', () => {
    const r = rng(42);
    const families: (() => number[][])[] = [
      () => [0, 1, 2].map(() => [0, 1, 2].map(() => r() * 2 - 1)),
      () => [0, 1, 2].map(() => [0, 1, 2].map(() => r())),
      () => {
        const k = [0, 1, 2, 3, 4].map(() => [0, 1, 2, 3, 4].map(() => r() * 2 - 1));
        const mean = k.flat().reduce((a, b) => a + b, 0) / 25;
        return k.map((row) => row.map((v) => v - mean)); // zero sum: edge detectors
      },
      () => {
        const c = (r() - 0.5) * 0.2;
        return [[c, -r(), c], [0, 0, 0], [-c, r(), -c]].map((row) => row.map((v) => v * 3)); // horizontal-ish
      },
      () => {
        const k = [0, 1, 2].map(() => [0, 1, 2].map(() => -r() * 0.3));
        k[1]![1] = 1 - k.flat().reduce((a, b) => a + b, 0) + k[1]![1]!; // sum 1, centre dominant: sharpen
        return k;
      },
      () => [[r() - 0.5, r() - 0.5]],
    ];
    const counts = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const k = families[i % families.length]!();
      const got = kernelBehaviour(k).sort();
      expect(got, JSON.stringify(k)).toEqual(reference(k).sort());
      for (const b of got) counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    // The random families exercise every behaviour but identity.
    for (const b of ['blur', 'sharpen', 'edges', 'verticalEdges', 'horizontalEdges']) expect(counts.get(b) ?? 0, b).toBeGreaterThan(5);
  });

  it('rejects malformed kernels without throwing', () => {
    expect(kernelBehaviour([])).toEqual([]);
    expect(kernelBehaviour([[1, 2], [3]])).toEqual([]);
    expect(kernelBehaviour([[NaN]])).toEqual([]);
    expect(kernelBehaviour([[Infinity, 0]])).toEqual([]);
  });
});
