import { loadPreset } from '../../fixtures/presets';
import { describe, expect, it } from 'vitest';
import { graphText } from '../../fixtures/bad-graphs';
import { analyzeGraph } from './analyze';
import { parseGraphText } from './parse';
import type { GraphDoc } from './types';

function load(text: string): GraphDoc {
  const r = parseGraphText(text);
  if (!r.ok) throw new Error(r.message);
  return r.doc;
}
const preset = loadPreset;
const wire = (from: string, to: string, port = 'in') => ({ from: [from, 'out'] as [string, string], to: [to, port] as [string, string] });

describe('analyzeGraph on LeNet-5', () => {
  const a = analyzeGraph(preset('lenet5'));

  it('is valid, with no warnings', () => {
    expect(a.diagnostics).toEqual([]);
    expect(a.ok).toBe(true);
    expect(a.inputId).toBe('image');
    expect(a.outputId).toBe('output');
  });

  it('infers every shape and count (hand-computed: 156 + 2,416 + 48,120 + 10,164 + 850)', () => {
    const rows = a.order.map((id) => [id, a.nodes.get(id)!.outputShape, a.nodes.get(id)!.paramCount!.trainable]);
    expect(rows).toEqual([
      ['image', [28, 28, 1], 0],
      ['c1', [28, 28, 6], 156],
      ['s2', [14, 14, 6], 0],
      ['c3', [10, 10, 16], 2416],
      ['s4', [5, 5, 16], 0],
      ['flatten', [400], 0],
      ['f5', [120], 48120],
      ['f6', [84], 10164],
      ['output', [10], 850],
    ]);
    expect(a.totals).toEqual({ params: 61706, trainable: 61706, nonTrainable: 0, complete: true });
  });
});

