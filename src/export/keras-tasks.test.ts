/**
 * The Keras file of segmentation and detection graphs (keras-tasks.ts). TensorFlow is not
 * installed here, so its loss functions run on a NumPy stand-in for the TensorFlow ops they use
 * (each op written as TensorFlow defines it: clip_by_value, reduce_sum over axes, split by sizes,
 * log_softmax, …) and must give the numbers of src/tasks/losses.ts (tfjs, CPU backend) on the
 * same random tensors, within 1e-5. The NumPy code the file shares with the PyTorch train.py
 * (readers, targets, scores) is checked in pytorch-train-tasks.test.ts; py_compile and the layer
 * by layer build in keras.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXPORT_CASES } from '../../fixtures/export-graphs';
import { loadPreset } from '../../fixtures/presets';
import type { GraphDoc } from '../graph/types';
import { encodeDetectionTargets, type PixelBox } from '../tasks/detection';
import { detectionLoss, pixelAccuracy, segmentationLoss } from '../tasks/losses';
import { maskTargets } from '../tasks/segmentation';
import { mulberry32 } from '../training/data/rng';
import { kerasFiles } from './keras';
import { PYTHON, pythonWith, randomValues, titleFor } from './python-testing';

/** The TensorFlow ops the generated losses use, in NumPy (float32 throughout, as TensorFlow). */
const NUMPY_TF = `
import numpy as np
float32 = np.float32


class math:
    log = staticmethod(np.log)
    log1p = staticmethod(np.log1p)


class nn:
    @staticmethod
    def relu(x):
        return np.maximum(x, 0)

    @staticmethod
    def log_softmax(x, axis=-1):
        shifted = x - x.max(axis=axis, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def cast(x, dtype):
    return np.asarray(x).astype(dtype)


def clip_by_value(x, lo, hi):
    return np.clip(x, np.float32(lo), np.float32(hi))


def reduce_mean(x, axis=None):
    return np.mean(x, axis=None if axis is None else tuple(np.atleast_1d(axis)), dtype=np.float32)


def reduce_sum(x, axis=None):
    return np.sum(x, axis=None if axis is None else tuple(np.atleast_1d(axis)), dtype=np.float32)


def split(x, sizes, axis):
    return np.split(x, np.cumsum(sizes)[:-1], axis=axis)


def shape(x):
    return np.array(x.shape)


exp, abs, sigmoid, square, equal, argmax = np.exp, np.abs, lambda x: 1 / (1 + np.exp(-x)), np.square, np.equal, np.argmax
from . import keras  # noqa: E402
`;

const PY = pythonWith(['numpy']);
let root = '';

/** A fixture graph marked as a segmentation graph. */
const asTask = (doc: GraphDoc, task: 'segmentation' | 'detection'): GraphDoc => ({ ...doc, training: { ...doc.training, task } });

