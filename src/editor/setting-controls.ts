/**
 * The Train panel's settings controls, derived from the training settings table
 * (src/graph/training-settings.ts): one control per setting — bounds, step, label and tooltip
 * come from the table, and what the user types is checked with the parser's own schema, so the
 * panel can never write a document the parser refuses. No DOM, no React: TrainSettings.tsx
 * renders these, and the tests inspect them.
 */
import {
  checkSetting,
  DATASET_TASKS,
  DATASETS,
  TASKS,
  type DatasetName,
  type LrScheduleName,
  type TaskName,
  checkTypedNumber,
  NO_AUGMENTATION,
  TRAINING_SETTINGS,
  type NumberSettingSpec,
  type ScalarSettingSpec,
  type SettingCheck,
  type TrainingSettingsValues,
} from '../graph/training-settings';

export interface SettingControl {
  /** ['learningRate'] or ['augmentation', 'shift']. */
  path: readonly [string] | readonly [string, string];
  spec: ScalarSettingSpec;
  testid: string;
}

/** The data-testids the e2e tests and the benchmark use (the rest: `train-<key>`, `train-aug-<key>`). */
const TESTIDS: Readonly<Record<string, string>> = {
  optimizer: 'train-optimizer',
  learningRate: 'train-lr',
  batchSize: 'train-batch',
  epochs: 'train-epochs',
  validationSplit: 'train-val',
  seed: 'train-seed',
};

/**
 * Settings without a control here: the dataset is chosen in the Data section (with the folder
 * chooser), and the task just above it (TASK_CONTROL), since the two go together.
 */
const SHOWN_ELSEWHERE = new Set(['dataset', 'task']);

/** The task's control, shown in the Data section above the dataset. */
export const TASK_CONTROL: SettingControl = { path: ['task'] as const, spec: TRAINING_SETTINGS.task, testid: 'train-task' };

/** Every control of the Settings section, in table order; a group's fields follow as ['group', 'field']. */
export const SETTING_CONTROLS: readonly SettingControl[] = Object.entries(TRAINING_SETTINGS).flatMap(([key, spec]): SettingControl[] => {
  if (SHOWN_ELSEWHERE.has(key)) return [];
  if (spec.kind === 'group') {
    return Object.entries(spec.fields).map(([field, f]) => ({ path: [key, field] as const, spec: f as ScalarSettingSpec, testid: `train-aug-${field}` }));
  }
  return [{ path: [key] as const, spec: spec as ScalarSettingSpec, testid: TESTIDS[key] ?? `train-${key}` }];
});

/** The value a control shows: the graph's, else the table's default. */
export function controlValue(c: SettingControl, training: TrainingSettingsValues | undefined): unknown {
  const t = training as Record<string, unknown> | undefined;
  const v = c.path.length === 1 ? t?.[c.path[0]] : (t?.[c.path[0]] as Record<string, unknown> | undefined)?.[c.path[1]];
  return v ?? c.spec.default;
}

/**
 * The change to the graph's `training` that sets the control to `value` (already checked). A
 * group is written whole (the file format wants every field of it).
 */
export function controlPatch(c: SettingControl, value: unknown, training: TrainingSettingsValues | undefined): Partial<TrainingSettingsValues> {
  if (c.path.length === 1) return { [c.path[0]]: value };
  const [group, field] = c.path;
  if (group !== 'augmentation') throw new Error(`No group ${group}`);
  return { augmentation: { ...NO_AUGMENTATION, ...training?.augmentation, [field]: value } };
}

/** Checks a value for a control (the parser's schema for that setting). */
export function checkControlValue(c: SettingControl, value: unknown): SettingCheck {
  return checkSetting(c.spec, value);
}

/** Checks what was typed into a number control. */
export function checkControlText(c: SettingControl & { spec: NumberSettingSpec }, text: string): SettingCheck<number> {
  return checkTypedNumber(c.spec, text);
}

export const isNumberControl = (c: SettingControl): c is SettingControl & { spec: NumberSettingSpec } => c.spec.kind === 'number' || c.spec.kind === 'int';

/** Settings that only mean something for one task (shown only for it). */
const FOR_TASK: Readonly<Record<string, TaskName>> = { segmentationLoss: 'segmentation' };

/** Settings of some learning-rate schedules only (shown only when one of them is chosen). */
const FOR_SCHEDULE: Readonly<Record<string, readonly LrScheduleName[]>> = {
  lrFactor: ['step', 'plateau'],
  lrStepEpochs: ['step'],
  lrPatience: ['plateau'],
  minLearningRate: ['cosine', 'plateau'],
};

/**
 * Whether a control is shown for these settings: the segmentation loss only for segmentation, a
 * schedule's own settings only for that schedule.
 */
export function controlShown(c: SettingControl, training: TrainingSettingsValues | undefined): boolean {
  const only = FOR_TASK[c.path[0]];
  if (only && (training?.task ?? 'classification') !== only) return false;
  const schedules = c.path.length === 1 ? FOR_SCHEDULE[c.path[0]] : undefined;
  return !schedules || schedules.includes(training?.lrSchedule ?? TRAINING_SETTINGS.lrSchedule.default);
}

/**
 * The built-in datasets grouped by the task their labels serve, the graph's task first (so the
 * list says which datasets fit); the folder of your own images is not in a group.
 */
export function datasetGroups(task: TaskName | undefined): { task: TaskName; datasets: DatasetName[] }[] {
  const first = task ?? 'classification';
  const order = [first, ...TASKS.filter((t) => t !== first)];
  return order
    .map((t) => ({ task: t, datasets: DATASETS.filter((d) => d !== 'custom' && DATASET_TASKS[d] === t) as DatasetName[] }))
    .filter((g) => g.datasets.length > 0);
}

/**
 * The change to the graph's settings when the task control is set: the task, and, when the
 * graph's built-in dataset does not serve that task, the first built-in dataset that does (a
 * folder of your own images stays chosen).
 */
export function taskPatch(task: TaskName, training: TrainingSettingsValues | undefined): Partial<TrainingSettingsValues> {
  const dataset = training?.dataset ?? TRAINING_SETTINGS.dataset.default;
  if (dataset === 'custom' || DATASET_TASKS[dataset] === task) return { task };
  const fitting = DATASETS.find((d) => d !== 'custom' && DATASET_TASKS[d] === task);
  return fitting ? { task, dataset: fitting } : { task };
}