describe('warnings for legal but suspicious graphs', () => {
  const base = [
    { id: 'image', type: 'input', params: { shape: [28, 28, 1] } },
    { id: 'c1', type: 'conv2d', params: { filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' } },
  ];

  it('dense on a feature map without flatten', () => {
    const a = analyzeGraph(load(graphText([...base, { id: 'd', type: 'dense', params: { units: 10, activation: 'softmax' } }], [wire('image', 'c1'), wire('c1', 'd')])));
    expect(a.ok).toBe(true);
    const w = a.diagnostics.filter((d) => d.severity === 'warning');
    expect(w.map((d) => d.nodeId)).toContain('d');
    expect(w.find((d) => d.nodeId === 'd' && d.code === 'lint')!.message).toMatch(/Dense gets a 28×28×4 map.*Flatten/);
    // …and the output is then a map, not a vector.
    expect(w.some((d) => d.code === 'output-not-vector' && /28×28×10/.test(d.message))).toBe(true);
  });

  it('pooling that shrinks a map to zero', () => {
    const nodes = [
      { id: 'image', type: 'input', params: { shape: [3, 3, 1] } },
      { id: 'p1', type: 'maxPooling2d', params: { poolSize: 2 } },
      { id: 'p2', type: 'maxPooling2d', params: { poolSize: 2 } },
      { id: 'f', type: 'flatten' },
      { id: 'out', type: 'dense', params: { units: 2, activation: 'softmax' } },
    ];
    const a = analyzeGraph(load(graphText(nodes, [wire('image', 'p1'), wire('p1', 'p2'), wire('p2', 'f'), wire('f', 'out')])));
    const w = a.diagnostics.find((d) => d.nodeId === 'p2')!;
    expect(w.severity).toBe('warning');
    expect(w.message).toMatch(/shrinks the 1×1 map to zero/);
    expect(a.nodes.get('p2')!.outputShape).toEqual([0, 0, 1]);
  });

  it('softmax in the middle of the network, and an output without softmax', () => {
    const nodes = [
      ...base,
      { id: 'f', type: 'flatten' },
      { id: 'd1', type: 'dense', params: { units: 32, activation: 'softmax' } },
      { id: 'd2', type: 'dense', params: { units: 10 } },
    ];
    const a = analyzeGraph(load(graphText(nodes, [wire('image', 'c1'), wire('c1', 'f'), wire('f', 'd1'), wire('d1', 'd2')])));
    expect(a.ok).toBe(true);
    const byCode = Object.fromEntries(a.diagnostics.map((d) => [d.code, d]));
    expect(byCode['softmax-inside']).toMatchObject({ severity: 'warning', nodeId: 'd1', message: expect.stringMatching(/feeds d2/) });
    expect(byCode['output-no-softmax']).toMatchObject({ severity: 'warning', nodeId: 'd2', message: expect.stringMatching(/Set its activation to softmax/) });
  });

  it('an output without an activation param (Flatten) is told to add a softmax layer, not to set an activation', () => {
    const nodes = [...base, { id: 'f', type: 'flatten' }];
    const a = analyzeGraph(load(graphText(nodes, [wire('image', 'c1'), wire('c1', 'f')])));
    const d = a.diagnostics.find((x) => x.code === 'output-no-softmax')!;
    expect(d).toMatchObject({ severity: 'warning', nodeId: 'f' });
    expect(d.message).not.toMatch(/Set its activation/);
    expect(d.message).toMatch(/Flatten node has no activation/);
    expect(d.message).toMatch(/add a Dense layer after it .*softmax/);
  });

  it('an Activation node at the output is told to set its activation to softmax', () => {
    const nodes = [...base, { id: 'f', type: 'flatten' }, { id: 'act', type: 'activation', params: { activation: 'relu' } }];
    const a = analyzeGraph(load(graphText(nodes, [wire('image', 'c1'), wire('c1', 'f'), wire('f', 'act')])));
    const d = a.diagnostics.find((x) => x.code === 'output-no-softmax')!;
    expect(d).toMatchObject({ nodeId: 'act', message: expect.stringMatching(/Set its activation to softmax/) });
  });
});

describe('structure', () => {
  it('an unknown node type does not make its neighbours look unconnected', () => {
    const nodes = [
      { id: 'image', type: 'input' },
      { id: 'mystery', type: 'conv3d' },
      { id: 'f', type: 'flatten' },
      { id: 'out', type: 'dense', params: { units: 10, activation: 'softmax' } },
    ];
    const a = analyzeGraph(load(graphText(nodes, [wire('image', 'mystery'), wire('mystery', 'f'), wire('f', 'out')])));
    expect(a.diagnostics.map((d) => d.code)).toEqual(['unknown-type']);
    expect(a.order).toEqual(['image', 'mystery', 'f', 'out']);
    expect(a.totals.complete).toBe(false);
  });

  it('a cycle is reported once with its path, and nodes behind it are not blamed', () => {
    const nodes = [
      { id: 'image', type: 'input' },
      { id: 'sum', type: 'add' },
      { id: 'r', type: 'activation' },
      { id: 'f', type: 'flatten' },
      { id: 'out', type: 'dense', params: { units: 10, activation: 'softmax' } },
    ];
    const a = analyzeGraph(load(graphText(nodes, [wire('image', 'sum', 'in0'), wire('r', 'sum', 'in1'), wire('sum', 'r'), wire('r', 'f'), wire('f', 'out')])));
    const cycles = a.diagnostics.filter((d) => d.code === 'cycle');
    expect(cycles).toHaveLength(1);
    expect(cycles[0]!.nodeIds.sort()).toEqual(['r', 'sum']);
    expect(cycles[0]!.message).toMatch(/(sum → r → sum|r → sum → r)/);
  });

  it('an empty graph is reported as having no input', () => {
    const a = analyzeGraph(load(graphText([], [])));
    expect(a.ok).toBe(true); // nothing wrong, nothing to compile either
    expect(a.diagnostics).toEqual([]);
    const one = analyzeGraph(load(graphText([{ id: 'f', type: 'flatten' }], [])));
    expect(one.diagnostics.map((d) => d.code).sort()).toEqual(['dangling-input', 'no-input']);
  });

  it('merge nodes grow ports with their inputs param', () => {
    const nodes = [
      { id: 'image', type: 'input', params: { shape: [8, 8, 2] } },
      { id: 'a', type: 'conv2d', params: { filters: 2, padding: 'same' } },
      { id: 'b', type: 'conv2d', params: { filters: 3, padding: 'same' } },
      { id: 'cat', type: 'concatenate', params: { inputs: 3 } },
      { id: 'gap', type: 'globalAveragePooling2d' },
      { id: 'out', type: 'dense', params: { units: 4, activation: 'softmax' } },
    ];
    const a = analyzeGraph(
      load(graphText(nodes, [wire('image', 'a'), wire('image', 'b'), wire('a', 'cat', 'in0'), wire('b', 'cat', 'in1'), wire('image', 'cat', 'in2'), wire('cat', 'gap'), wire('gap', 'out')])),
    );
    expect(a.diagnostics).toEqual([]);
    expect(a.nodes.get('cat')!.ports).toEqual(['in0', 'in1', 'in2']);
    expect(a.nodes.get('cat')!.outputShape).toEqual([8, 8, 7]);
  });
});

describe('presets', () => {
  it.each([
    ['lenet5', 61_706, 61_706],
    ['resnet50', 25_636_712, 25_583_592],
  ])('%s has the published parameter count', (name, total, trainable) => {
    const a = analyzeGraph(preset(name));
    expect(a.ok).toBe(true);
    expect(a.totals.params).toBe(total);
    expect(a.totals.trainable).toBe(trainable);
  });

  it('resnet50 ends in 7×7×2048 before pooling and has Keras layer names ("/" for "_" inside blocks)', () => {
    const a = analyzeGraph(preset('resnet50'));
    expect(a.nodes.size).toBe(177);
    expect(a.nodes.get('conv5_block3/out')!.outputShape).toEqual([7, 7, 2048]);
    expect(a.nodes.get('pool1_pool')!.outputShape).toEqual([56, 56, 64]);
    expect(a.nodes.get('predictions')!.outputShape).toEqual([1000]);
  });
});

describe('the output checked against the task', () => {
  const image = { id: 'image', type: 'input', params: { shape: [28, 28, 1] } };
  const c1 = { id: 'c1', type: 'conv2d', params: { filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' } };
  /** image -> c1 -> rest[0] -> rest[1] -> …, with training.task = task. */
  const withTask = (task: string | undefined, rest: { id: string; type: string; params?: Record<string, unknown> }[]) => {
    const nodes = [image, c1, ...rest];
    const edges = nodes.slice(1).map((n, i) => wire(nodes[i]!.id, n.id));
    return analyzeGraph(load(graphText(nodes, edges, task ? { training: { task } } : {})));
  };
  const head = (filters: number, activation: string) => ({ id: 'out', type: 'conv2d', params: { filters, kernelSize: 1, activation } });
  const classifier = [{ id: 'f', type: 'flatten' }, { id: 'out', type: 'dense', params: { units: 10, activation: 'softmax' } }];
  const codes = (a: ReturnType<typeof analyzeGraph>) => a.diagnostics.map((d) => d.code);

  it('a classifier keeps its rules, with or without the task written down', () => {
    expect(withTask(undefined, classifier).diagnostics).toEqual([]);
    expect(withTask('classification', classifier).diagnostics).toEqual([]);
    expect(codes(withTask('classification', [head(3, 'softmax')]))).toEqual(['output-not-vector']);
  });

  it('segmentation: a map of the input size with softmax over C ≥ 2 classes, or one sigmoid channel, passes', () => {
    expect(withTask('segmentation', [head(3, 'softmax')]).diagnostics).toEqual([]);
    expect(withTask('segmentation', [head(1, 'sigmoid')]).diagnostics).toEqual([]);
    // An Activation node at the end counts as the output's activation, and its softmax over each
    // position's channels is what segmentation wants: no lint (a classifier is warned, below).
    const actNode = { id: 'act', type: 'activation', params: { activation: 'softmax' } };
    const act = withTask('segmentation', [head(2, 'linear'), actNode]);
    expect(act.diagnostics).toEqual([]);
    expect(withTask('classification', [head(2, 'linear'), actNode]).diagnostics.map((d) => d.code)).toContain('lint');
  });

  it('segmentation: a classifier head is told, in words, what the output must be', () => {
    const a = withTask('segmentation', classifier);
    expect(a.ok).toBe(true); // a warning: the graph still builds
    const d = a.diagnostics.find((x) => x.code === 'segmentation-output-size')!;
    expect(d).toMatchObject({ severity: 'warning', nodeId: 'out' });
    expect(d.message).toMatch(
      /^A segmentation network must end in a map the size of its input \(28×28\) with one channel per class; this one ends in 10 numbers \(out\)\./,
    );
    // Not also the classifier's own complaints.
    expect(codes(a)).toEqual(['segmentation-output-size']);
  });

  it('segmentation: a map of another size is refused with both sizes', () => {
    const a = withTask('segmentation', [{ id: 'pool', type: 'maxPooling2d', params: { poolSize: 2 } }, head(2, 'softmax')]);
    expect(a.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/size of its input \(28×28\).*ends in a 14×14×2 map \(out\)/)]);
  });

  it('segmentation: the activation must fit the number of channels', () => {
    const one = withTask('segmentation', [head(1, 'softmax')]).diagnostics;
    expect(one).toEqual([expect.objectContaining({ code: 'segmentation-output-activation', severity: 'warning', nodeId: 'out' })]);
    expect(one[0]!.message).toMatch(/one channel.*two classes.*sigmoid.*activation is softmax\. Set it to sigmoid\./);
    const many = withTask('segmentation', [head(4, 'relu')]).diagnostics;
    expect(many[0]!.message).toMatch(/gives 4 scores per pixel.*activation is relu\. Set it to softmax\./);
    // A node without an activation param is told to add one.
    const up = withTask('segmentation', [{ id: 'pool', type: 'maxPooling2d', params: { poolSize: 2 } }, { id: 'up', type: 'upSampling2d', params: { size: 2 } }]);
    expect(up.diagnostics[0]!.message).toMatch(/gives 4 scores per pixel.*activation is linear\. Add an Activation node set to softmax after it\./);
  });

  it('detection: a grid of at least 6 channels with raw scores passes; others are told the layout', () => {
    const grid = [{ id: 'pool', type: 'maxPooling2d', params: { poolSize: 4 } }, head(7, 'linear')]; // 7×7 cells, 5 + 2 classes
    expect(withTask('detection', grid).diagnostics).toEqual([]);
    const flat = withTask('detection', classifier).diagnostics;
    expect(flat).toEqual([expect.objectContaining({ code: 'detection-output-grid', severity: 'warning', nodeId: 'out' })]);
    expect(flat[0]!.message).toMatch(/5 \+ K channels per cell \(objectness, the box's centre x, y, width and height, then one score per class\); this one ends in 10 numbers/);
    const thin = withTask('detection', [head(5, 'linear')]).diagnostics;
    expect(thin[0]!.message).toMatch(/ends in a 28×28×5 map/);
    const soft = withTask('detection', [head(6, 'softmax')]).diagnostics;
    expect(soft).toEqual([expect.objectContaining({ code: 'detection-output-activation', message: expect.stringMatching(/activation softmax.*Set it to linear/) })]);
  });
});
