/**
 * The open lesson and the learner's progress in it (current step, steps done, goals met, runs and
 * lab events), kept in localStorage under the lesson id so that a reload goes on where it left.
 * Opening a lesson, loading a step's graph (through the editor's ordinary, undoable load) and
 * recording finished training runs happen here; LessonPanel.tsx is the view.
 */
import { create } from 'zustand';
import { findPreset } from '../app/presets';
import { loadAction } from '../editor/actions';
import { openSideTab } from '../editor/SidePanel';
import { rootDoc, useEditor } from '../editor/store';
import { graphDatasetName } from '../training/graph-dataset';
import { useTraining } from '../training/store';
import { findCourseLesson } from './course';
import { mergeByTime, useLabEvents } from './lab-events';
import { parseLesson, parseLessonText } from './parse';
import { emptyProgress, readProgress, type LessonProgress } from './progress';
import type { GoalContext, Lesson, LessonStep } from './types';

const OPEN_KEY = 'layerlab:lesson-open';
const PROGRESS_KEY = (id: string) => `layerlab:lesson-progress:${id}`;


interface LessonState {
  lesson: Lesson | null;
  /** The built-in course's id when the open lesson is one of its lessons (its link is then short). */
  course: string | null;
  progress: LessonProgress;
}

export const useLesson = create<LessonState>()(() => ({ lesson: null, course: null, progress: emptyProgress() }));

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // some browsers refuse access to storage altogether
  }
}

function save(key: string, value: unknown) {
  try {
    storage()?.setItem(key, JSON.stringify(value));
  } catch {
    useEditor.getState().notify('error', 'This browser would not let LayerLab store your lesson progress; it lasts until you close the page.');
  }
}

