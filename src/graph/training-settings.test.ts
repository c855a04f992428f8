import { describe, expect, it } from 'vitest';
import { kerasFiles } from '../export/keras';
import { trainScript } from '../export/pytorch-train';
import { resolveTraining } from '../export/codegraph';
import { loadPreset } from '../../fixtures/presets';
import { parseGraph } from './parse';
import {
  checkSetting,
  DATASET_TASKS,
  DATASETS,
  TASKS,
  checkTypedNumber,
  NO_AUGMENTATION,
  OPTIMIZER_SPECS,
  OPTIMIZERS,
  rangeText,
  resolveTrainingSettings,
  settingAt,
  taskTrainingProblem,
  TRAINING_DEFAULTS,
  TRAINING_SETTINGS,
  type NumberSettingSpec,
} from './training-settings';

const parses = (training: unknown) => parseGraph({ format: 'layerlab-graph', version: 1, nodes: [], edges: [], training });

describe('the training settings table', () => {
  it('keeps the file format: the documented example and every preset parse, and the values the format always allowed', () => {
    expect(parses({ dataset: 'mnist', optimizer: 'adam', learningRate: 0.001, batchSize: 64, epochs: 3, seed: 42 }).ok).toBe(true);
    for (const name of ['lenet5', 'mlp', 'resnet-mini', 'inception-mini']) expect(parses(loadPreset(name).training).ok).toBe(true);
    // The bounds the parser had before the table (graph-format.md: files written then still open).
    const edges: [string, unknown, boolean][] = [
      ['learningRate', 10, true],
      ['learningRate', 10.000001, false],
      ['learningRate', 0, false],
      ['learningRate', 1e-300, true],
      ['batchSize', 4096, true],
      ['batchSize', 4097, false],
      ['batchSize', 1.5, false],
      ['epochs', 1000, true],
      ['epochs', 0, false],
      ['validationSplit', 0.9, true],
      ['validationSplit', 0.91, false],
      ['seed', 2 ** 31 - 1, true],
      ['seed', 2 ** 31, false],
      ['seed', -1, false],
      ['optimizer', 'rmsprop', true],
      ['optimizer', 'adagrad', false],
      ['dataset', 'shapes', true],
    ];
    for (const [key, value, ok] of edges) expect(parses({ [key]: value }).ok, `${key} = ${value}`).toBe(ok);
    expect(parses({ augmentation: { shift: 10, rotation: 180, zoom: 0.5, brightness: 0.5, flip: true } }).ok).toBe(true);
    expect(parses({ augmentation: { shift: 11, rotation: 0, zoom: 0, brightness: 0, flip: false } }).ok).toBe(false);
    expect(parses({ augmentation: { shift: 1 } }).ok).toBe(false); // a group is complete or absent
    expect(parses({ epoch: 3 }).ok).toBe(false);
  });

  it('a graph has a task: classification when the file names none, segmentation and detection when it says so', () => {
    const noTask = parses({ epochs: 3 });
    expect(noTask.ok && noTask.doc.training).toEqual({ epochs: 3 }); // old files parse unchanged
    expect(resolveTrainingSettings(noTask.ok ? noTask.doc.training : undefined).task).toBe('classification');
    for (const task of ['classification', 'segmentation', 'detection']) {
      const r = parses({ task });
      expect(r.ok && r.doc.training?.task, task).toBe(task);
    }
    const bad = parses({ task: 'tracking' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toContain('training.task: must be one of "classification", "segmentation", "detection"');
    // The task is not a run setting (it says what is learnt, not how).
    expect(Object.keys(TRAINING_DEFAULTS)).not.toContain('task');
  });

  it('every task trains; each built-in dataset serves one task', () => {
    for (const task of [undefined, ...TASKS]) expect(taskTrainingProblem(task)).toBeNull();
    for (const d of DATASETS) if (d !== 'custom') expect(TASKS).toContain(DATASET_TASKS[d]);
    expect(DATASET_TASKS['shapes-masks']).toBe('segmentation');
    expect(DATASET_TASKS.cells).toBe('segmentation');
    expect(DATASET_TASKS['shapes-boxes']).toBe('detection');
  });

  it("the parser's messages say the allowed range", () => {
    const r = parses({ learningRate: 11 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe('The file is not a valid LayerLab graph: training.learningRate: must be more than 0 and at most 10.');
    const b = parses({ batchSize: 0 });
    if (!b.ok) expect(b.message).toContain('training.batchSize: must be a whole number from 1 to 4096');
    const s = parses({ seed: 2 ** 31 });
    if (!s.ok) expect(s.message).toContain('from 0 to 2,147,483,647');
  });

  it('derives TRAINING_DEFAULTS, NO_AUGMENTATION and the resolved settings', () => {
    expect(TRAINING_DEFAULTS).toEqual({
      optimizer: 'adam',
      learningRate: 0.001,
      batchSize: 64,
      epochs: 3,
      validationSplit: 0.1,
      seed: 42,
      segmentationLoss: 'cross-entropy',
      // Defaults that keep a file without them training as before: constant rate, no decay, no stopping.
      lrSchedule: 'none',
      lrFactor: 0.1,
      lrStepEpochs: 5,
      lrPatience: 2,
      minLearningRate: 0,
      weightDecay: 0,
      earlyStopping: 0,
      keepBestWeights: false,
    });
    expect(NO_AUGMENTATION).toEqual({ shift: 0, rotation: 0, zoom: 0, brightness: 0, flip: false });
    expect(resolveTrainingSettings(undefined)).toEqual({ task: 'classification', dataset: 'mnist', ...TRAINING_DEFAULTS });
    expect(resolveTrainingSettings({ epochs: 7, augmentation: { ...NO_AUGMENTATION, flip: true } })).toEqual({
      task: 'classification',
      dataset: 'mnist',
      ...TRAINING_DEFAULTS,
      epochs: 7,
      augmentation: { ...NO_AUGMENTATION, flip: true },
    });
    // Every default lies within its own bounds.
    for (const [key, spec] of Object.entries(TRAINING_SETTINGS)) {
      if (spec.kind === 'group') for (const [f, s] of Object.entries(spec.fields)) expect(checkSetting(s, s.default).ok, `${key}.${f}`).toBe(true);
      else expect(checkSetting(spec, spec.default).ok, key).toBe(true);
    }
  });

  it('checks typed numbers with the schema, normalises -0 and names the range', () => {
    const lr = TRAINING_SETTINGS.learningRate as NumberSettingSpec;
    expect(checkTypedNumber(lr, '0.5')).toEqual({ ok: true, value: 0.5 });
    expect(checkTypedNumber(lr, '11')).toEqual({ ok: false, message: 'Learning rate must be more than 0 and at most 10.' });
    expect(checkTypedNumber(lr, '')).toMatchObject({ ok: false });
    expect(checkTypedNumber(lr, 'abc')).toMatchObject({ ok: false });
    expect(checkTypedNumber(lr, 'Infinity')).toMatchObject({ ok: false });
    const shift = settingAt(['augmentation', 'shift']) as NumberSettingSpec;
    const r = checkTypedNumber(shift, '-0');
    expect(r.ok && Object.is(r.value, 0)).toBe(true);
    expect(rangeText(TRAINING_SETTINGS.batchSize)).toBe('a whole number from 1 to 4096');
    expect(checkTypedNumber(TRAINING_SETTINGS.batchSize, '64.5')).toEqual({ ok: false, message: 'Batch size must be a whole number from 1 to 4096.' });
    expect(settingAt(['augmentation', 'nope'])).toBeUndefined();
    expect(settingAt(['__proto__'])).toBeUndefined();
  });
});

describe('the optimizer table', () => {
  it('has every optimizer of the schema, each with a tfjs, Keras and PyTorch form', () => {
    expect(Object.keys(OPTIMIZER_SPECS).sort()).toEqual([...OPTIMIZERS].sort());
    expect(TRAINING_SETTINGS.optimizer.options).toEqual(OPTIMIZERS);
    for (const o of OPTIMIZERS) {
      const s = OPTIMIZER_SPECS[o];
      expect(s.keras).toMatch(/^keras\.optimizers\.\w+\(learning_rate[,)]/);
      expect(s.pytorch).toMatch(/^torch\.optim\.\w+\(parameters, lr=lr[,)]/);
    }
  });

  it("the exported scripts' make_optimizer and choices are written from the table", () => {
    const doc = loadPreset('mlp');
    const keras = kerasFiles(doc)[0]!.data as string;
    const torch = trainScript({ title: 'x', training: resolveTraining(doc), augmentation: '', outputIsVector: true });
    for (const o of OPTIMIZERS) {
      // Keras: the table's optimizer with the decoupled weight decay added.
      expect(keras).toContain(`    if name == '${o}':\n        return ${OPTIMIZER_SPECS[o].keras.replace(/\)$/, ', weight_decay=decay)')}\n`);
      expect(torch).toContain(`    if name == '${o}':\n        return ${OPTIMIZER_SPECS[o].pytorch}\n`);
    }
    const choices = `choices=[${OPTIMIZERS.map((o) => `'${o}'`).join(', ')}]`;
    expect(keras).toContain(choices);
    expect(torch).toContain(choices);
    // SETTINGS: one entry per setting with a Python name, values from the graph.
    expect(keras).toContain(
      "SETTINGS = {\n    'dataset': 'mnist',\n    'optimizer': 'adam',\n    'learning_rate': 0.001,\n    'batch_size': 64,\n    'epochs': 5,\n    'validation_split': 0.1,\n    'seed': 42,\n" +
        "    'lr_schedule': 'none',\n    'lr_factor': 0.1,\n    'lr_step_epochs': 5,\n    'lr_patience': 2,\n    'min_learning_rate': 0.0,\n    'weight_decay': 0.0,\n    'early_stopping': 0,\n    'keep_best_weights': False,\n}",
    );
    expect(torch).toContain("SETTINGS = {\n    'optimizer': 'adam',\n    'learning_rate': 0.001,");
  });
});
