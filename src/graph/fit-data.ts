/**
 * Does a graph fit a dataset? The problems, in learner words, each with the edits that fix it
 * where one exists: the Train tab's "Fix it" buttons and `layerlab train --fit` both come from
 * here, so the app and the command line say and do the same thing. Pure: no DOM, no tfjs.
 *
 * Three kinds of problem, in this order:
 * - task: the graph's task (training.task, classification when unset) is not the dataset's task.
 *   Its fix sets the graph's task. A training setting is not a node parameter, so that fix is
 *   written `{ nodeId: '', param: 'training.task', value }`: an empty nodeId means "the graph's
 *   training settings", and param is `training.<setting key>` (applyFit below applies both kinds).
 *   While the tasks differ the output is not checked (what it should be depends on the task).
 * - input: the Input node's shape is not the dataset's image shape; fix: set it.
 * - output: the output does not fit the task and the classes (outputProblem's words). Fixed where
 *   one parameter change (or two, with the activation) does it: classification ending in a Dense
 *   layer (units = K); segmentation ending in a Conv 2D whose map already has the images' height
 *   and width (filters = K, softmax; 1 filter with sigmoid for 2 classes is fine as it is);
 *   detection ending in a Conv 2D (filters = 5 + K, linear).
 */
import type { Analysis } from './analyze';
import { setParam } from './edit';
import type { TaskName } from './training-settings';
import type { GraphDoc } from './types';

/** One edit: a node's parameter, or (nodeId '') a training setting named `training.<key>`. */
export interface FitFix {
  nodeId: string;
  param: string;
  value: unknown;
}

export interface FitProblem {
  kind: 'task' | 'input' | 'output';
  text: string;
  /** The edits that fix it, applied in order; absent when no simple edit does. */
  fix?: FitFix[];
}

export interface FitDataset {
  name: string;
  /** What its labels are (classification when unset). */
  task?: TaskName;
  shape: readonly number[];
  classes: readonly string[];
}

const TASK_WORDS: Record<TaskName, string> = {
  classification: 'one class per image (classification)',
  segmentation: 'a mask per image (segmentation)',
  detection: 'boxes per image (detection)',
};

/** Marks the training-setting fix (`{ nodeId: '', param: 'training.task' }`). */
export const TRAINING_FIX_PREFIX = 'training.';

/** Why a graph's output does not fit the data's task and classes, or null when it does. */
export function outputProblem(
  task: TaskName,
  outShape: readonly (number | null)[],
  data: { shape: readonly number[]; classes: readonly string[] },
): string | null {
  const fmt = (s: readonly (number | null)[]) => s.join('×');
  const k = data.classes.length;
  const [h, w] = data.shape;
  switch (task) {
    case 'classification':
      return outShape.length === 1 && outShape[0] === k
        ? null
        : `The output gives ${fmt(outShape)} values but the dataset has ${k} classes: end with a Dense layer of ${k} units and softmax.`;
    case 'segmentation': {
      const ch = outShape[2];
      if (outShape.length === 3 && outShape[0] === h && outShape[1] === w && (ch === k || (ch === 1 && k === 2))) return null;
      return `The output is ${fmt(outShape)} but a mask of this dataset is ${h}×${w} with ${k} classes (${data.classes.join(', ')}): end with a 1×1 Conv 2D of ${k} filters and softmax${k === 2 ? ' (or 1 filter and sigmoid)' : ''} on a ${h}×${w} map.`;
    }
    case 'detection': {
      if (outShape.length === 3 && outShape[2] === 5 + k) return null;
      return `The output is ${fmt(outShape)} but a detection grid for this dataset's ${k} classes needs ${5 + k} channels per cell (objectness, 4 box values, ${k} class scores): end with a 1×1 Conv 2D of ${5 + k} filters and a linear activation.`;
    }
  }
}

