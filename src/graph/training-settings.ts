/**
 * The training settings of a graph, declared once — like node types declare their params. Each
 * setting has its key, kind, default, bounds, step, label and a one-line doc for learners; each
 * optimizer its TensorFlow.js, Keras and PyTorch form. Everything else is derived from this table:
 * the parser's schema for `training` (below, TRAINING_SCHEMA), TRAINING_DEFAULTS, the Train
 * panel's controls (src/editor/TrainSettings.tsx), the exporters' SETTINGS dictionary and
 * make_optimizer, and the trainer's optimizer.
 *
 * Pure TypeScript (zod for the schema; no DOM, no tfjs).
 */
import { z } from 'zod';
import { formatNumber } from './format';

interface SettingBase {
  /** Short label for the UI. */
  label: string;
  /** One line for learners (tooltip). */
  doc: string;
}

/** A number (kind 'number') or a whole number (kind 'int') within [min, max] (or (min, max]). */
export interface NumberSettingSpec extends SettingBase {
  kind: 'number' | 'int';
  default: number;
  min: number;
  max: number;
  /** When true, min itself is not allowed (e.g. a learning rate must be more than 0). */
  minExclusive?: boolean;
  /** The step of the control's arrows ('any': no step). */
  step: number | 'any';
  /** The key of the exported scripts' SETTINGS dictionary (top-level settings only). */
  python?: string;
}

export interface EnumSettingSpec<O extends string = string> extends SettingBase {
  kind: 'enum';
  default: O;
  options: readonly O[];
  /** What the UI shows for each option. */
  optionLabels: Readonly<Record<O, string>>;
  python?: string;
}

export interface BooleanSettingSpec extends SettingBase {
  kind: 'boolean';
  default: boolean;
  python?: string;
}

/** A nested group of settings that is either absent or complete (every field present). */
export interface GroupSettingSpec<F extends Record<string, ScalarSettingSpec> = Record<string, ScalarSettingSpec>> extends SettingBase {
  kind: 'group';
  fields: F;
}

export type ScalarSettingSpec = NumberSettingSpec | EnumSettingSpec | BooleanSettingSpec;
export type SettingSpec = ScalarSettingSpec | GroupSettingSpec;

// ---------------------------------------------------------------------------------------------
// Optimizers

export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface OptimizerSpec {
  label: string;
  doc: string;
  /** `tf.train[factory](learningRate, ...args)`; omitted args take TensorFlow.js' defaults. */
  tfjs: { factory: 'sgd' | 'momentum' | 'adam' | 'rmsprop'; args: readonly number[] };
  /** The Keras optimizer as a Python expression of `learning_rate`, set up as TensorFlow.js does. */
  keras: string;
  /** The PyTorch optimizer as a Python expression of `parameters` and `lr`, set up as TensorFlow.js does. */
  pytorch: string;
  /** A learning rate that usually works, suggested when training blows up. */
  typicalLearningRate: number;
}

/** TensorFlow.js' settings: momentum 0.9, RMSprop decay 0.9, epsilon 1e-7 (its float32 backends). */
export const OPTIMIZER_SPECS: Readonly<Record<OptimizerName, OptimizerSpec>> = {
  sgd: {
    label: 'SGD',
    doc: 'Plain stochastic gradient descent: every step moves each weight against its gradient, times the learning rate.',
    tfjs: { factory: 'sgd', args: [] },
    keras: 'keras.optimizers.SGD(learning_rate)',
    pytorch: 'torch.optim.SGD(parameters, lr=lr)',
    typicalLearningRate: 0.01,
  },
  momentum: {
    label: 'SGD with momentum',
    doc: 'Gradient descent that keeps 90% of its last step, so it rolls through small bumps and speeds up on long slopes.',
    tfjs: { factory: 'momentum', args: [0.9] },
    keras: 'keras.optimizers.SGD(learning_rate, momentum=0.9)',
    pytorch: 'torch.optim.SGD(parameters, lr=lr, momentum=0.9)',
    typicalLearningRate: 0.01,
  },
  adam: {
    label: 'Adam',
    doc: 'Adapts the step of every weight to the size of its recent gradients; a good first choice.',
    tfjs: { factory: 'adam', args: [] },
    keras: 'keras.optimizers.Adam(learning_rate)',
    pytorch: 'torch.optim.Adam(parameters, lr=lr, eps=1e-7)',
    typicalLearningRate: 0.001,
  },
  rmsprop: {
    label: 'RMSprop',
    doc: 'Divides each step by a running average of the squared gradients (decay 0.9), so steep weights take smaller steps.',
    tfjs: { factory: 'rmsprop', args: [] },
    keras: 'keras.optimizers.RMSprop(learning_rate, rho=0.9)',
    pytorch: 'torch.optim.RMSprop(parameters, lr=lr, alpha=0.9, eps=1e-7)',
    typicalLearningRate: 0.001,
  },
};