describe.skipIf(!PY.ok)(titleFor('Keras code for segmentation and detection', PY), () => {
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("computes LayerLab's losses and pixel accuracy (on a NumPy stand-in for TensorFlow)", async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    root = mkdtempSync(join(tmpdir(), 'layerlab-keras-tasks-'));
    mkdirSync(join(root, 'stub', 'tensorflow', 'keras'), { recursive: true });
    writeFileSync(join(root, 'stub', 'tensorflow', '__init__.py'), NUMPY_TF);
    writeFileSync(join(root, 'stub', 'tensorflow', 'keras', '__init__.py'), 'layers = None\n');
    const sigmoidHead = EXPORT_CASES.find((c) => c.name.startsWith('segmentation head: one sigmoid'))!.doc;
    const files = {
      seg: kerasFiles(loadPreset('unet-mini'))[0]!.data as string,
      binary: kerasFiles(asTask(sigmoidHead, 'segmentation'))[0]!.data as string,
      det: kerasFiles(loadPreset('detector-mini'))[0]!.data as string,
      // A "detection" graph whose output is a vector: the file must still load (and say what is wrong when run).
      wrong: kerasFiles(asTask(loadPreset('mlp'), 'detection'))[0]!.data as string,
    };
    expect(files.seg).toContain("    'segmentation_loss': 'cross-entropy',");
    expect(files.det).not.toContain('segmentation_loss');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(root, `${name}.py`), text);

    const rand = mulberry32(7);
    const cases: Record<string, unknown>[] = [];
    const want: number[] = [];
    const [n, h, w] = [2, 5, 4];
    for (const [file, channels] of [['seg', 5], ['binary', 1]] as const) {
      const classes = channels === 1 ? 2 : channels;
      const masks = Uint8Array.from({ length: n * h * w }, () => Math.floor(rand() * classes));
      const logits = tf.tensor4d(randomValues(n * h * w * channels, 3 + channels, -12, 12), [n, h, w, channels]);
      const probs = channels === 1 ? tf.sigmoid(logits) : tf.softmax(logits);
      const yTrue = tf.tensor4d(maskTargets(masks, n, h * w, channels), [n, h, w, channels]);
      const p = Array.from(await probs.data());
      const t = Array.from(await yTrue.data());
      for (const dice of [false, true]) {
        want.push((await segmentationLoss(tf, channels, dice)(yTrue, probs).data())[0]!);
        cases.push({ file, call: `segmentation_loss(${channels}, ${dice ? 'True' : 'False'})`, shape: [n, h, w, channels], yTrue: t, yPred: p });
      }
      want.push((await pixelAccuracy(tf, channels)(yTrue, probs).data())[0]!);
      cases.push({ file, call: `pixel_accuracy(${channels})`, shape: [n, h, w, channels], yTrue: t, yPred: p });
      tf.dispose([logits, probs, yTrue]);
    }
    const grid = { rows: 8, cols: 8, classes: 4 };
    const boxes: PixelBox[][] = [0, 1, 2].map(() => Array.from({ length: 4 }, () => ({ cls: Math.floor(rand() * 4), x: rand() * 20, y: rand() * 20, w: 3 + rand() * 9, h: 3 + rand() * 9 })));
    const { targets } = encodeDetectionTargets(boxes, grid, 32, 32);
    const shape = [boxes.length, 8, 8, 9];
    const out = randomValues(targets.length, 21, -4, 4);
    want.push((await detectionLoss(tf, 4)(tf.tensor4d(targets, shape as never), tf.tensor4d(out, shape as never)).data())[0]!);
    cases.push({ file: 'det', call: 'detection_loss(4)', shape, yTrue: Array.from(targets), yPred: Array.from(out) });

    const runner = `
import importlib.util, json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
modules = {}
out = []
for name in ('seg', 'binary', 'det', 'wrong'):
    spec = importlib.util.spec_from_file_location(name, f'{sys.argv[3]}/{name}.py')
    modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(modules[name])
if not modules['wrong'].OUTPUT_PROBLEM.startswith("The network's output is not a map"):
    raise SystemExit('no OUTPUT_PROBLEM for a vector output')
for case in json.load(open(sys.argv[2])):
    fn = eval(case['call'], vars(modules[case['file']]))
    y_true = np.array(case['yTrue'], dtype=np.float32).reshape(case['shape'])
    y_pred = np.array(case['yPred'], dtype=np.float32).reshape(case['shape'])
    out.append(float(fn(y_true, y_pred)))
print(json.dumps(out))
`;
    writeFileSync(join(root, 'cases.json'), JSON.stringify(cases));
    writeFileSync(join(root, 'runner.py'), runner);
    const r = spawnSync(PYTHON, ['-B', join(root, 'runner.py'), join(root, 'stub'), join(root, 'cases.json'), root], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as number[];
    expect(got).toHaveLength(want.length);
    got.forEach((g, i) => expect(Math.abs(g - want[i]!), `${cases[i]!.file} ${cases[i]!.call}: python ${g}, LayerLab ${want[i]}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i]!))));
  }, 60_000);

  it('describes the data it reads and the scores it prints', () => {
    const seg = kerasFiles(loadPreset('unet-mini'))[0]!.data as string;
    expect(seg).toMatch(/DIR holds images\/ and masks\//);
    expect(seg).toContain('NUM_CLASSES = 5  # one channel per class');
    expect(seg).toContain("loss=segmentation_loss(model.output_shape[-1], args.segmentation_loss == 'cross-entropy+dice')");
    const det = kerasFiles(loadPreset('detector-mini'))[0]!.data as string;
    expect(det).toMatch(/YOLO layout/);
    expect(det).toContain("NUM_CLASSES = 4  # object classes: the grid's channels - 5");
    expect(det).toContain('OUTPUT_PROBLEM = None');
    // A "detection" graph whose output is a vector gets a script that says so instead of training.
    const wrong = kerasFiles(asTask(loadPreset('mlp'), 'detection'))[0]!.data as string;
    expect(wrong).toMatch(/OUTPUT_PROBLEM = 'The network\\'s output is not a map: a detection network ends with a 1×1 Conv 2D/);
  });
});
