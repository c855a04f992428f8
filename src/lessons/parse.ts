/**
 * Reading lesson files defensively, like src/graph/parse.ts: size and depth limits (one table,
 * LESSON_LIMITS in types.ts), no prototype-polluting keys, a schema for the structure, and
 * every step graph read with parseGraph (the same validation as a graph file), a bad one named
 * by its step. Never throws. docs/lesson-format.md describes the format.
 */
import { z } from 'zod';
import { NODE_TYPES } from '../../nodes/registry';
import { checkJson, jsonPathText } from '../graph/json-guard';
import { parseGraph, ID_PATTERN } from '../graph/parse';
import { DATASETS } from '../graph/training-settings';
import type { GraphDoc } from '../graph/types';
import { GOAL_KINDS, KERNEL_BEHAVIOURS, LAB_EVENT_KINDS, LESSON_FORMAT, LESSON_LIMITS, LESSON_VERSION, type Goal, type Lesson, type LessonStep } from './types';
import { formatNumber } from '../graph/format';

export { LESSON_LIMITS } from './types';

export type LessonParseResult = { ok: true; lesson: Lesson } | { ok: false; message: string };

export interface LessonParseOptions {
  /** Preset ids a step may name; when given, any other preset is refused. */
  presets?: readonly string[];
}

const L = LESSON_LIMITS;
const id = z
  .string()
  .min(1, 'must not be empty')
  .max(L.maxIdLength, `must be at most ${L.maxIdLength} characters`)
  .regex(ID_PATTERN, 'may only contain letters, digits, _ and -');
const goalString = z.string().min(1, 'must not be empty').max(L.maxGoalStringLength, `must be at most ${L.maxGoalStringLength} characters`);
const nodeType = goalString.refine((t) => NODE_TYPES.includes(t), { message: `is not a node type (known: ${NODE_TYPES.join(', ')})` });
const count = z.number().int('must be a whole number').min(0, 'must not be negative').max(Number.MAX_SAFE_INTEGER);
const label = { label: z.string().max(L.maxLabelLength, `must be at most ${L.maxLabelLength} characters`).optional() };

const goalSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('nodeType'), type: nodeType, min: count.min(1, 'must be at least 1').optional(), ...label }),
  z.strictObject({ kind: z.literal('skipConnection'), ...label }),
  z.strictObject({ kind: z.literal('maxParams'), max: count, ...label }),
  z.strictObject({ kind: z.literal('minParams'), min: count, ...label }),
  z.strictObject({ kind: z.literal('outputShape'), shape: z.array(count.min(1, 'must be at least 1')).min(1, 'must not be empty').max(8, 'has too many dimensions'), ...label }),
  z.strictObject({ kind: z.literal('nodeAfter'), type: nodeType, after: nodeType, ...label }),
  z.strictObject({ kind: z.literal('noErrors'), ...label }),
  z.strictObject({
    kind: z.literal('testAccuracy'),
    min: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1 (a fraction, not a percentage)'),
    dataset: z.enum(DATASETS.filter((d) => d !== 'custom') as [string, ...string[]]),
    maxEpochs: count.min(1, 'must be at least 1').max(10000).optional(),
    ...label,
  }),
  z.strictObject({ kind: z.literal('lab'), event: z.enum(LAB_EVENT_KINDS as [string, ...string[]]), transform: goalString.optional(), ...label }),
  z.strictObject({ kind: z.literal('kernel'), behaviour: z.enum(KERNEL_BEHAVIOURS as [string, ...string[]]), ...label }),
]);

const graphValue = z.record(z.string(), z.unknown());

const stepSchema = z.strictObject({
  id,
  title: z.string().min(1, 'must not be empty').max(L.maxTitleLength, `must be at most ${L.maxTitleLength} characters`),
  text: z.string().max(L.maxTextLength, `must be at most ${formatNumber(L.maxTextLength)} characters`),
  graph: graphValue.optional(),
  preset: id.optional(),
  goals: z.array(goalSchema).max(L.maxGoalsPerStep, `may hold at most ${L.maxGoalsPerStep} goals`),
  solution: graphValue.optional(),
});

const lessonSchema = z.strictObject({
  format: z.literal(LESSON_FORMAT),
  version: z.literal(LESSON_VERSION),
  id,
  title: z.string().min(1, 'must not be empty').max(L.maxTitleLength, `must be at most ${L.maxTitleLength} characters`),
  summary: z.string().max(L.maxSummaryLength, `must be at most ${formatNumber(L.maxSummaryLength)} characters`),
  steps: z.array(stepSchema).min(1, 'must hold at least one step').max(L.maxSteps, `may hold at most ${L.maxSteps} steps`),
});

function pathText(path: readonly PropertyKey[]): string {
  return jsonPathText(path.map((p) => (typeof p === 'number' ? p : String(p)))) || 'the top level';
}