/**
 * What the network is for. Classification: one score per class for the whole image (a vector).
 * Segmentation: one class per pixel, the output a map of the input's height and width with one
 * channel per class. Detection: boxes from a single-shot grid (see DETECTION_LAYOUT). A graph
 * file without a task is a classifier, as every file written before tasks existed.
 */
export const TASKS = ['classification', 'segmentation', 'detection'] as const;
export type TaskName = (typeof TASKS)[number];

/** The tasks this version can train (the Train button and `layerlab train` refuse the others). */
export const TRAINABLE_TASKS: readonly TaskName[] = ['classification', 'segmentation', 'detection'];

/** Why a graph of this task cannot be trained in this version, or null when it can. */
export function taskTrainingProblem(task: TaskName | undefined): string | null {
  const t = task ?? 'classification';
  if (TRAINABLE_TASKS.includes(t)) return null;
  return `Training for ${t} is not available yet in this version: only classification networks train for now. You can still build the network, check its shapes and export it.`;
}

/**
 * The detection output, a single-shot grid: the image is cut into a rows×columns grid of cells and
 * the output is a [rows, columns, 5 + K] map (K classes). Each cell predicts at most one object,
 * the one whose box centre falls in the cell, as raw scores (logits; the output's activation
 * stays linear), in this channel order.
 */
export const DETECTION_LAYOUT = {
  channels: [
    'objectness: sigmoid(score) is the probability that an object’s centre lies in this cell',
    'cx: sigmoid(score) is the box centre’s column inside the cell, 0 = left edge, 1 = right edge',
    'cy: sigmoid(score) is the box centre’s row inside the cell, 0 = top edge, 1 = bottom edge',
    'w: sigmoid(score) is the box width as a fraction of the image width',
    'h: sigmoid(score) is the box height as a fraction of the image height',
    'then K class scores: softmax over them gives the object’s class',
  ],
  /** Objectness, box (4) and at least one class score. */
  minChannels: 6,
} as const;

/** Learning-rate schedules (src/training/schedule.ts says exactly what each does). */
export const LR_SCHEDULES = ['none', 'step', 'cosine', 'plateau'] as const;
export type LrScheduleName = (typeof LR_SCHEDULES)[number];

export const DATASETS = ['mnist', 'fashion-mnist', 'shapes', 'shapes-masks', 'cells', 'shapes-boxes', 'custom'] as const;

/** The task each built-in dataset's labels serve ('custom' takes the task of the folder opened). */
export const DATASET_TASKS: Readonly<Record<Exclude<(typeof DATASETS)[number], 'custom'>, TaskName>> = {
  mnist: 'classification',
  'fashion-mnist': 'classification',
  shapes: 'classification',
  'shapes-masks': 'segmentation',
  cells: 'segmentation',
  'shapes-boxes': 'detection',
};
export type DatasetName = (typeof DATASETS)[number];

// ---------------------------------------------------------------------------------------------
// The table

const AUGMENTATION_FIELDS = {
  shift: { kind: 'number', label: 'Shift (pixels)', doc: 'Moves each training image by up to this many pixels in each direction.', default: 0, min: 0, max: 10, step: 0.5 },
  rotation: { kind: 'number', label: 'Rotation (°)', doc: 'Turns each training image by up to this many degrees either way.', default: 0, min: 0, max: 180, step: 5 },
  zoom: { kind: 'number', label: 'Zoom (±)', doc: 'Scales each training image by a factor between 1 − zoom and 1 + zoom.', default: 0, min: 0, max: 0.5, step: 0.05 },
  brightness: { kind: 'number', label: 'Brightness (±)', doc: 'Adds up to this much (on a 0–1 scale) to or from every pixel of a training image.', default: 0, min: 0, max: 0.5, step: 0.05 },
  flip: { kind: 'boolean', label: 'Horizontal flip', doc: 'Mirrors half of the training images left to right (fine for clothes, wrong for digits).', default: false },
} as const satisfies Record<string, ScalarSettingSpec>;

