/**
 * `layerlab lesson check LESSON GRAPH [--step N|ID] [--model DIR] [--json]`: checks a lesson's
 * goals (src/lessons/goals.ts, the same code as the app) against a graph file, for grading a
 * class's submissions. With --model DIR (a folder `layerlab train --out` wrote) testAccuracy goals
 * are checked by evaluating that model on the test images of the goal's dataset (the evaluation
 * of `layerlab robustness`, untransformed); without it they are unchecked. Lab goals are always
 * unchecked here: labs run in the app. Exit status 0 when no goal is unmet, 1 when some goal is
 * unmet, 2 when a file cannot be read.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { analyzeGraph } from '../graph/analyze';
import { expandBlocks } from '../graph/blocks';
import { TRAINING_DEFAULTS } from '../graph/training-settings';
import type { GraphDoc } from '../graph/types';
import { checkGoal, goalLabel } from '../lessons/goals';
import { checkLessonSize, parseLessonText } from '../lessons/parse';
import type { Goal, GoalContext, GoalStatus, Lesson, LessonStep } from '../lessons/types';
import type { CliIO } from './io';
import { PRESETS_DIR, readGraphFile } from './read-graph';
import { DATASET_CHOICES, type DatasetChoice } from './trained-model';

export interface LessonCheckOptions {
  /** A step number (1-based) or id; all steps when absent. */
  step?: string;
  model?: string;
  json: boolean;
}

export interface LessonCheckResult {
  ok: boolean;
  lesson: string;
  steps: { id: string; title: string; goals: GoalStatus[] }[];
  met: number;
  unmet: number;
  unchecked: number;
}

type Run = GoalContext['runs'][number];

