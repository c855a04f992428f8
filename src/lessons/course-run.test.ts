/**
 * One built-in lesson step run end to end through scripts/check-course.ts, the code the whole-course
 * check uses (`npx tsx scripts/check-course.ts`, minutes of training, not part of npm test):
 * dense-mnist's "params" step, its solution trained by `layerlab train` for 1 epoch on 2,000 MNIST
 * images (in-process), then checked by `layerlab lesson check --model`. The verdicts are compared
 * with tfjs itself: the saved model's parameter count and output shape, and its accuracy on all
 * 10,000 MNIST test images.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCourse, checkStep, courseFiles, LESSONS_DIR, planLesson } from '../../scripts/check-course';
import { readLessonFile } from '../cli/lesson';
import { TRAINING_DEFAULTS } from '../graph/training-settings';
import { loadSavedModel, runCli } from '../cli/testing';
import { loadMnist } from '../training/data/mnist';
import { nodeMnistReader } from '../training/data/node-readers';

const tmp = mkdtempSync(join(tmpdir(), 'layerlab-course-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const cli = (args: string[]) => runCli(...args);

function lessonPlans(id: string) {
  const file = join(LESSONS_DIR, `${id}.json`);
  const read = readLessonFile(file);
  if (!read.ok) throw new Error(read.message);
  return planLesson(file, read.lesson);
}

describe('the built-in course, checked with the command line', () => {
  it('plans a graph for every step that trains, from the step or the steps before, with the epochs the goals allow', () => {
    for (const file of courseFiles()) {
      const read = readLessonFile(file);
      expect(read.ok, read.ok ? '' : read.message).toBe(true);
      if (!read.ok) continue;
      for (const plan of planLesson(file, read.lesson)) {
        const accuracyGoals = plan.step.goals.flatMap((g) => (g.kind === 'testAccuracy' ? [g] : []));
        if (!accuracyGoals.length) continue;
        expect(plan.graph, `${read.lesson.id}/${plan.step.id} has nothing to train`).not.toBeNull();
        for (const g of accuracyGoals) {
          const t = plan.trains.find((x) => x.dataset === g.dataset)!;
          expect(t.epochs).toBeLessThanOrEqual(g.maxEpochs ?? Infinity);
        }
      }
    }
    // A "train it" step with no graph of its own continues the previous step's solution.
    const dense = lessonPlans('dense-mnist');
    const train = dense.find((p) => p.step.id === 'train')!;
    expect(train.graphFrom).toBe('previous step');
    expect(train.graph).toBe(dense[train.number - 2]!.step.solution);
  });

  it('a lesson step with graph goals and a training goal: train, then lesson check --model', async () => {
    const plan = lessonPlans('dense-mnist').find((p) => p.step.id === 'params')!;
    expect(plan.graphFrom).toBe('solution');
    const row = await checkStep(plan, { cli, workDir: tmp, epochs: 1, limit: 2000 });
    expect(row.problem).toBeUndefined();
    expect(row.goals).toHaveLength(plan.step.goals.length);
    // 2,000 images, less the graph's validation split.
    const validation = Math.round(2000 * (plan.graph!.training?.validationSplit ?? TRAINING_DEFAULTS.validationSplit));
    expect(row.trains).toMatchObject([{ dataset: 'mnist', epochs: 1, trainImages: 2000 - validation, reused: false }]);
    expect(row.trains[0]!.wallSeconds).toBeGreaterThan(0);

    // Independently, with tfjs: the saved model on all 10,000 MNIST test images.
    await tf.setBackend('cpu');
    const model = await loadSavedModel(join(tmp, 'dense-mnist', 'params', 'model-mnist'));
    const mnist = await loadMnist(nodeMnistReader());
    const n = mnist.test.count;
    const accuracy = tf.tidy(() => {
      const pred = (model.predict(tf.tensor4d(mnist.test.images as Float32Array, [n, 28, 28, 1])) as tf.Tensor).argMax(1).dataSync();
      return Array.from(pred).reduce((c, p, i) => c + (p === mnist.test.labels[i] ? 1 : 0), 0) / n;
    });
    const params = model.countParams();
    const outShape = (model.outputs[0]!.shape as (number | null)[]).slice(1);
    model.dispose();
    expect(accuracy).toBeGreaterThan(0.5); // it learned something in one short epoch

    plan.step.goals.forEach((goal, i) => {
      const status = row.goals[i]!;
      if (goal.kind === 'testAccuracy') {
        expect(status.state).toBe(accuracy >= goal.min ? 'met' : 'unmet');
        expect(status.detail).toContain(`${Math.round(accuracy * 1000) / 10}% test accuracy after 1 epoch`);
      } else if (goal.kind === 'maxParams') expect(status.state).toBe(params <= goal.max ? 'met' : 'unmet');
      else if (goal.kind === 'outputShape') expect(status.state).toBe(JSON.stringify(outShape) === JSON.stringify(goal.shape) ? 'met' : 'unmet');
      else throw new Error(`the test does not know goal ${goal.kind}`);
    });
    expect(row.met + row.unmet + row.unchecked).toBe(plan.step.goals.length);
  }, 120_000);

  it('graph goals only: a lab step has no graph, a preset step is checked, the next step keeps its graph; an unreadable lesson is a row with its message', async () => {
    const file = join(tmp, 'mini.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'layerlab-lesson',
        version: 1,
        id: 'mini',
        title: 'Mini',
        summary: 'A test lesson.',
        steps: [
          { id: 'lab', title: 'Lab', text: '', goals: [{ kind: 'kernel', behaviour: 'blur' }] },
          { id: 'lenet', title: 'LeNet', text: '', preset: 'lenet5', goals: [{ kind: 'noErrors' }, { kind: 'maxParams', max: 1000 }] },
          { id: 'more', title: 'More', text: '', goals: [{ kind: 'nodeType', type: 'conv2d', min: 2 }, { kind: 'nodeType', type: 'add' }] },
        ],
      }),
    );
    const rows = await checkCourse([file, join(tmp, 'missing.json')], { cli, workDir: tmp });
    expect(rows.map((r) => [r.step, r.graphFrom, r.met, r.unmet, r.unchecked])).toEqual([
      ['lab', 'none', 0, 0, 1],
      ['lenet', 'preset', 1, 1, 0],
      ['more', 'previous step', 1, 1, 0],
      ['-', 'none', 0, 0, 0],
    ]);
    expect(rows[1]!.goals[1]!.detail).toBe('The network has 61,706 parameters.'); // LeNet-5's count, as in docs/lesson-format.md
    expect(rows.at(-1)!.problem).toMatch(/Cannot read .*missing\.json: no such file/);
  });
});