/** Every training setting a graph file may hold, in the order the UI and the exported scripts list them. */
export const TRAINING_SETTINGS = {
  task: {
    kind: 'enum',
    label: 'Task',
    doc: 'What the network is for: one class per image, one class per pixel, or boxes around objects.',
    default: 'classification',
    options: TASKS,
    optionLabels: { classification: 'Classification (one class per image)', segmentation: 'Segmentation (one class per pixel)', detection: 'Detection (boxes)' },
  },
  dataset: {
    kind: 'enum',
    label: 'Dataset',
    doc: 'The images the network learns from.',
    default: 'mnist',
    options: DATASETS,
    optionLabels: {
      mnist: 'MNIST digits',
      'fashion-mnist': 'Fashion-MNIST clothes',
      shapes: 'Shapes (synthetic)',
      'shapes-masks': 'Shapes with masks (segmentation)',
      cells: 'Cells, nuclei masks (segmentation)',
      'shapes-boxes': 'Shapes with boxes (detection)',
      custom: 'Your images (a folder)…',
    },
    python: 'dataset',
  },
  optimizer: {
    kind: 'enum',
    label: 'Optimizer',
    doc: 'How the weights are changed after each batch to lower the loss.',
    default: 'adam',
    options: OPTIMIZERS,
    optionLabels: { sgd: OPTIMIZER_SPECS.sgd.label, momentum: OPTIMIZER_SPECS.momentum.label, adam: OPTIMIZER_SPECS.adam.label, rmsprop: OPTIMIZER_SPECS.rmsprop.label },
    python: 'optimizer',
  },
  learningRate: {
    kind: 'number',
    label: 'Learning rate',
    doc: 'How big a step the optimizer takes: too small learns slowly, too large makes the loss blow up.',
    default: 0.001,
    min: 0,
    minExclusive: true,
    max: 10,
    step: 'any',
    python: 'learning_rate',
  },
  batchSize: {
    kind: 'int',
    label: 'Batch size',
    doc: 'How many images are looked at before each weight update; larger batches need more memory.',
    default: 64,
    min: 1,
    max: 4096,
    step: 1,
    python: 'batch_size',
  },
  epochs: { kind: 'int', label: 'Epochs', doc: 'How many times training goes through all the training images.', default: 3, min: 1, max: 1000, step: 1, python: 'epochs' },
  validationSplit: {
    kind: 'number',
    label: 'Validation share',
    doc: 'The share of training images held back to check, after each epoch, how well the network does on images it has not learned from.',
    default: 0.1,
    min: 0,
    max: 0.9,
    step: 0.05,
    python: 'validation_split',
  },
  seed: {
    kind: 'int',
    label: 'Seed',
    doc: 'Starts the random numbers (initial weights, shuffling, validation share): the same seed gives the same run.',
    default: 42,
    min: 0,
    max: 2 ** 31 - 1,
    step: 1,
    python: 'seed',
  },
  segmentationLoss: {
    kind: 'enum',
    label: 'Segmentation loss',
    doc: 'Per-pixel cross-entropy scores every pixel alike; adding Dice also rewards overlap per class, which helps small objects that cover few pixels.',
    default: 'cross-entropy',
    options: ['cross-entropy', 'cross-entropy+dice'],
    optionLabels: { 'cross-entropy': 'Cross-entropy per pixel', 'cross-entropy+dice': 'Cross-entropy + Dice' },
    python: 'segmentation_loss',
  },
  lrSchedule: {
    kind: 'enum',
    label: 'Learning-rate schedule',
    doc: 'How the learning rate changes from epoch to epoch: kept as set, cut in steps, lowered along a cosine curve, or cut when the validation loss stops falling.',
    default: 'none',
    options: LR_SCHEDULES,
    optionLabels: { none: 'Constant', step: 'Step (cut every N epochs)', cosine: 'Cosine (down to a minimum)', plateau: 'Cut on plateau (validation loss)' },
    python: 'lr_schedule',
  },
  lrFactor: {
    kind: 'number',
    label: 'Cut factor',
    doc: 'Step and plateau schedules: the learning rate is multiplied by this at each cut (0.1 = ten times smaller).',
    default: 0.1,
    min: 0,
    minExclusive: true,
    max: 1,
    step: 'any',
    python: 'lr_factor',
  },
  lrStepEpochs: {
    kind: 'int',
    label: 'Cut every (epochs)',
    doc: 'Step schedule: the learning rate is cut after every this many epochs.',
    default: 5,
    min: 1,
    max: 1000,
    step: 1,
    python: 'lr_step_epochs',
  },
  lrPatience: {
    kind: 'int',
    label: 'Plateau patience (epochs)',
    doc: 'Plateau schedule: the learning rate is cut once the validation loss has not reached a new low for this many epochs in a row.',
    default: 2,
    min: 1,
    max: 1000,
    step: 1,
    python: 'lr_patience',
  },
  minLearningRate: {
    kind: 'number',
    label: 'Minimum learning rate',
    doc: 'Cosine schedule: the learning rate it heads for at the end of the run; plateau schedule: it is never cut below this.',
    default: 0,
    min: 0,
    max: 10,
    step: 'any',
    python: 'min_learning_rate',
  },
  weightDecay: {
    kind: 'number',
    label: 'Weight decay',
    doc: 'Shrinks every weight a little at each step (by learning rate × this share, as AdamW does), so the network prefers small weights and overfits less. 0 = off.',
    default: 0,
    min: 0,
    max: 1,
    step: 'any',
    python: 'weight_decay',
  },
  earlyStopping: {
    kind: 'int',
    label: 'Early stopping (patience)',
    doc: 'Stops training once the validation loss has not reached a new low for this many epochs in a row, and keeps the weights of its best epoch. 0 = off.',
    default: 0,
    min: 0,
    max: 1000,
    step: 1,
    python: 'early_stopping',
  },
  keepBestWeights: {
    kind: 'boolean',
    label: 'Keep best epoch',
    doc: 'At the end, go back to the weights of the epoch with the lowest validation loss (early stopping always does).',
    default: false,
    python: 'keep_best_weights',
  },
  augmentation: {
    kind: 'group',
    label: 'Data augmentation',
    doc: 'Random changes to the training images on the fly, so the network learns the object rather than the exact pixels.',
    fields: AUGMENTATION_FIELDS,
  },
} as const satisfies Record<string, SettingSpec>;