function presetNames(): string[] {
  try {
    return readdirSync(PRESETS_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}

/** Reads and validates a lesson file; a message for people when it cannot be used. */
export function readLessonFile(file: string): { ok: true; lesson: Lesson } | { ok: false; message: string } {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return { ok: false, message: `${file} is not a file.` };
    const tooBig = checkLessonSize(stat.size);
    if (tooBig) return { ok: false, message: `${file}: ${tooBig}` };
    const parsed = parseLessonText(readFileSync(file, 'utf8'), { presets: presetNames() });
    return parsed.ok ? parsed : { ok: false, message: `${file}: ${parsed.message}` };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    return { ok: false, message: `Cannot read ${file}: ${why}.` };
  }
}

/** The steps `--step` names: a number from 1 or a step id. */
function pickSteps(lesson: Lesson, step: string | undefined): LessonStep[] | string {
  if (step === undefined) return lesson.steps;
  const byId = lesson.steps.find((s) => s.id === step);
  if (byId) return [byId];
  const n = /^\d+$/.test(step) ? Number(step) : NaN;
  if (n >= 1 && n <= lesson.steps.length) return [lesson.steps[n - 1]!];
  return `--step ${JSON.stringify(step)}: the lesson has steps 1 to ${lesson.steps.length} (${lesson.steps.map((s) => s.id).join(', ')}).`;
}

/** The structure of a graph, blocks expanded: node ids and types and the wires. */
function structure(doc: GraphDoc): string {
  const flat = expandBlocks(doc);
  const nodes = flat.nodes.map((n) => `${n.id}:${n.type}`).sort();
  const edges = flat.edges.map((e) => `${e.from.join('.')}>${e.to.join('.')}`).sort();
  return JSON.stringify([nodes, edges]);
}

/**
 * The model's test accuracy on each dataset the goals name, as runs. Throws (a message for people)
 * when the model files cannot be read.
 */
async function modelRuns(dir: string, datasets: string[], graph: GraphDoc, io: CliIO): Promise<{ runs: Run[]; problems: Map<string, string> }> {
  const { readModelDir } = await import('./model-dir');
  const { readModelFiles } = await import('../export/open-model');
  // Read (and checked) even when no goal needs it: a model that cannot be read is exit status 2.
  const opened = readModelFiles(readModelDir(dir));
  if (!datasets.length) return { runs: [], problems: new Map() };
  const epochs = opened.graph.training?.epochs ?? TRAINING_DEFAULTS.epochs;
  if (structure(opened.graph) !== structure(graph)) {
    io.err(`note: the model in ${dir} was trained from a graph with other nodes or wires than the one checked; its own graph is what is evaluated.\n`);
  }
  const runs: Run[] = [];
  const problems = new Map<string, string>();
  const tf = await import('@tensorflow/tfjs');
  const { loadTrainedModel } = await import('./trained-model');
  const { evaluateUnderTransform } = await import('../labs/robustness');
  const { IDENTITY_TRANSFORM } = await import('../labs/transforms');
  for (const dataset of datasets) {
    if (!(DATASET_CHOICES as readonly string[]).includes(dataset)) {
      problems.set(dataset, `The command line measures test accuracy on ${DATASET_CHOICES.join(', ')} only.`);
      continue;
    }
    let model;
    try {
      model = await loadTrainedModel(dir, { dataset: dataset as DatasetChoice });
    } catch (e) {
      problems.set(dataset, `The model cannot be evaluated on ${dataset}: ${(e as Error).message}`);
      continue;
    }
    try {
      io.err(`LayerLab: evaluating ${dir} on the ${model.data.test.count.toLocaleString('en-US')} ${dataset} test images with the ${model.backend} backend\n`);
      const testAccuracy = await evaluateUnderTransform(tf, model.compiled.model, model.data, IDENTITY_TRANSFORM);
      runs.push({ dataset, epochs, testAccuracy });
    } catch (e) {
      problems.set(dataset, `The model cannot be evaluated on ${dataset}: ${(e as Error).message}`);
    } finally {
      model.compiled.model.dispose();
    }
  }
  return { runs, problems };
}

const MARK: Record<GoalStatus['state'], string> = { met: '✓', unmet: '✗', unchecked: '?' };

export async function lessonCheckCommand(lessonFile: string, graphFile: string, opts: LessonCheckOptions, io: CliIO): Promise<number> {
  const fail = (message: string) => {
    if (opts.json) io.out(JSON.stringify({ ok: false, error: message }) + '\n');
    else io.err(`layerlab: ${message}\n`);
    return 2;
  };
  const read = readLessonFile(lessonFile);
  if (!read.ok) return fail(read.message);
  const lesson = read.lesson;
  const steps = pickSteps(lesson, opts.step);
  if (typeof steps === 'string') return fail(steps);
  const graph = readGraphFile(graphFile);
  if (!graph.ok) return fail(graph.message);

  const goals = steps.flatMap((s) => s.goals);
  const datasets = [...new Set(goals.flatMap((g) => (g.kind === 'testAccuracy' ? [g.dataset] : [])))];
  let runs: Run[] = [];
  let problems = new Map<string, string>();
  if (opts.model) {
    try {
      ({ runs, problems } = await modelRuns(opts.model, datasets, graph.doc, io));
    } catch (e) {
      return fail((e as Error).message);
    }
  }
  const ctx: GoalContext = { doc: graph.doc, analysis: analyzeGraph(graph.doc), runs, labs: [] };
  const check = (g: Goal): GoalStatus => {
    if (g.kind === 'lab' || g.kind === 'kernel') return { state: 'unchecked', label: goalLabel(g), detail: 'Labs run in the app: this goal is checked there.' };
    if (g.kind === 'testAccuracy') {
      if (!opts.model) return { state: 'unchecked', label: goalLabel(g), detail: 'Pass --model DIR (a model `layerlab train --out` saved) to check it.' };
      const problem = problems.get(g.dataset);
      if (problem) return { state: (DATASET_CHOICES as readonly string[]).includes(g.dataset) ? 'unmet' : 'unchecked', label: goalLabel(g), detail: problem };
      // Each goal sees only the model's run on its own dataset.
      return checkGoal(g, { ...ctx, runs: runs.filter((r) => r.dataset === g.dataset) });
    }
    return checkGoal(g, ctx);
  };
  const result: LessonCheckResult = { ok: true, lesson: lesson.id, steps: [], met: 0, unmet: 0, unchecked: 0 };
  for (const s of steps) {
    const statuses = s.goals.map(check);
    for (const st of statuses) result[st.state]++;
    result.steps.push({ id: s.id, title: s.title, goals: statuses });
  }
  result.ok = result.unmet === 0;

  if (opts.json) io.out(JSON.stringify(result) + '\n');
  else {
    const lines = [`${lesson.title} (${lessonFile}) against ${graph.doc.name} (${graphFile})`];
    for (const s of result.steps) {
      const number = lesson.steps.findIndex((x) => x.id === s.id) + 1;
      lines.push('', `Step ${number}: ${s.title}`);
      if (!s.goals.length) lines.push('  (no goals)');
      for (const g of s.goals) lines.push(`  ${MARK[g.state]} ${g.label}: ${g.detail}`);
    }
    lines.push('', `${result.met} met, ${result.unmet} unmet, ${result.unchecked} unchecked`);
    io.out(lines.join('\n') + '\n');
  }
  return result.ok ? 0 : 1;
}