/** Where a path points, in words: `step 2 ("pool"), goals[0].min`. */
function where(path: readonly PropertyKey[], json: Record<string, unknown>): string {
  if (path[0] === 'steps' && typeof path[1] === 'number') {
    const step = Array.isArray(json.steps) ? (json.steps[path[1]] as Record<string, unknown> | undefined) : undefined;
    const sid = step && typeof step === 'object' && typeof step.id === 'string' && ID_PATTERN.test(step.id) ? ` ("${step.id.slice(0, L.maxIdLength)}")` : '';
    const rest = pathText(path.slice(2));
    return `step ${path[1] + 1}${sid}${path.length > 2 ? `, ${rest}` : ''}`;
  }
  return pathText(path);
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let v = json;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, p)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function formatSize(chars: number): string {
  return `${(chars / 1024 / 1024).toFixed(1)} MB`;
}

/** Validates an already-parsed JSON value as a lesson. Never throws. */
export function parseLesson(json: unknown, opts: LessonParseOptions = {}): LessonParseResult {
  try {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      return { ok: false, message: 'The file is not a LayerLab lesson: it should hold one JSON object.' };
    }
    const bad = checkJson(json, { maxDepth: L.maxDepth, file: 'the lesson', kind: 'lesson' });
    if (bad) return { ok: false, message: bad };
    const obj = json as Record<string, unknown>;
    if (obj.format !== LESSON_FORMAT) {
      return {
        ok: false,
        message:
          obj.format === undefined
            ? `This is not a LayerLab lesson: it has no "format": "${LESSON_FORMAT}" field.`
            : `This is not a LayerLab lesson: its format is ${JSON.stringify(obj.format).slice(0, 60)}, expected "${LESSON_FORMAT}".`,
      };
    }
    if (obj.version !== LESSON_VERSION) {
      return {
        ok: false,
        message:
          typeof obj.version === 'number' && obj.version > LESSON_VERSION
            ? `This lesson is format version ${obj.version}, newer than this LayerLab reads (${LESSON_VERSION}). Update LayerLab to open it.`
            : `The lesson's "version" should be ${LESSON_VERSION}.`,
      };
    }
    if (Array.isArray(obj.steps) && obj.steps.length > L.maxSteps) {
      return { ok: false, message: `The lesson has ${formatNumber(obj.steps.length)} steps; a lesson holds at most ${L.maxSteps}.` };
    }
    const parsed = lessonSchema.safeParse(obj);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      let text = issue.message;
      if (issue.code === 'unrecognized_keys') text = `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k.slice(0, 40)}"`).join(', ')}`;
      if (issue.code === 'invalid_union' && issue.path[issue.path.length - 1] === 'kind') {
        const value = valueAt(obj, issue.path);
        text = `${value === undefined ? 'a goal needs a kind' : `${JSON.stringify(value).slice(0, 40)} is not a goal kind`} (known: ${GOAL_KINDS.join(', ')})`;
      }
      return { ok: false, message: `The lesson is not valid: ${where(issue.path, obj)}: ${text}.` };
    }
    const d = parsed.data;
    const seen = new Set<string>();
    const steps: LessonStep[] = [];
    for (let i = 0; i < d.steps.length; i++) {
      const s = d.steps[i]!;
      const name = `step ${i + 1} ("${s.id}")`;
      if (seen.has(s.id)) return { ok: false, message: `The lesson is not valid: ${name}: another step has the same id.` };
      seen.add(s.id);
      if (s.graph && s.preset) return { ok: false, message: `The lesson is not valid: ${name}: give either a graph or a preset, not both.` };
      if (s.preset && opts.presets && !opts.presets.includes(s.preset)) {
        return { ok: false, message: `The lesson is not valid: ${name}: there is no preset "${s.preset}" (known: ${opts.presets.join(', ')}).` };
      }
      const step: LessonStep = { id: s.id, title: s.title, text: s.text, goals: s.goals.map((g) => ({ ...g }) as Goal) };
      for (const key of ['graph', 'solution'] as const) {
        const value = s[key];
        if (!value) continue;
        const g = parseGraph(value);
        if (!g.ok) return { ok: false, message: `The ${key === 'graph' ? 'starting graph' : 'solution graph'} of ${name} is not a valid LayerLab graph: ${g.message}` };
        step[key] = g.doc as GraphDoc;
      }
      if (s.preset) step.preset = s.preset;
      steps.push(step);
    }
    return { ok: true, lesson: { format: LESSON_FORMAT, version: LESSON_VERSION, id: d.id, title: d.title, summary: d.summary, steps } };
  } catch (e) {
    // Defensive: nothing in a file may crash the app.
    return { ok: false, message: `The lesson could not be read (${e instanceof Error ? e.message : String(e)}).` };
  }
}

/** Checks a lesson file's size before reading it. */
export function checkLessonSize(chars: number): string | undefined {
  return chars > L.maxFileBytes ? `The lesson file is ${formatSize(chars)}; lesson files are at most ${formatSize(L.maxFileBytes)}.` : undefined;
}

/** Parses the text of a lesson file. Never throws. */
export function parseLessonText(text: string, opts: LessonParseOptions = {}): LessonParseResult {
  const tooBig = checkLessonSize(text.length);
  if (tooBig) return { ok: false, message: tooBig };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `The lesson file is not valid JSON (${e instanceof Error ? e.message : String(e)}).` };
  }
  return parseLesson(json, opts);
}