export type TrainingSettingKey = keyof typeof TRAINING_SETTINGS;
export type AugmentationKey = keyof typeof AUGMENTATION_FIELDS;

/** The value type of a setting spec. */
export type SettingValue<S> = S extends { kind: 'number' | 'int' }
  ? number
  : S extends { kind: 'enum'; options: readonly (infer O)[] }
    ? O
    : S extends { kind: 'boolean' }
      ? boolean
      : S extends { kind: 'group'; fields: infer F }
        ? { [K in keyof F]: SettingValue<F[K]> }
        : never;

/** A graph's `training` object: every setting optional. */
export type TrainingSettingsValues = { [K in TrainingSettingKey]?: SettingValue<(typeof TRAINING_SETTINGS)[K]> };
export type AugmentationSettings = SettingValue<(typeof TRAINING_SETTINGS)['augmentation']>;

function mapValues<T extends Record<string, unknown>, R>(obj: T, f: (v: T[keyof T], k: keyof T & string) => R): { [K in keyof T]: R } {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, f(v as T[keyof T], k)])) as { [K in keyof T]: R };
}

/** The dataset a graph trains on when its settings name none. */
export const DEFAULT_DATASET: DatasetName = TRAINING_SETTINGS.dataset.default;

/** Every field of augmentation at its default (all off): the identity. */
export const NO_AUGMENTATION: AugmentationSettings = mapValues(AUGMENTATION_FIELDS, (s) => s.default) as AugmentationSettings;

type RunKey =
  | 'optimizer'
  | 'learningRate'
  | 'batchSize'
  | 'epochs'
  | 'validationSplit'
  | 'seed'
  | 'segmentationLoss'
  | 'lrSchedule'
  | 'lrFactor'
  | 'lrStepEpochs'
  | 'lrPatience'
  | 'minLearningRate'
  | 'weightDecay'
  | 'earlyStopping'
  | 'keepBestWeights';
/**
 * What a training run uses where a graph's settings leave something out (and what a new graph
 * starts with): every scalar setting but the task and the dataset (which choose what is learnt
 * from what, not how to train).
 */
