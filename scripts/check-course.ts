/**
 * Checks the built-in course (lessons/*.json) end to end with the command line, as an instructor
 * would: `npx tsx scripts/check-course.ts [--json] [--lesson ID]... [--no-train] [--limit N]`.
 *
 * For every step it takes the graph a learner would have when the step is done: the step's
 * `solution`, else its starting `graph` or `preset`, else the graph carried over from the steps
 * before (a "train it" step continues the previous step's network). Then:
 * - when the step has testAccuracy goals: `layerlab train GRAPH --epochs E --out DIR --json` on the
 *   goal's dataset, E = the smallest `maxEpochs` of those goals (the graph's own epochs when none
 *   is given), and `layerlab lesson check LESSON GRAPH --step ID --model DIR --json`;
 * - otherwise `layerlab lesson check LESSON GRAPH --step ID --json` (graph goals only).
 * Lab and kernel goals stay unchecked: labs run in the app.
 *
 * Prints a table (lesson, step, graph used, goals met/unmet/unchecked, train wall and CPU seconds,
 * epochs, test accuracy) with the machine and its load average, then each unmet goal; `--json`
 * prints one object instead. Exit status 1 when some goal is unmet or a command failed. Not part of `npm test` (it trains for minutes);
 * src/lessons/course-run.test.ts runs one cheap step through the same code.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readLessonFile } from '../src/cli/lesson';
import { readGraphFile } from '../src/cli/read-graph';
import { serializeGraph } from '../src/graph/serialize';
import type { GraphDoc } from '../src/graph/types';
import { goalLabel } from '../src/lessons/goals';
import type { Goal, GoalStatus, Lesson, LessonStep } from '../src/lessons/types';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const LESSONS_DIR = join(ROOT, 'lessons');

/** Runs `layerlab ARGS…` and collects its exit status and output. */
export type CliRunner = (args: string[]) => Promise<{ code: number; out: string; err: string; cpuSeconds?: number }>;

/**
 * `layerlab` as a user runs it: a separate Node process (bin/layerlab.js), started by bash so that
 * bash's `times` reports the command's CPU seconds (user + system), which depend far less on what
 * else the machine runs than its wall time does.
 */
