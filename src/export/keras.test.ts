/**
 * Keras code export. TensorFlow is not installed here, so the generated file of every preset and
 * of every graph in fixtures/export-graphs.ts is (1) compiled with `python3 -m py_compile`, and
 * (2) run against a tiny stand-in for `tensorflow` that records each layer build_model() creates
 * (class, name, inputs, arguments), which must match the graph node by node. One Python process.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_CASES } from '../../fixtures/export-graphs';
import { loadPreset, presetFiles } from '../../fixtures/presets';
import { kerasName } from '../../nodes/codegen';
import { analyzeGraph } from '../graph/analyze';
import type { GraphDoc } from '../graph/types';
import { KERAS_FILE, kerasFiles } from './keras';
import { PYTHON, pythonWith, titleFor } from './python-testing';

const CASES: { name: string; doc: GraphDoc }[] = [
  ...presetFiles().map((f) => ({ name: `preset ${f.replace(/\.json$/, '')}`, doc: loadPreset(f) })),
  ...EXPORT_CASES.map((c) => ({ name: c.name, doc: c.doc })),
];

/** The Keras class each node type must become. */
const KERAS_CLASS: Record<string, string> = {
  input: 'Input',
  conv2d: 'Conv2D',
  depthwiseConv2d: 'DepthwiseConv2D',
  conv2dTranspose: 'Conv2DTranspose',
  maxPooling2d: 'MaxPooling2D',
  averagePooling2d: 'AveragePooling2D',
  globalAveragePooling2d: 'GlobalAveragePooling2D',
  globalMaxPooling2d: 'GlobalMaxPooling2D',
  zeroPadding2d: 'ZeroPadding2D',
  cropping2D: 'Cropping2D',
  upSampling2d: 'UpSampling2D',
  batchNormalization: 'BatchNormalization',
  activation: 'Activation',
  dropout: 'Dropout',
  flatten: 'Flatten',
  dense: 'Dense',
  add: 'Add',
  concatenate: 'Concatenate',
};

const STUB_TF = `
class _NN:
    relu6 = '<tf.nn.relu6>'


nn = _NN()
from . import keras  # noqa: E402
`;

const STUB_KERAS = `
RECORD = []


class activations:  # like Keras 2: no relu6
    pass


class Tensor:
    def __init__(self, name):
        self.name = name


class _Layer:
    def __init__(self, cls, args, kwargs):
        self.cls, self.args, self.kwargs = cls, args, kwargs

    def __call__(self, inputs):
        sources = [t.name for t in inputs] if isinstance(inputs, list) else [inputs.name]
        RECORD.append({'class': self.cls, 'name': self.kwargs['name'], 'inputs': sources,
                       'args': [a if isinstance(a, str) else repr(a) for a in self.args],
                       'kwargs': {k: v if isinstance(v, str) else repr(v) for k, v in self.kwargs.items() if k != 'name'}})
        return Tensor(self.kwargs['name'])


class _Layers:
    def __getattr__(self, cls):
        return lambda *args, **kwargs: _Layer(cls, args, kwargs)


layers = _Layers()


def Input(shape, name):
    RECORD.append({'class': 'Input', 'name': name, 'inputs': [], 'shape': list(shape)})
    return Tensor(name)


class Model:
    def __init__(self, inputs, outputs, name):
        self.inputs, self.outputs, self.name = inputs.name, outputs.name, name
`;

const RUNNER = `
import importlib.util, json, py_compile, sys
sys.path.insert(0, sys.argv[1])
import tensorflow
results = []
for i, path in enumerate(json.load(open(sys.argv[2]))):
    try:
        py_compile.compile(path, doraise=True)
        spec = importlib.util.spec_from_file_location(f'keras_{i}', path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        model = module.build_model()
        results.append({'layers': list(tensorflow.keras.RECORD), 'inputs': model.inputs, 'outputs': model.outputs,
                        'settings': module.SETTINGS, 'input_shape': list(module.INPUT_SHAPE)})
    except Exception:
        import traceback
        results.append({'error': traceback.format_exc()})
    tensorflow.keras.RECORD.clear()
print(json.dumps(results))
`;

interface LayerRecord {
  class: string;
  name: string;
  inputs: string[];
  args?: string[];
  kwargs?: Record<string, string>;
  shape?: number[];
}
type Result = { layers: LayerRecord[]; inputs: string; outputs: string; settings: Record<string, unknown>; input_shape: number[] } | { error: string };

let root = '';
const results: Result[] = [];

/** The generated file imports numpy (the stand-in replaces tensorflow). */
const PY = pythonWith(['numpy']);