export const TRAINING_DEFAULTS: { readonly [K in RunKey]: (typeof TRAINING_SETTINGS)[K]['default'] } = Object.fromEntries(
  Object.entries(TRAINING_SETTINGS)
    .filter(([k, s]) => k !== 'dataset' && k !== 'task' && s.kind !== 'group')
    .map(([k, s]) => [k, (s as ScalarSettingSpec).default]),
) as never;

/** The settings a run uses: every scalar filled in from the defaults; augmentation stays optional. */
export type ResolvedTrainingSettings = { [K in Exclude<TrainingSettingKey, 'augmentation'>]: SettingValue<(typeof TRAINING_SETTINGS)[K]> } & {
  augmentation?: AugmentationSettings;
};

export function resolveTrainingSettings(t: TrainingSettingsValues | undefined): ResolvedTrainingSettings {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(TRAINING_SETTINGS)) {
    const v = (t as Record<string, unknown> | undefined)?.[k];
    if (s.kind === 'group') {
      if (v !== undefined) out[k] = v;
    } else out[k] = v ?? s.default;
  }
  return out as ResolvedTrainingSettings;
}

// ---------------------------------------------------------------------------------------------
// Bounds as text, checks, the parser's schema

const fmt = (n: number) => (Number.isInteger(n) && Math.abs(n) >= 10000 ? formatNumber(n) : String(n));

/** "more than 0 and at most 10", "a whole number from 1 to 4,096". */
export function rangeText(s: NumberSettingSpec): string {
  if (s.kind === 'int') return `a whole number from ${fmt(s.min)} to ${fmt(s.max)}`;
  return `${s.minExclusive ? 'more than' : 'at least'} ${fmt(s.min)} and at most ${fmt(s.max)}`;
}

/** The zod schema of one setting; its messages say the allowed range. */
export function settingSchema(s: SettingSpec): z.ZodType {
  switch (s.kind) {
    case 'number':
    case 'int': {
      const message = `must be ${rangeText(s)}`;
      let n = z.number({ message: `must be a number (${rangeText(s)})` });
      if (s.kind === 'int') n = n.int({ message });
      n = s.minExclusive ? n.gt(s.min, { message }) : n.min(s.min, { message });
      return n.max(s.max, { message });
    }
    case 'enum':
      return z.enum(s.options as [string, ...string[]], { message: `must be one of ${s.options.map((o) => `"${o}"`).join(', ')}` });
    case 'boolean':
      return z.boolean({ message: 'must be true or false' });
    case 'group':
      return z.strictObject(mapValues(s.fields, settingSchema));
  }
}

/** The schema of a graph's `training` object (parse.ts). */
export const TRAINING_SCHEMA = z.strictObject(mapValues(TRAINING_SETTINGS, (s) => settingSchema(s).optional()));

/** The spec at a path: ['learningRate'] or ['augmentation', 'shift']. */
export function settingAt(path: readonly string[]): SettingSpec | undefined {
  let specs: Record<string, SettingSpec> = TRAINING_SETTINGS;
  let spec: SettingSpec | undefined;
  for (const key of path) {
    spec = Object.prototype.hasOwnProperty.call(specs, key) ? specs[key] : undefined;
    if (!spec) return undefined;
    if (spec.kind === 'group') specs = spec.fields;
  }
  return spec;
}

export type SettingCheck<T = unknown> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Checks a value for one setting with the parser's own schema; -0 becomes 0 (a file cannot
 * tell them apart). The message names the setting and the allowed range.
 */
export function checkSetting(spec: SettingSpec, value: unknown): SettingCheck {
  const r = settingSchema(spec).safeParse(value);
  if (r.success) return { ok: true, value: Object.is(r.data, -0) ? 0 : r.data };
  if (spec.kind === 'number' || spec.kind === 'int') return { ok: false, message: `${spec.label} must be ${rangeText(spec)}.` };
  return { ok: false, message: `${spec.label} ${r.error.issues[0]?.message ?? 'is not allowed'}.` };
}

/** What the user typed into a number control, checked: empty or non-numeric text is refused too. */
export function checkTypedNumber(spec: NumberSettingSpec, text: string): SettingCheck<number> {
  const t = text.trim();
  const v = t === '' ? NaN : Number(t);
  if (!Number.isFinite(v)) return { ok: false, message: `${spec.label} must be ${rangeText(spec)}.` };
  return checkSetting(spec, v) as SettingCheck<number>;
}
