/**
 * The open lesson against the real editor and training stores: a finished training run and a lab
 * event reach the lesson's goals, a step's graph loads through the ordinary (undoable) load in
 * learner mode, and progress is kept under the lesson id.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { findPreset } from '../app/presets';
import { useEditor } from '../editor/store';
import { serializeGraph } from '../graph/serialize';
import { useTraining } from '../training/store';
import { courseEntries } from './course';
import { checkGoal } from './goals';
import { useLabEvents } from './lab-events';
import { closeLesson, goToStep, loadStepGraph, noteMet, openLesson, restoreOpenLesson, useLesson } from './session';
import type { Lesson } from './types';

/** A Map-backed localStorage (the test environment has none). */
class MemoryStorage {
  data = new Map<string, string>();
  getItem = (k: string) => this.data.get(k) ?? null;
  setItem = (k: string, v: string) => void this.data.set(k, String(v));
  removeItem = (k: string) => void this.data.delete(k);
}
const storage = new MemoryStorage();
(globalThis as unknown as { localStorage: MemoryStorage }).localStorage = storage;

const course = (id: string): Lesson => {
  const c = courseEntries().find((x) => x.id === id);
  if (!c?.ok) throw new Error(id);
  return c.lesson;
};

const ctx = () => {
  const { doc, analysis } = useEditor.getState();
  const { runs, labs } = useLesson.getState().progress;
  return { doc, analysis, runs, labs };
};

beforeEach(() => {
  closeLesson();
  storage.data.clear();
  useLabEvents.setState({ events: [], runs: [] });
  useTraining.setState({ phase: 'idle', result: null, epochs: [] });
  const lenet = findPreset('lenet5');
  if (!lenet?.ok) throw new Error('no LeNet-5');
  useEditor.getState().restore(lenet.doc, [], []);
});

describe('the open lesson', () => {
  it('opens on its first step, loading its graph undoably and in learner mode; the learner’s graph is one undo away', () => {
    const before = useEditor.getState().doc;
    const lesson = course('dense-mnist');
    openLesson(lesson, { course: lesson.id });
    const { doc, past, mode } = useEditor.getState();
    expect(serializeGraph(doc)).toBe(serializeGraph(lesson.steps[0]!.graph!));
    expect(past[past.length - 1]!.doc).toBe(before);
    expect(mode).toBe('learner');
    useEditor.getState().undo();
    expect(useEditor.getState().doc).toBe(before);
  });

  it('records a finished training run (dataset, epochs, test accuracy) and the testAccuracy goal ticks', () => {
    const lesson = course('dense-mnist');
    openLesson(lesson, { course: lesson.id });
    goToStep(1);
    const goal = lesson.steps[1]!.goals[0]!;
    expect(checkGoal(goal, ctx()).state).toBe('unchecked');
    // What the worker client writes during a run (src/training/client.ts): training, then done with the test result.
    const epoch = { epoch: 1, loss: 0.3, accuracy: 0.9 } as unknown as ReturnType<typeof useTraining.getState>['epochs'][number];
    useTraining.setState({ phase: 'training', epochs: [], result: null });
    useTraining.setState({ epochs: [epoch] });
    useTraining.setState({ phase: 'done', result: { loss: 0.2, accuracy: 0.934, confusion: [], misclassified: [] } });
    // The last epoch's numbers may arrive just after the result: the run's epoch count follows.
    useTraining.setState({ epochs: [epoch, { ...epoch, epoch: 2 }] });
    expect(useLabEvents.getState().runs).toMatchObject([{ dataset: 'mnist', epochs: 2, testAccuracy: 0.934 }]);
    expect(checkGoal(goal, ctx())).toMatchObject({ state: 'met' });
    // A stopped run is not a finished one.
    useTraining.setState({ phase: 'training', epochs: [], result: null });
    useTraining.setState({ phase: 'stopped' });
    expect(useLabEvents.getState().runs).toHaveLength(1);
  });

  it('keeps progress under the lesson id, and a reload goes on where the learner left', () => {
    const lesson = course('pooling-translation');
    openLesson(lesson, { course: lesson.id });
    useLabEvents.getState().record({ kind: 'sweep', transform: 'shift-x' });
    noteMet(lesson.steps[0]!.id, [0, 1], false);
    noteMet(lesson.steps[0]!.id, [2, 3], true);
    goToStep(2);
    const stored = JSON.parse(storage.getItem(`layerlab:lesson-progress:${lesson.id}`)!);
    expect(stored).toMatchObject({ step: 2, completed: [lesson.steps[0]!.id], met: { [lesson.steps[0]!.id]: [0, 1, 2, 3] }, labs: [{ kind: 'sweep', transform: 'shift-x' }] });

    // "Reload": empty session stores, the graph the learner had, the lesson re-opened from storage.
    useLesson.setState({ lesson: null, course: null });
    useLabEvents.setState({ events: [], runs: [] });
    const learnerDoc = useEditor.getState().doc;
    restoreOpenLesson();
    expect(useLesson.getState().lesson?.id).toBe(lesson.id);
    expect(useLesson.getState().progress.step).toBe(2);
    expect(useEditor.getState().doc).toBe(learnerDoc); // coming back never replaces the learner's graph
    expect(checkGoal(lesson.steps[2]!.goals[0]!, ctx()).state).toBe('met');
  });

  it('loads a preset step and reports a missing preset as a load error, leaving the graph', () => {
    const lesson = course('augmentation-rotation');
    openLesson(lesson, { course: lesson.id });
    expect(useEditor.getState().doc.name).toBe('LeNet-5');
    const before = useEditor.getState().doc;
    expect(loadStepGraph({ ...lesson.steps[0]!, preset: 'no-such-preset' })).toBe(false);
    expect(useEditor.getState().doc).toBe(before);
    expect(useEditor.getState().loadError).toMatch(/no-such-preset/);
  });
});

describe('lesson files', () => {
  it('are told apart from graph files by their format, wherever the key stands', async () => {
    const { looksLikeLesson } = await import('./session');
    const lesson = course('lenet5');
    expect(looksLikeLesson(JSON.stringify(lesson))).toBe(true);
    const { format, ...rest } = lesson;
    expect(looksLikeLesson(JSON.stringify({ ...rest, format }, null, 2))).toBe(true); // format last, after the steps
    const graph = course('dense-mnist').steps[0]!.graph!;
    expect(looksLikeLesson(JSON.stringify({ ...graph, description: 'see "layerlab-lesson" files' }))).toBe(false);
    expect(looksLikeLesson('{ "format": "layerlab-lesson", ')).toBe(false); // broken JSON goes to the graph reader's message
  });
});