export const processCli: CliRunner = (args) =>
  new Promise((resolve) => {
    const script = '"$0" "$1" "${@:2}"; rc=$?; times >&2; exit $rc';
    const child = spawn('bash', ['-c', script, process.execPath, join(ROOT, 'bin', 'layerlab.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => resolve({ code: 2, out, err: err + e.message }));
    child.on('close', (code, signal) => {
      // The last line of `times`: the children's user and system time, e.g. "0m12.340s 0m1.200s".
      const lines = err.trimEnd().split('\n');
      const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines.at(-1) ?? '');
      const cpuSeconds = m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : undefined;
      if (m) err = lines.slice(0, -2).join('\n');
      resolve({ code: code ?? 2, out, err: signal ? `${err}killed by ${signal}` : err, cpuSeconds });
    });
  });

export interface StepPlan {
  lessonFile: string;
  lesson: Lesson;
  step: LessonStep;
  /** 1-based. */
  number: number;
  /** The graph the step's goals are checked on; null when no step so far gives one (lab-only steps). */
  graph: GraphDoc | null;
  graphFrom: 'solution' | 'starting graph' | 'preset' | 'previous step' | 'none';
  /** One training run per dataset the step's testAccuracy goals name. */
  trains: { dataset: string; epochs: number }[];
}

/** The steps of a lesson with the graph each is checked on and the training it needs. */
export function planLesson(lessonFile: string, lesson: Lesson): StepPlan[] {
  let carried: GraphDoc | null = null;
  return lesson.steps.map((step, i) => {
    let graph: GraphDoc | null = carried;
    let graphFrom: StepPlan['graphFrom'] = carried ? 'previous step' : 'none';
    if (step.solution) [graph, graphFrom] = [step.solution, 'solution'];
    else if (step.graph) [graph, graphFrom] = [step.graph, 'starting graph'];
    else if (step.preset) {
      const read = readGraphFile(step.preset);
      if (!read.ok) throw new Error(`${lessonFile}, step ${step.id}: preset "${step.preset}": ${read.message}`);
      [graph, graphFrom] = [read.doc, 'preset'];
    }
    carried = graph;
    const trains: StepPlan['trains'] = [];
    for (const g of step.goals) {
      if (g.kind !== 'testAccuracy' || !graph) continue;
      const epochs = g.maxEpochs ?? graph.training?.epochs ?? 1;
      const same = trains.find((t) => t.dataset === g.dataset);
      if (same) same.epochs = Math.min(same.epochs, epochs);
      else trains.push({ dataset: g.dataset, epochs });
    }
    return { lessonFile, lesson, step, number: i + 1, graph, graphFrom, trains };
  });
}

/** Every lesson file in lessons/, alphabetically (the app's lecture order lives in src/lessons/course.ts, a Vite module). */
export function courseFiles(dir = LESSONS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

export interface TrainRecord {
  dataset: string;
  epochs: number;
  /** Wall time of the whole `layerlab train` command (start-up and data loading included). */
  wallSeconds: number;
  /** CPU seconds (user + system) of the command, when the runner measures them (processCli does). */
  cpuSeconds: number | null;
  /** The training time train --json reports. */
  trainSeconds: number | null;
  /** train --json's testAccuracy on its held-out test images (pixel accuracy for segmentation). */
  testAccuracy: number | null;
  trainImages: number | null;
  reused: boolean;
}

export interface StepRow {
  lesson: string;
  step: string;
  number: number;
  graphFrom: StepPlan['graphFrom'];
  /** The step's goals as the lesson states them, in the order of `goals`. */
  goalSpecs: Goal[];
  goals: GoalStatus[];
  met: number;
  unmet: number;
  unchecked: number;
  trains: TrainRecord[];
  /** Why a command failed (its message), when one did. */
  problem?: string;
}

export interface CheckOptions {
  cli: CliRunner;
  /** Where graphs and models are written. */
  workDir: string;
  /** `--limit N` for train (N training images, a sixth as test images in train's own score). */
  limit?: number;
  /** Replaces the epochs the goals allow (a quick run). */
  epochs?: number;
  /** Skip training: testAccuracy goals stay unchecked. */
  noTrain?: boolean;
  /** Progress lines (to stderr in the script). */
  log?: (line: string) => void;
  /** Called with each row as soon as it is done. */
  onRow?: (row: StepRow) => void;
  /** Trained models by graph, dataset and epochs, so an identical network is trained once. */
  cache?: Map<string, { dir: string; record: TrainRecord }>;
}

function lastJsonLine(text: string): Record<string, unknown> | null {
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const v = JSON.parse(line);
      if (v && typeof v === 'object') return v as Record<string, unknown>;
    } catch {
      // not the JSON line
    }
  }
  return null;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Checks one step: trains what its testAccuracy goals need, then runs `lesson check` with the CLI. */
export async function checkStep(plan: StepPlan, opts: CheckOptions): Promise<StepRow> {
  const { step, lesson } = plan;
  const row: StepRow = { lesson: lesson.id, step: step.id, number: plan.number, graphFrom: plan.graphFrom, goalSpecs: step.goals, goals: [], met: 0, unmet: 0, unchecked: 0, trains: [] };
  const finish = () => {
    for (const g of row.goals) row[g.state]++;
    return row;
  };
  if (!plan.graph) {
    row.goals = step.goals.map((g) => ({ state: 'unchecked', label: goalLabel(g), detail: 'No graph: this step is done in a lab.' }));
    return finish();
  }
  const base = join(opts.workDir, lesson.id, step.id);
  mkdirSync(base, { recursive: true });
  const writeGraph = (doc: GraphDoc, name: string) => {
    const file = join(base, name);
    writeFileSync(file, serializeGraph(doc));
    return file;
  };
  const graphFile = writeGraph(plan.graph, 'graph.json');
  const check = async (model?: string) => {
    const args = ['lesson', 'check', plan.lessonFile, graphFile, '--step', step.id, '--json', ...(model ? ['--model', model] : [])];
    const r = await opts.cli(args);
    const j = lastJsonLine(r.out);
    if (!j || !Array.isArray(j.steps)) throw new Error(`lesson check exited ${r.code}: ${(typeof j?.error === 'string' ? j.error : r.err).trim().slice(-500)}`);
    return (j.steps as { goals: GoalStatus[] }[])[0]!.goals;
  };
  try {
    const trains = opts.noTrain ? [] : plan.trains;
    // Graph goals (and any other dataset's goals) from a check without a model, unless one model check covers them all.
    row.goals = trains.length === 1 ? [] : await check();
    for (const t of trains) {
      const epochs = opts.epochs ?? t.epochs;
      const doc: GraphDoc = { ...plan.graph, training: { ...plan.graph.training!, dataset: t.dataset as never, epochs } };
      const { name: _n, description: _d, ...shape } = doc;
      const key = JSON.stringify([shape, opts.limit ?? null]);
      let trained = opts.cache?.get(key);
      if (trained) {
        trained = { ...trained, record: { ...trained.record, reused: true } };
        opts.log?.(`${lesson.id}/${step.id}: the same network was trained for an earlier step; its model is checked again`);
      } else {
        const trainFile = writeGraph(doc, `train-${t.dataset}.json`);
        const dir = join(base, `model-${t.dataset}`);
        const args = ['train', trainFile, '--epochs', String(epochs), '--out', dir, '--json', ...(opts.limit ? ['--limit', String(opts.limit)] : [])];
        opts.log?.(`${lesson.id}/${step.id}: layerlab ${args.join(' ')}`);
        const started = performance.now();
        const r = await opts.cli(args);
        const wallSeconds = (performance.now() - started) / 1000;
        const j = lastJsonLine(r.out);
        if (r.code !== 0 || !j) throw new Error(`train exited ${r.code}: ${(typeof j?.error === 'string' ? j.error : r.err).trim().slice(-500)}`);
        const record: TrainRecord = {
          dataset: t.dataset,
          epochs: num(j.epochs) ?? epochs,
          wallSeconds,
          cpuSeconds: r.cpuSeconds ?? null,
          trainSeconds: num(j.seconds),
          testAccuracy: num(j.testAccuracy),
          trainImages: num(j.trainImages),
          reused: false,
        };
        trained = { dir, record };
        opts.cache?.set(key, trained);
        opts.log?.(`${lesson.id}/${step.id}: trained in ${wallSeconds.toFixed(1)} s, test accuracy ${record.testAccuracy ?? 'n/a'}`);
      }
      row.trains.push(trained.record);
      const withModel = await check(trained.dir);
      if (trains.length === 1) row.goals = withModel;
      else step.goals.forEach((g, i) => g.kind === 'testAccuracy' && g.dataset === t.dataset && (row.goals[i] = withModel[i]!));
    }
  } catch (e) {
    row.problem = (e as Error).message;
    row.goals = step.goals.map((g, i) => row.goals[i] ?? { state: 'unchecked', label: goalLabel(g), detail: 'Not checked: a command failed.' });
  }
  return finish();
}

export async function checkCourse(files: string[], opts: CheckOptions): Promise<StepRow[]> {
  const rows: StepRow[] = [];
  const cache = opts.cache ?? new Map();
  for (const file of files) {
    const read = readLessonFile(file);
    if (!read.ok) {
      rows.push({ lesson: file, step: '-', number: 0, graphFrom: 'none', goalSpecs: [], goals: [], met: 0, unmet: 0, unchecked: 0, trains: [], problem: read.message });
      opts.onRow?.(rows.at(-1)!);
      continue;
    }
    for (const plan of planLesson(file, read.lesson)) {
      rows.push(await checkStep(plan, { ...opts, cache }));
      opts.onRow?.(rows.at(-1)!);
    }
  }
  return rows;
}

const pct = (v: number | null) => (v === null ? '' : `${(v * 100).toFixed(2)}%`);

/** The rows as a plain-text table, with what did not pass listed below it. */
export function formatTable(rows: StepRow[]): string {
  const head = ['lesson', 'step', 'graph', 'met', 'unmet', 'unchecked', 'train s', 'CPU s', 'epochs', 'test acc'];
  const body = rows.map((r) => [
    r.lesson,
    r.step,
    r.graphFrom,
    String(r.met),
    String(r.unmet),
    String(r.unchecked),
    r.trains.map((t) => (t.reused ? `(${t.wallSeconds.toFixed(0)})` : t.wallSeconds.toFixed(0))).join(' '),
    r.trains.map((t) => (t.cpuSeconds === null ? '' : t.cpuSeconds.toFixed(0))).join(' '),
    r.trains.map((t) => String(t.epochs)).join(' '),
    r.trains.map((t) => pct(t.testAccuracy)).join(' '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  const notes: string[] = [];
  for (const r of rows) {
    if (r.problem) notes.push(`${r.lesson}/${r.step}: ${r.problem}`);
    for (const g of r.goals) if (g.state === 'unmet') notes.push(`${r.lesson}/${r.step}: ✗ ${g.label}: ${g.detail}`);
    // A training goal the command line cannot evaluate (segmentation): train's own test score, for reference.
    r.goals.forEach((g, i) => {
      const goal = r.goalSpecs[i];
      const t = goal?.kind === 'testAccuracy' ? r.trains.find((x) => x.dataset === goal.dataset) : undefined;
      if (g.state === 'unchecked' && goal?.kind === 'testAccuracy' && t && t.testAccuracy !== null) {
        notes.push(`${r.lesson}/${r.step}: ? ${g.label}: ${g.detail} (layerlab train's own test score: ${pct(t.testAccuracy)}, the goal asks ${pct(goal.min)})`);
      }
    });
  }
  if (notes.length) out.push('', ...notes);
  return out.join('\n');
}

async function run(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      lesson: { type: 'string', multiple: true },
      'no-train': { type: 'boolean', default: false },
      limit: { type: 'string' },
      epochs: { type: 'string' },
    },
  });
  const positive = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number from 1, not "${v}".`);
    return n;
  };
  const limit = positive('limit', values.limit);
  const epochs = positive('epochs', values.epochs);
  let files = courseFiles();
  if (values.lesson?.length) {
    const wanted = new Set(values.lesson);
    files = files.filter((f) => wanted.has(f.slice(f.lastIndexOf('/') + 1, -5)));
    if (files.length !== wanted.size) throw new Error(`--lesson: the course has ${courseFiles().map((f) => f.slice(f.lastIndexOf('/') + 1, -5)).join(', ')}.`);
  }
  const workDir = mkdtempSync(join(tmpdir(), 'layerlab-course-'));
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`;
  const loadBefore = loadavg();
  const started = performance.now();
  const rows = await checkCourse(files, { cli: processCli, workDir, limit, epochs, noTrain: values['no-train'], log: (l) => process.stderr.write(`${l}\n`), onRow: (r) => process.stderr.write(`row ${JSON.stringify(r)}\n`) });
  const seconds = (performance.now() - started) / 1000;
  const loadAfter = loadavg();
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const unmet = rows.some((r) => r.unmet > 0 || r.problem);
  if (values.json) {
    process.stdout.write(JSON.stringify({ machine, loadBefore, loadAfter, seconds, workDir, limit: limit ?? null, epochs: epochs ?? null, rows }) + '\n');
  } else {
    process.stdout.write(`The built-in course, checked with layerlab train and layerlab lesson check on ${machine}\n`);
    process.stdout.write(`load average (1, 5, 15 min) ${load(loadBefore)} before, ${load(loadAfter)} after; ${(seconds / 60).toFixed(1)} minutes in all\n`);
    if (limit || epochs) process.stdout.write(`quick run:${limit ? ` --limit ${limit}` : ''}${epochs ? ` --epochs ${epochs}` : ''} (not what the goals allow)\n`);
    process.stdout.write(`train s: wall time of the whole layerlab train command (start-up and data loading included), (n) = the same network trained for an earlier step; CPU s: its user + system CPU seconds\n\n`);
    process.stdout.write(formatTable(rows) + '\n');
    process.stdout.write(`\nmodels and graphs: ${workDir}\n`);
  }
  return unmet ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`check-course: ${(e as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
