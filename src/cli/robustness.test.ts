/**
 * `layerlab robustness`, run in-process on a small model trained here by `layerlab train --limit`:
 * its JSON accuracies against an independent evaluation of the saved files with tfjs, its table,
 * and its exit status 2 with a message for bad arguments and files.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleTransform, transformImage } from '../labs/transforms';
import { loadMnist } from '../training/data/mnist';
import { nodeMnistReader } from '../training/data/node-readers';
import { runCli, loadSavedModel } from './testing';

const root = join(__dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'layerlab-robustness-'));
const modelDir = join(tmp, 'lenet');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = runCli;

const loadSaved = loadSavedModel;

beforeAll(async () => {
  // LeNet-5 on 2,400 MNIST images for one epoch: well above chance, in seconds.
  const r = await run('train', join(root, 'presets', 'lenet5.json'), '--backend', 'wasm', '--epochs', '1', '--limit', '2400', '--out', modelDir);
  expect(r.code, r.err).toBe(0);
}, 300_000);

describe('layerlab robustness', () => {
  it('prints a table and, with --json, the documented last line; accuracies match an independent tfjs evaluation', async () => {
    const r = await run('robustness', modelDir, '--transform', 'rotate', '--values', '0,90,-45', '--limit', '300', '--json');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    const last = JSON.parse(lines.at(-1)!);
    expect(Object.keys(last)).toEqual(['transform', 'points']);
    expect(last.transform).toBe('rotate');
    expect(last.points.map((p: { value: number }) => p.value)).toEqual([0, 90, -45]);
    for (const p of last.points) expect(Object.keys(p)).toEqual(['value', 'accuracy']);
    // The readable table: a header and one row per value, as percentages.
    expect(lines[0]).toMatch(/rotate \(°\)\s+accuracy/);
    expect(lines[1]).toMatch(new RegExp(`^\\s*0\\s+${(last.points[0].accuracy * 100).toFixed(2)}%$`));
    expect(lines[2]).toMatch(/^\s*90\s+\d+\.\d\d%$/);
    expect(r.err).toMatch(/first 300 mnist test images \(of 10,000\)/);

    // Independently: the saved files loaded by tfjs itself, the first 300 MNIST test images.
    await tf.setBackend('cpu');
    const model = await loadSaved(modelDir);
    const mnist = await loadMnist(nodeMnistReader(), { limit: { train: 1, test: 300 } });
    const accuracy = (images: Float32Array) =>
      tf.tidy(() => {
        const pred = (model.predict(tf.tensor4d(images, [300, 28, 28, 1])) as tf.Tensor).argMax(1).dataSync();
        return Array.from(pred).reduce((c, p, i) => c + (p === mnist.test.labels[i] ? 1 : 0), 0) / 300;
      });
    const plain = accuracy(mnist.test.images as Float32Array);
    expect(last.points[0].accuracy).toBeCloseTo(plain, 10);
    expect(plain).toBeGreaterThan(0.6); // it did learn something
    // Rotated by 90°, image by image with the shared transform: the same accuracy, and much lower.
    const rotated = new Float32Array(300 * 784);
    for (let i = 0; i < 300; i++) rotated.set(transformImage((mnist.test.images as Float32Array).subarray(i * 784, (i + 1) * 784), [28, 28, 1], singleTransform('rotate', 90)), i * 784);
    expect(last.points[1].accuracy).toBeCloseTo(accuracy(rotated), 10);
    expect(last.points[1].accuracy).toBeLessThan(plain - 0.3);
    model.dispose();
  }, 300_000);

  it('every transform runs; negative values through --values=… and --values …; identity values agree', async () => {
    const shift = await run('robustness', modelDir, '--transform', 'shift-x', '--values=-4,0,4', '--limit', '100', '--json');
    expect(shift.code, shift.err).toBe(0);
    const s = JSON.parse(shift.out.trim().split('\n').at(-1)!);
    const spaced = await run('robustness', modelDir, '--transform', 'shift-x', '--values', '-4,0,4', '--limit', '100', '--json');
    expect(spaced.code, spaced.err).toBe(0);
    expect(JSON.parse(spaced.out.trim().split('\n').at(-1)!)).toEqual(s);
    const bright = await run('robustness', modelDir, '--transform', 'brightness', '--values', '1,0', '--limit', '100', '--json');
    const b = JSON.parse(bright.out.trim().split('\n').at(-1)!);
    const scale = await run('robustness', modelDir, '--transform', 'scale', '--values', '1', '--limit', '100', '--json');
    const sc = JSON.parse(scale.out.trim().split('\n').at(-1)!);
    // Shift 0, brightness 1 and scale 1 are the identity: the same accuracy on the same images.
    expect(s.points[1].accuracy).toBe(b.points[0].accuracy);
    expect(sc.points[0].accuracy).toBe(b.points[0].accuracy);
    // A black image is one class for every image: at most the share of that class.
    expect(b.points[1].accuracy).toBeLessThan(0.3);
    // Without --json: the table only.
    const table = await run('robustness', modelDir, '--transform', 'shift-y', '--values', '2', '--limit', '50');
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^shift-y \(px\)\s+accuracy\n\s*2\s+\d+\.\d\d%\n$/);
  }, 300_000);

  it('bad arguments and files exit 2 with a message', async () => {
    const cases: [string[], RegExp][] = [
      [['robustness'], /takes one MODEL_DIR/],
      [['robustness', modelDir, '--values', '0,1'], /--transform is required/],
      [['robustness', modelDir, '--transform', 'zoom', '--values', '1'], /--transform must be one of shift-x, shift-y, rotate, scale, brightness, not "zoom"/],
      [['robustness', modelDir, '--transform', 'rotate'], /--values is required/],
      [['robustness', modelDir, '--transform', 'rotate', '--values', '0,ten'], /"ten" is not a number/],
      [['robustness', modelDir, '--transform', 'rotate', '--values', '0,,5'], /not a number/],
      [['robustness', modelDir, '--transform', 'scale', '--values', '1,0'], /scale must be more than 0/],
      [['robustness', modelDir, '--transform', 'rotate', '--values', '0', '--limit', '0'], /--limit must be a whole number/],
      [['robustness', modelDir, '--transform', 'rotate', '--values', '0', '--dataset', 'cifar'], /--dataset must be one of mnist, fashion-mnist, shapes/],
      // LeNet-5 ends in 10 classes; the shapes have 4.
      [['robustness', modelDir, '--transform', 'rotate', '--values', '0', '--dataset', 'shapes'], /the dataset has 4 classes/],
      [['robustness', join(tmp, 'nope'), '--transform', 'rotate', '--values', '0'], /nope/],
    ];
    for (const [args, message] of cases) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
      expect(r.out).toBe('');
    }
  }, 300_000);
});