describe.skipIf(!PY.ok)(titleFor('Keras code', PY), () => {
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'layerlab-keras-'));
    mkdirSync(join(root, 'stub', 'tensorflow', 'keras'), { recursive: true });
    writeFileSync(join(root, 'stub', 'tensorflow', '__init__.py'), STUB_TF);
    writeFileSync(join(root, 'stub', 'tensorflow', 'keras', '__init__.py'), STUB_KERAS);
    const paths = CASES.map((c, i) => {
      const files = kerasFiles(c.doc);
      expect(files.map((f) => f.name)).toEqual([KERAS_FILE]);
      const path = join(root, `case${i}.py`);
      writeFileSync(path, files[0]!.data);
      return path;
    });
    writeFileSync(join(root, 'files.json'), JSON.stringify(paths));
    writeFileSync(join(root, 'runner.py'), RUNNER);
    const r = spawnSync(PYTHON, ['-B', join(root, 'runner.py'), join(root, 'stub'), join(root, 'files.json')], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
    results.push(...JSON.parse(r.stdout));
  }, 90_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s: compiles and builds the graph layer by layer', (_name, i) => {
    const result = results[i]!;
    if ('error' in result) throw new Error(result.error);
    const doc = CASES[i]!.doc;
    const a = analyzeGraph(doc);
    // Layer names = node ids (inside blocks "instance/inner", which Keras names "instance_inner"), in graph order.
    expect(result.layers.map((l) => l.name)).toEqual(a.order.map(kerasName));
    const byKerasName = new Map(a.order.map((id) => [kerasName(id), id]));
    for (const layer of result.layers) {
      const n = a.nodes.get(byKerasName.get(layer.name)!)!;
      expect(layer.class, layer.name).toBe(n.type === 'activation' && n.params!.activation === 'leakyRelu' ? 'LeakyReLU' : KERAS_CLASS[n.type]);
      expect(layer.inputs, layer.name).toEqual(n.sources.map((id) => kerasName(id!)));
    }
    expect(result.inputs).toBe(kerasName(a.inputId!));
    expect(result.outputs).toBe(kerasName(a.outputId!));
  });

  it('writes the layer arguments Keras needs', () => {
    const byName = (i: number) => new Map((results[i] as Extract<Result, { layers: unknown }>).layers.map((l) => [l.name, l]));
    const lenet = byName(CASES.findIndex((c) => c.name === 'preset lenet5'));
    expect(lenet.get('image')!.shape).toEqual([28, 28, 1]);
    expect(lenet.get('c1')).toMatchObject({ args: ['6', '5'], kwargs: { padding: 'same', activation: 'relu' } });
    expect(lenet.get('s2')).toMatchObject({ kwargs: { pool_size: '2' } });
    expect(lenet.get('output')).toMatchObject({ args: ['10'], kwargs: { activation: 'softmax' } });

    const acts = byName(CASES.findIndex((c) => c.name === 'every activation: Activation nodes'));
    expect(acts.get('act_relu6')!.args).toEqual(['<tf.nn.relu6>']); // the stub has no keras.activations.relu6
    expect(acts.get('act_leakyRelu')!.args).toEqual(['0.2']);
    expect(acts.get('act_linear')!.args).toEqual(['linear']);

    const bn = byName(CASES.findIndex((c) => c.name.startsWith('batchNormalization')));
    expect(bn.get('bn1')!.kwargs).toEqual({ momentum: '0.9', epsilon: '0.01' });
    expect(bn.get('bn2')!.kwargs).toEqual({ center: 'False' });

    const resnet = byName(CASES.findIndex((c) => c.name === 'preset resnet50'));
    expect(resnet.get('conv1_pad')!.kwargs).toEqual({ padding: '((3, 3), (3, 3))' });
    expect(resnet.get('conv1_bn')!.kwargs).toEqual({ epsilon: '1.001e-05' });
    expect(resnet.get('conv2_block1_0_conv')!.kwargs).toEqual({});

    const t = byName(CASES.findIndex((c) => c.name.startsWith('conv2dTranspose: stride 2')));
    expect(t.get('t2')).toMatchObject({ args: ['3', '4'], kwargs: { strides: '2', padding: 'same' } });
    const dw = byName(CASES.findIndex((c) => c.name.startsWith('depthwiseConv2d')));
    expect(dw.get('dw1')!.kwargs).toMatchObject({ strides: '2', padding: 'same', depth_multiplier: '2', activation: '<tf.nn.relu6>' });
    const up = byName(CASES.findIndex((c) => c.name === 'upSampling2d: bilinear'));
    expect(up.get('up2')!.kwargs).toEqual({ size: '(3, 2)', interpolation: 'bilinear' });
  });

  it('carries the training settings', () => {
    const i = CASES.findIndex((c) => c.name === 'preset lenet5');
    const r = results[i] as Extract<Result, { settings: unknown }>;
    expect(r.settings).toEqual({
      dataset: 'mnist',
      optimizer: 'adam',
      learning_rate: 0.002,
      batch_size: 64,
      epochs: 3,
      validation_split: 0.05,
      seed: 42,
      lr_schedule: 'none',
      lr_factor: 0.1,
      lr_step_epochs: 5,
      lr_patience: 2,
      min_learning_rate: 0,
      weight_decay: 0,
      early_stopping: 0,
      keep_best_weights: false,
    });
    expect(r.input_shape).toEqual([28, 28, 1]);
    const resnet = results[CASES.findIndex((c) => c.name === 'preset resnet50')] as Extract<Result, { settings: unknown }>;
    expect(resnet.settings).toMatchObject({ dataset: 'custom', optimizer: 'sgd', learning_rate: 0.1, batch_size: 32, epochs: 1 });
  });
});

describe('Keras file text', () => {
  it('starts with how to run it and names the layers after the nodes', () => {
    const text = kerasFiles(loadPreset('lenet5'))[0]!.data as string;
    expect(text.startsWith('"""LeNet-5 as a Keras model, exported from LayerLab.')).toBe(true);
    expect(text).toContain(`python ${KERAS_FILE} --data DIR`);
    expect(text).toContain("    c1 = layers.Conv2D(6, 5, padding='same', activation='relu', name='c1')(image)\n");
    expect(text).toContain("    return keras.Model(inputs=image, outputs=output, name='lenet_5')\n");
  });

  it('says when LayerLab augments images and the script does not', () => {
    const doc = loadPreset('lenet5');
    const text = kerasFiles({ ...doc, training: { ...doc.training, augmentation: { shift: 0.1, rotation: 0, zoom: 0, brightness: 0, flip: true } } })[0]!.data as string;
    expect(text).toMatch(/augments the training images \(shift 0\.1, flip\); this\s+script does not/);
  });
});
