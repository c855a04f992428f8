/** A learner's progress in one lesson, as stored in the browser (pure: no DOM, no storage access). */
import { MAX_EVENTS, type LessonRun } from './lab-events';
import { LAB_EVENT_KINDS, type LabEvent, type Lesson } from './types';

export interface LessonProgress {
  /** The step shown (an index into lesson.steps). */
  step: number;
  /** Ids of the steps whose goals were all met at once. */
  completed: string[];
  /** Per step id: the indices of its goals met at some point. */
  met: Record<string, number[]>;
  runs: LessonRun[];
  labs: LabEvent[];
}

export const emptyProgress = (): LessonProgress => ({ step: 0, completed: [], met: {}, runs: [], labs: [] });

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Reads stored progress defensively (storage is input too): anything odd becomes empty. */
export function readProgress(lesson: Lesson, raw: unknown): LessonProgress {
  const p = emptyProgress();
  if (!raw || typeof raw !== 'object') return p;
  const r = raw as Record<string, unknown>;
  if (isNum(r.step) && r.step >= 0 && r.step < lesson.steps.length) p.step = Math.floor(r.step);
  const ids = new Set(lesson.steps.map((s) => s.id));
  if (Array.isArray(r.completed)) p.completed = r.completed.filter((x): x is string => typeof x === 'string' && ids.has(x));
  if (r.met && typeof r.met === 'object') {
    for (const [id, v] of Object.entries(r.met as Record<string, unknown>)) {
      const goals = lesson.steps.find((s) => s.id === id)?.goals.length ?? 0;
      if (id !== '__proto__' && goals && Array.isArray(v)) p.met[id] = [...new Set(v.filter((i): i is number => Number.isInteger(i) && i >= 0 && i < goals))];
    }
  }
  if (Array.isArray(r.runs)) {
    p.runs = r.runs
      .filter((x): x is LessonRun => !!x && typeof x === 'object' && typeof x.dataset === 'string' && isNum(x.epochs) && isNum(x.at) && (x.testAccuracy === undefined || isNum(x.testAccuracy)))
      .map((x) => ({ dataset: x.dataset, epochs: x.epochs, at: x.at, ...(x.testAccuracy !== undefined ? { testAccuracy: x.testAccuracy } : {}) }))
      .slice(-MAX_EVENTS);
  }
  if (Array.isArray(r.labs)) {
    const kernelOk = (k: unknown) => k === undefined || (Array.isArray(k) && k.length <= 64 && k.every((row) => Array.isArray(row) && row.length <= 64 && row.every(isNum)));
    p.labs = r.labs
      .filter(
        (x): x is LabEvent =>
          !!x && typeof x === 'object' && (LAB_EVENT_KINDS as readonly unknown[]).includes(x.kind) && isNum(x.at) && (x.transform === undefined || typeof x.transform === 'string') && kernelOk(x.kernel),
      )
      .map((x) => ({ kind: x.kind, at: x.at, ...(x.transform !== undefined ? { transform: x.transform } : {}), ...(x.kernel !== undefined ? { kernel: x.kernel } : {}) }))
      .slice(-MAX_EVENTS);
  }
  return p;
}