function readJson(key: string): unknown {
  try {
    const text = storage()?.getItem(key);
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function persist() {
  const { lesson, progress } = useLesson.getState();
  if (lesson) save(PROGRESS_KEY(lesson.id), progress);
}

function setProgress(patch: Partial<LessonProgress>) {
  useLesson.setState({ progress: { ...useLesson.getState().progress, ...patch } });
  persist();
}

/** This session's runs and lab events, merged into the open lesson's progress. */
function absorbSession() {
  const { lesson, progress } = useLesson.getState();
  if (!lesson) return;
  const { events, runs } = useLabEvents.getState();
  const labs = mergeByTime(progress.labs, events);
  const allRuns = mergeByTime(progress.runs, runs);
  const same = labs.length === progress.labs.length && allRuns.length === progress.runs.length && allRuns.every((r, i) => r === progress.runs[i]);
  if (!same) setProgress({ labs, runs: allRuns });
}
useLabEvents.subscribe(absorbSession);

/**
 * Opens a lesson: restores its stored progress (or starts at step 1, loading the first step's
 * graph if it has one) and shows the Lesson tab.
 */
export function openLesson(lesson: Lesson, opts: { course?: string | null; loadGraph?: boolean } = {}) {
  const stored = readJson(PROGRESS_KEY(lesson.id));
  const progress = readProgress(lesson, stored);
  useLesson.setState({ lesson, course: opts.course ?? null, progress });
  absorbSession();
  save(OPEN_KEY, opts.course ? { course: opts.course } : { lesson });
  openSideTab('lesson');
  // A first visit starts from the lesson's own graph; coming back keeps the learner's.
  if (stored === null && opts.loadGraph !== false) {
    const step = lesson.steps[progress.step];
    if (step && (step.graph || step.preset)) loadStepGraph(step);
  }
}

export function closeLesson() {
  useLesson.setState({ lesson: null, course: null, progress: emptyProgress() });
  try {
    storage()?.removeItem(OPEN_KEY);
  } catch {
    /* nothing stored to remove */
  }
}

/** Re-opens the lesson that was open when the page was left (its progress comes back with it). */
export function restoreOpenLesson() {
  const raw = readJson(OPEN_KEY) as { course?: unknown; lesson?: unknown } | null;
  if (!raw || typeof raw !== 'object') return;
  if (typeof raw.course === 'string') {
    const entry = findCourseLesson(raw.course);
    if (entry?.ok) openLesson(entry.lesson, { course: entry.id, loadGraph: false });
    return;
  }
  const parsed = parseLesson(raw.lesson);
  if (parsed.ok) openLesson(parsed.lesson, { loadGraph: false });
}

export function goToStep(i: number) {
  const { lesson } = useLesson.getState();
  if (!lesson || i < 0 || i >= lesson.steps.length) return;
  setProgress({ step: i });
}

/** Remembers goals met (and the step done when all are met at once). */
export function noteMet(stepId: string, indices: number[], all: boolean) {
  const { progress } = useLesson.getState();
  const before = progress.met[stepId] ?? [];
  const merged = [...new Set([...before, ...indices])].sort((a, b) => a - b);
  const newlyDone = all && !progress.completed.includes(stepId);
  if (merged.length === before.length && !newlyDone) return;
  setProgress({ met: { ...progress.met, [stepId]: merged }, completed: newlyDone ? [...progress.completed, stepId] : progress.completed });
}

/** Forgets the open lesson's progress (steps, goals, runs and lab events recorded for it). */
export function resetProgress() {
  useLesson.setState({ progress: emptyProgress() });
  persist();
}

/**
 * Loads a step's starting graph through the editor's ordinary load (undoable; the learner's own
 * graph stays in the undo history and under Versions), then switches to learner mode.
 */
export function loadStepGraph(step: LessonStep): boolean {
  const { lesson } = useLesson.getState();
  const source = `${lesson ? `${lesson.title}: ` : ''}${step.title}`;
  let ok: boolean;
  if (step.graph) ok = loadAction({ ok: true, doc: step.graph }, source);
  else if (step.preset) {
    const p = findPreset(step.preset);
    ok = loadAction(p?.ok ? { ok: true, doc: p.doc } : { ok: false, message: p ? p.message : `there is no preset "${step.preset}".` }, source);
  } else return false;
  if (ok) useEditor.getState().setMode('learner'); // the instructor's locks hold
  return ok;
}

/** What the goals are checked against: the editor's graph, and the runs and lab events of this lesson. */
export function goalContext(progress: LessonProgress): Omit<GoalContext, 'doc' | 'analysis'> {
  return { runs: progress.runs, labs: progress.labs };
}

// Finished training runs (dataset, epochs, test accuracy) are recorded for lesson goals. An epoch's
// numbers can arrive just after the run's result, so the latest run's epoch count follows them.
let lastRunOpen = false;
useTraining.subscribe((s, prev) => {
  if (s.phase === 'done' && prev.phase !== 'done' && s.result) {
    // The whole graph's settings (while a block is open, the editor's doc is the block's inside).
    useLabEvents.getState().recordRun({ dataset: graphDatasetName(rootDoc()), epochs: s.epochs.length, testAccuracy: s.result.accuracy });
    lastRunOpen = true;
  } else if (s.phase !== 'done') lastRunOpen = false;
  else if (lastRunOpen && s.epochs !== prev.epochs) useLabEvents.getState().updateLastRun({ epochs: s.epochs.length });
});

/** True when a file's text declares the lesson format (it is then read as a lesson, not a graph). */
export function looksLikeLesson(text: string): boolean {
  if (!text.includes('"layerlab-lesson"')) return false;
  try {
    const json: unknown = JSON.parse(text);
    return !!json && typeof json === 'object' && (json as { format?: unknown }).format === 'layerlab-lesson';
  } catch {
    return false; // not JSON: the graph reader says so
  }
}

/** Opens a lesson file the learner chose or dropped; a bad one gives a clear message and changes nothing. */
export function openLessonText(text: string, name: string): boolean {
  const parsed = parseLessonText(text);
  if (!parsed.ok) {
    useEditor.getState().setLoadError(`${name}: ${parsed.message}`);
    return false;
  }
  useEditor.getState().setLoadError(null);
  openLesson(parsed.lesson);
  useEditor.getState().notify('info', `Opened the lesson “${parsed.lesson.title}”`);
  return true;
}