/** The message when the graph's task is not the data's (compileForData throws it too). */
export function taskMismatchText(graphTask: TaskName, dataTask: TaskName, datasetName?: string): string {
  const data = datasetName ? `${datasetName} has` : 'the dataset has';
  return `This graph's task is ${graphTask} but ${data} ${TASK_WORDS[dataTask]}: choose a dataset for ${graphTask} or change the graph's task to ${dataTask}.`;
}

/** The output node's fix for the task and classes, or undefined when no simple edit does it. */
function outputFix(task: TaskName, doc: GraphDoc, analysis: Analysis, dataset: FitDataset): FitFix[] | undefined {
  const out = analysis.outputId ? analysis.nodes.get(analysis.outputId) : undefined;
  const shape = out?.outputShape;
  if (!out || !shape) return undefined;
  const k = dataset.classes.length;
  const node = doc.nodes.find((n) => n.id === out.id);
  const activation = (out.params?.activation ?? node?.params.activation) as string | undefined;
  const withActivation = (fixes: FitFix[], wanted: string) =>
    activation === wanted ? fixes : [...fixes, { nodeId: out.id, param: 'activation', value: wanted }];
  switch (task) {
    case 'classification':
      return out.type === 'dense' ? [{ nodeId: out.id, param: 'units', value: k }] : undefined;
    case 'segmentation': {
      if (out.type !== 'conv2d' || shape.length !== 3 || shape[0] !== dataset.shape[0] || shape[1] !== dataset.shape[1]) return undefined;
      return withActivation([{ nodeId: out.id, param: 'filters', value: k }], 'softmax');
    }
    case 'detection':
      if (out.type !== 'conv2d' || shape.length !== 3) return undefined;
      return withActivation([{ nodeId: out.id, param: 'filters', value: 5 + k }], 'linear');
  }
}

/** Every way the graph does not fit the dataset (empty when it fits), with fixes where possible. */
export function dataFitProblems(doc: GraphDoc, analysis: Analysis, dataset: FitDataset): FitProblem[] {
  const problems: FitProblem[] = [];
  const graphTask: TaskName = doc.training?.task ?? 'classification';
  const dataTask: TaskName = dataset.task ?? 'classification';
  if (graphTask !== dataTask) {
    problems.push({
      kind: 'task',
      text: taskMismatchText(graphTask, dataTask, dataset.name),
      fix: [{ nodeId: '', param: `${TRAINING_FIX_PREFIX}task`, value: dataTask }],
    });
  }
  const input = doc.nodes.find((n) => n.type === 'input');
  const inShape = input ? analysis.nodes.get(input.id)?.outputShape : undefined;
  if (input && inShape && inShape.join('×') !== dataset.shape.join('×')) {
    problems.push({
      kind: 'input',
      text: `The Input node is ${inShape.join('×')} but ${dataset.name} images are ${dataset.shape.join('×')}.`,
      fix: [{ nodeId: input.id, param: 'shape', value: [...dataset.shape] }],
    });
  }
  if (graphTask !== dataTask) return problems;
  const out = analysis.outputId ? analysis.nodes.get(analysis.outputId) : undefined;
  if (out?.outputShape) {
    const text = outputProblem(graphTask, out.outputShape, dataset);
    if (text) {
      const fix = outputFix(graphTask, doc, analysis, dataset);
      problems.push(fix ? { kind: 'output', text, fix } : { kind: 'output', text });
    }
  }
  return problems;
}

/**
 * A graph with the fixes applied (a new document; the given one is not changed): node params
 * set, `training.<key>` written into the graph's training settings. Unknown nodes are skipped.
 */
export function applyFit(doc: GraphDoc, fixes: readonly FitFix[]): GraphDoc {
  let next: GraphDoc = doc;
  for (const f of fixes) {
    if (f.nodeId === '' && f.param.startsWith(TRAINING_FIX_PREFIX)) {
      const key = f.param.slice(TRAINING_FIX_PREFIX.length);
      next = { ...next, training: { ...(next.training ?? {}), [key]: f.value } };
    } else {
      if (next.nodes.some((n) => n.id === f.nodeId)) next = setParam(next, f.nodeId, f.param, f.value);
    }
  }
  return next;
}
