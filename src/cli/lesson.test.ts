/**
 * `layerlab lesson check`, run in-process: goal lines, the JSON object, exit statuses, --step, the
 * same messages as `inspect` for unreadable graphs, and --model with a small model trained here by
 * `layerlab train`, its accuracy compared with an independent tfjs evaluation of the saved files.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_GRAPHS } from '../../fixtures/bad-graphs';
import { loadMnist } from '../training/data/mnist';
import { nodeMnistReader } from '../training/data/node-readers';
import { loadSavedModel, runCli as run } from './testing';

const root = join(__dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'layerlab-lesson-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const lenet = join(root, 'presets', 'lenet5.json');

function writeLesson(name: string, steps: unknown[]): string {
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify({ format: 'layerlab-lesson', version: 1, id: name, title: `Lesson ${name}`, summary: 'A test lesson.', steps }));
  return file;
}

const lesson = writeLesson('cnn', [
  {
    id: 'build',
    title: 'Build it',
    text: 'Build a **CNN**.',
    preset: 'lenet5',
    goals: [
      { kind: 'noErrors' },
      { kind: 'nodeType', type: 'conv2d', min: 2 },
      { kind: 'outputShape', shape: [10] },
      { kind: 'skipConnection' },
      { kind: 'lab', event: 'sweep', transform: 'rotation' },
      { kind: 'kernel', behaviour: 'blur' },
    ],
  },
  { id: 'train', title: 'Train it', text: 'Train.', goals: [{ kind: 'testAccuracy', min: 0.5, dataset: 'mnist', maxEpochs: 1 }] },
]);

describe('layerlab lesson check', () => {
  it('prints one line per goal and a summary; an unmet goal exits 1', async () => {
    const r = await run('lesson', 'check', lesson, lenet);
    expect(r.code, r.err).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`Lesson cnn (${lesson}) against LeNet-5 (${lenet})`);
    expect(r.out).toMatch(/^Step 1: Build it$/m);
    expect(r.out).toMatch(/^ {2}✓ Fix every error so the network can be built: The network has no errors\.$/m);
    expect(r.out).toMatch(/^ {2}✓ Use at least 2 .+ nodes: 2 .+ nodes: c1, c3\.$/m);
    expect(r.out).toMatch(/^ {2}✓ Make the output 10: The output "output" is 10\.$/m);
    expect(r.out).toMatch(/^ {2}✗ Add a skip connection .*: The graph has no Add node\.$/m);
    expect(r.out).toMatch(/^ {2}\? Run an invariance sweep \(rotation\): Labs run in the app/m);
    expect(r.out).toMatch(/^ {2}\? Build a blur kernel in the kernel lab: Labs run in the app/m);
    expect(r.out).toMatch(/^Step 2: Train it$/m);
    expect(r.out).toMatch(/^ {2}\? Reach 50% test accuracy on MNIST digits within 1 epoch: Pass --model DIR/m);
    expect(lines.at(-2)).toBe('3 met, 1 unmet, 3 unchecked');
  });

  it('--json prints the documented object', async () => {
    const r = await run('lesson', 'check', lesson, lenet, '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['ok', 'lesson', 'steps', 'met', 'unmet', 'unchecked']);
    expect(j).toMatchObject({ ok: false, lesson: 'cnn', met: 3, unmet: 1, unchecked: 3 });
    expect(j.steps.map((s: { id: string; title: string }) => [s.id, s.title])).toEqual([
      ['build', 'Build it'],
      ['train', 'Train it'],
    ]);
    for (const s of j.steps) for (const g of s.goals) expect(Object.keys(g)).toEqual(['state', 'label', 'detail']);
    expect(j.steps[0].goals.map((g: { state: string }) => g.state)).toEqual(['met', 'met', 'met', 'unmet', 'unchecked', 'unchecked']);
  });

  it('exits 0 when no goal is unmet (ResNet-mini has its skip), with --step by number and by id', async () => {
    const resnet = join(root, 'presets', 'resnet-mini.json');
    const all = await run('lesson', 'check', lesson, resnet, '--json');
    expect(all.code).toBe(0);
    expect(JSON.parse(all.out)).toMatchObject({ ok: true, met: 4, unmet: 0 });
    const byNumber = await run('lesson', 'check', lesson, lenet, '--step', '2', '--json');
    expect(byNumber.code).toBe(0);
    expect(JSON.parse(byNumber.out).steps.map((s: { id: string }) => s.id)).toEqual(['train']);
    const byId = await run('lesson', 'check', lesson, lenet, '--step', 'build');
    expect(byId.code).toBe(1);
    expect(byId.out).not.toMatch(/Step 2/);
    // A preset name works as GRAPH, as for inspect.
    expect((await run('lesson', 'check', lesson, 'resnet-mini')).code).toBe(0);
  });

  it('unreadable lessons, graphs and bad arguments exit 2 with a message', async () => {
    const missing = await run('lesson', 'check', join(tmp, 'nope.json'), lenet);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/Cannot read .*nope\.json: no such file\./);
    const invalid = writeLesson('bad', [{ id: 'x', title: 'X', text: '', goals: [{ kind: 'magic' }] }]);
    const r = await run('lesson', 'check', invalid, lenet, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toEqual({ ok: false, error: expect.stringMatching(/step 1 \("x"\), goals\[0\]\.kind: "magic" is not a goal kind/) });
    const badPreset = writeLesson('preset', [{ id: 'x', title: 'X', text: '', preset: 'alexnet', goals: [] }]);
    expect((await run('lesson', 'check', badPreset, lenet)).err).toMatch(/there is no preset "alexnet" \(known: .*lenet5/);
    const step = await run('lesson', 'check', lesson, lenet, '--step', '3');
    expect(step.code).toBe(2);
    expect(step.err).toMatch(/--step "3": the lesson has steps 1 to 2 \(build, train\)/);
    expect((await run('lesson', 'check', lesson)).code).toBe(2);
    expect((await run('lesson', 'grade', lesson, lenet)).err).toMatch(/lesson takes `check LESSON GRAPH`/);
    expect((await run('--help')).out).toMatch(/lesson check LESSON GRAPH \[--step N\|ID\] \[--model DIR\] \[--json\]/);
    const noModel = await run('lesson', 'check', lesson, lenet, '--model', join(tmp, 'no-model'));
    expect(noModel.code).toBe(2);
    expect(noModel.err).toMatch(/no-model: no such file or folder/);
    // Also when no goal of the step needs the model.
    expect((await run('lesson', 'check', lesson, lenet, '--step', '1', '--model', join(tmp, 'no-model'))).code).toBe(2);
  });

  it.each(BAD_GRAPHS.filter((b) => b.exit === 2).map((b) => [b.name, b] as const))('unreadable graph %s: the same message and status as inspect', async (_name, bad) => {
    const file = join(tmp, `${bad.name.replace(/\W+/g, '_')}.json`);
    writeFileSync(file, bad.text());
    const inspect = await run('inspect', file);
    const r = await run('lesson', 'check', lesson, file);
    expect(r.code).toBe(2);
    expect(r.err).toBe(inspect.err);
    expect(r.err).toMatch(bad.message);
  });
});

describe('layerlab lesson check --model', () => {
  const modelDir = join(tmp, 'mlp-model');
  let accuracy = 0;

  beforeAll(async () => {
    // The MLP preset on 3,000 MNIST images for one epoch: well above chance, in seconds.
    const r = await run('train', join(root, 'presets', 'mlp.json'), '--backend', 'wasm', '--epochs', '1', '--limit', '3000', '--out', modelDir);
    expect(r.code, r.err).toBe(0);
    // Independently: the saved files loaded by tfjs itself, on all 10,000 MNIST test images.
    await tf.setBackend('cpu');
    const model = await loadSavedModel(modelDir);
    const mnist = await loadMnist(nodeMnistReader());
    const n = mnist.test.count;
    accuracy = tf.tidy(() => {
      const pred = (model.predict(tf.tensor4d(mnist.test.images as Float32Array, [n, 28, 28, 1])) as tf.Tensor).argMax(1).dataSync();
      return Array.from(pred).reduce((c, p, i) => c + (p === mnist.test.labels[i] ? 1 : 0), 0) / n;
    });
    model.dispose();
  }, 300_000);

  it('checks test accuracy goals on the model: one met, one unmet; the lab goal stays unchecked', async () => {
    expect(accuracy).toBeGreaterThan(0.5); // it did learn something
    const below = Math.floor(accuracy * 100 - 1) / 100;
    const above = Math.min(1, Math.ceil(accuracy * 100 + 1) / 100);
    const file = writeLesson('graded', [
      {
        id: 'train',
        title: 'Train',
        text: '',
        goals: [
          { kind: 'testAccuracy', min: below, dataset: 'mnist', maxEpochs: 1 },
          { kind: 'testAccuracy', min: above, dataset: 'mnist' },
          { kind: 'lab', event: 'explain' },
        ],
      },
      { id: 'fast', title: 'Fast', text: '', goals: [{ kind: 'noErrors' }, { kind: 'testAccuracy', min: below, dataset: 'mnist', maxEpochs: 1 }] },
    ]);
    const r = await run('lesson', 'check', file, join(root, 'presets', 'mlp.json'), '--model', modelDir, '--json');
    expect(r.code, r.err).toBe(1);
    const j = JSON.parse(r.out);
    const [met, unmet, lab] = j.steps[0].goals;
    const pct = `${Math.round(accuracy * 1000) / 10}%`;
    expect(met).toMatchObject({ state: 'met', detail: `${pct} test accuracy after 1 epoch.` });
    expect(unmet).toMatchObject({ state: 'unmet', detail: `Best so far: ${pct} test accuracy after 1 epoch.` });
    expect(lab.state).toBe('unchecked');
    expect(j).toMatchObject({ ok: false, met: 3, unmet: 1, unchecked: 1 });
    expect(r.err).toMatch(/evaluating .* on the 10,000 mnist test images/);
    // The model's own graph is the MLP: checking it against LeNet-5 says so.
    const other = await run('lesson', 'check', file, lenet, '--model', modelDir, '--step', 'fast');
    expect(other.code).toBe(0);
    expect(other.err).toMatch(/note: the model in .* was trained from a graph with other nodes or wires/);
  }, 300_000);
});
