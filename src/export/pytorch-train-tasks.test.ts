/**
 * The generated train.py of segmentation and detection graphs (pytorch-train-tasks.ts):
 *
 * 1. Its losses, target encoding, decoding and scores give LayerLab's numbers: the same random
 *    tensors through src/tasks/losses.ts (tfjs, CPU backend) and through the functions of the
 *    generated script (Debian's PyTorch), within 1e-5; the targets of the same random boxes
 *    equal encodeDetectionTargets'; mAP@0.5 and mean IoU of random outputs equal
 *    evaluateDetections' and SegmentationAccumulator's.
 * 2. It really trains the U-Net mini and detector mini presets on small folders written from
 *    LayerLab's own synthetic sets (PNG images, PNG masks, YOLO label files): the loss falls and
 *    the per-epoch scores are printed; detection also as two gloo processes (as torchrun starts them).
 */
import * as tf from '@tensorflow/tfjs';
import { encode as encodePng } from 'fast-png';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPreset } from '../../fixtures/presets';
import type { GraphDoc } from '../graph/types';
import { decodeDetections, encodeDetectionTargets, type PixelBox } from '../tasks/detection';
import { detectionLoss, segmentationLoss } from '../tasks/losses';
import { evaluateDetections, SegmentationAccumulator } from '../tasks/metrics';
import { maskOfOutput, maskTargets } from '../tasks/segmentation';
import { mulberry32 } from '../training/data/rng';
import { syntheticTaskData } from '../training/data/synthetic';
import { compileGraph } from '../compiler/compile';
import { freePort, namedWeights, pythonWith, randomValues, runPython, titleFor } from './python-testing';
import { pytorchFiles } from './pytorch';

/** Python, as every test here runs it (90 s at most). */
const run = (args: string[], cwd: string, timeoutMs = 90_000, env: Record<string, string> = {}) => runPython(args, cwd, { env, timeoutMs });

const steps = (out: string) => [...out.matchAll(/^step (\d+) loss ([0-9.eE+-]+)$/gm)].map((m) => Number(m[2]));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The export (model.py, train.py, weights) of a graph into a new folder. */
function exportTo(root: string, name: string, doc: GraphDoc): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const { model } = compileGraph(doc);
  for (const f of pytorchFiles(doc, namedWeights(model))) writeFileSync(join(dir, f.name), f.data);
  model.dispose();
  return dir;
}

/** 8-bit grey PNG of floats 0–1 or of bytes. */
const greyPng = (w: number, h: number, data: Uint8Array) => encodePng({ width: w, height: h, data, channels: 1, depth: 8 });
const toBytes = (f: Float32Array) => Uint8Array.from(f, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));

const PY = pythonWith(['torch', 'numpy', 'PIL']);
let root = '';

describe.skipIf(!PY.ok)(titleFor('train.py for segmentation and detection', PY), () => {
  let segDir = '';
  let detDir = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'layerlab-tasks-'));
    segDir = exportTo(root, 'unet', loadPreset('unet-mini'));
    detDir = exportTo(root, 'detector', loadPreset('detector-mini'));
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('computes the losses of src/tasks/losses.ts, and encodes, decodes and scores as LayerLab', async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    const rand = mulberry32(99);
    const cases: Record<string, unknown>[] = [];
    const want: number[] = [];

    // Segmentation: softmax over 5 channels and one sigmoid channel, with and without Dice.
    const [n, h, w] = [3, 6, 5];
    for (const channels of [5, 1]) {
      const classes = channels === 1 ? 2 : channels;
      const masks = Uint8Array.from({ length: n * h * w }, () => Math.floor(rand() * classes));
      const logits = tf.tensor4d(randomValues(n * h * w * channels, 11 + channels, -4, 4), [n, h, w, channels]);
      // Some probabilities beyond the clipping on purpose: the clipped log must match too.
      const probs = channels === 1 ? tf.sigmoid(tf.mul(logits, 4)) : tf.softmax(tf.mul(logits, 3));
      const yTrue = tf.tensor4d(maskTargets(masks, n, h * w, channels), [n, h, w, channels]);
      const p = (await probs.data()) as Float32Array;
      for (const dice of [false, true]) {
        const loss = segmentationLoss(tf, channels, dice)(yTrue, probs);
        want.push((await loss.data())[0]!);
        cases.push({ kind: 'segmentation', shape: [n, h, w, channels], probabilities: Array.from(p), masks: Array.from(masks), dice });
        loss.dispose();
      }
      // Scores: the same outputs as masks through SegmentationAccumulator.
      const acc = new SegmentationAccumulator(classes);
      for (let i = 0; i < n; i++) acc.add(maskOfOutput(p.subarray(i * h * w * channels, (i + 1) * h * w * channels), h * w, channels), masks.subarray(i * h * w, (i + 1) * h * w));
      const r = acc.result();
      want.push(r.meanIoU, r.pixelAccuracy);
      cases.push({ kind: 'segmentation-scores', shape: [n, h, w, channels], probabilities: Array.from(p), masks: Array.from(masks), classes });
      tf.dispose([logits, probs, yTrue]);
    }

    // Detection: random boxes (several sharing a cell) through both encoders, the loss of random
    // scores, and decode + mAP of outputs nudged towards the truth.
    const grid = { rows: 4, cols: 5, classes: 3 };
    const [imageH, imageW] = [32, 40];
    const ch = 5 + grid.classes;
    const boxes: PixelBox[][] = Array.from({ length: 6 }, (_, i) =>
      Array.from({ length: i % 3 === 0 ? 0 : 2 + Math.floor(rand() * 5) }, () => {
        const bw = 2 + rand() * 20;
        const bh = 2 + rand() * 16;
        return { cls: Math.floor(rand() * grid.classes), x: rand() * (imageW - bw), y: rand() * (imageH - bh), w: bw, h: bh };
      }),
    );
    const { targets, lost } = encodeDetectionTargets(boxes, grid, imageH, imageW);
    expect(lost).toBeGreaterThan(0); // the "larger box keeps the cell" rule is exercised
    const count = boxes.length;
    const raw = randomValues(count * grid.rows * grid.cols * ch, 5, -3, 3);
    // Outputs close to the targets (logits of the target values, plus noise) so that mAP is neither 0 nor 1.
    const logit = (v: number) => Math.log(Math.min(0.98, Math.max(0.02, v)) / (1 - Math.min(0.98, Math.max(0.02, v))));
    const near = raw.map((v, i) => (i % ch >= 5 ? 3 * targets[i]! + v : logit(targets[i]!) + 0.8 * v));
    for (const output of [raw, near]) {
      const loss = detectionLoss(tf, grid.classes)(tf.tensor4d(targets, [count, grid.rows, grid.cols, ch]), tf.tensor4d(output, [count, grid.rows, grid.cols, ch]));
      want.push((await loss.data())[0]!);
      const per = output.length / count;
      const images = boxes.map((list, i) => ({
        detections: decodeDetections(output.subarray(i * per, (i + 1) * per), grid, imageW, imageH, { scoreThreshold: 0.01, iou: 0.5 }),
        truths: list.map((b) => ({ class: b.cls, x: b.x, y: b.y, w: b.w, h: b.h })),
      }));
      const r = evaluateDetections(images, grid.classes, 0.5);
      want.push(r.mAP, images.reduce((s, im) => s + im.detections.length, 0));
      cases.push({ kind: 'detection', shape: [count, grid.rows, grid.cols, ch], outputs: Array.from(output), boxes: boxes.map((l) => l.map((b) => [b.cls, b.x, b.y, b.w, b.h])), imageH, imageW, targets: Array.from(targets) });
      tf.disposeVariables();
    }
    expect(want.filter((v) => v > 0 && v < 1).length, 'scores strictly between 0 and 1 make a sharper check').toBeGreaterThan(3);

    const runner = `
import importlib.util, json, sys, torch, numpy as np

def load(folder):
    sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location('train_' + folder.replace('/', '_'), folder + '/train.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.path.pop(0)
    sys.modules.pop('model', None)
    return module

seg, det = load(sys.argv[2]), load(sys.argv[3])
out = []
for case in json.load(open(sys.argv[1])):
    n, h, w, c = case['shape']
    if case['kind'] == 'segmentation':
        p = torch.tensor(case['probabilities'], dtype=torch.float32).reshape(n, h, w, c).permute(0, 3, 1, 2)
        masks = torch.tensor(case['masks'], dtype=torch.int64).reshape(n, h, w)
        out.append(seg.segmentation_loss(p, masks, case['dice']).item())
    elif case['kind'] == 'segmentation-scores':
        p = np.array(case['probabilities'], dtype=np.float32).reshape(n, h, w, c)
        masks = np.array(case['masks']).reshape(n, h, w)
        confusion = sum(seg.confusion_matrix(seg.mask_of_output(o), t, case['classes']) for o, t in zip(p, masks))
        mean_iou, _, accuracy = seg.segmentation_scores(confusion)
        out += [mean_iou, accuracy]
    else:
        boxes = [[tuple(b) for b in image] for image in case['boxes']]
        targets = det.encode_detection_targets(boxes, h, w, c - 5, case['imageH'], case['imageW'])
        if not np.array_equal(targets.ravel(), np.array(case['targets'], dtype=np.float32)):
            raise SystemExit('encode_detection_targets differs from encodeDetectionTargets')
        outputs = np.array(case['outputs'], dtype=np.float32).reshape(n, h, w, c)
        loss = det.detection_loss(torch.from_numpy(outputs).permute(0, 3, 1, 2), torch.from_numpy(targets).permute(0, 3, 1, 2))
        detections = [det.decode_detections(o, case['imageW'], case['imageH'], 0.01, 0.5) for o in outputs]
        mean_ap, _ = det.evaluate_detections(detections, boxes, c - 5, 0.5)
        out += [loss.item(), mean_ap, sum(len(d) for d in detections)]
print(json.dumps(out))
`;
    writeFileSync(join(root, 'cases.json'), JSON.stringify(cases));
    writeFileSync(join(root, 'runner.py'), runner);
    const r = await run([join(root, 'runner.py'), join(root, 'cases.json'), segDir, detDir], root);
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as number[];
    expect(got).toHaveLength(want.length);
    got.forEach((g, i) => expect(Math.abs(g - want[i]!), `value ${i}: python ${g}, LayerLab ${want[i]}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i]!))));
  }, 60_000);

  it('trains U-Net mini on a folder of images and PNG masks, and prints mean IoU and pixel accuracy', async () => {
    const d = await syntheticTaskData('shapes-masks', { count: 120, testCount: 1, seed: 3 });
    const [h, w] = d.shape;
    const data = join(root, 'masks-data');
    mkdirSync(join(data, 'images', 'part'), { recursive: true });
    mkdirSync(join(data, 'masks', 'part'), { recursive: true });
    for (let i = 0; i < d.train.count; i++) {
      const sub = i % 2 ? 'part/' : '';
      writeFileSync(join(data, 'images', `${sub}s${i}.png`), greyPng(w, h, toBytes(d.train.images.subarray(i * h * w, (i + 1) * h * w) as Float32Array)));
      writeFileSync(join(data, 'masks', `${sub}s${i}.png`), greyPng(w, h, d.train.masks!.slice(i * h * w, (i + 1) * h * w)));
    }
    writeFileSync(join(data, 'images', 'lonely.png'), greyPng(w, h, new Uint8Array(h * w)));
    writeFileSync(join(data, 'classes.txt'), d.classes.join('\n'));
    const r = await run(['train.py', '--data', data, '--epochs', '3', '--batch-size', '16', '--log-every', '1', '--validation-split', '0.2', '--segmentation-loss', 'cross-entropy+dice'], segDir);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/skipped .*lonely\.png: it has no mask/);
    expect(r.stdout).toContain(`classes: ${d.classes.join(', ')}`);
    expect(r.stdout).toMatch(/training on 96 images \(24 held out\) for 3 epochs/);
    const losses = steps(r.stdout);
    expect(losses).toHaveLength(18);
    const [first, last] = [mean(losses.slice(0, 3)), mean(losses.slice(-3))];
    console.log(`segmentation train.py: loss ${first.toFixed(3)} → ${last.toFixed(3)}\n${r.stdout.split('\n').filter((l) => /^(epoch|held-out)/.test(l)).join('\n')}`);
    expect(last).toBeLessThan(first * 0.8);
    const epochs = [...r.stdout.matchAll(/^epoch (\d) loss ([0-9.]+) pixel_accuracy ([0-9.]+) val_loss ([0-9.]+) val_mean_iou ([0-9.]+) val_pixel_accuracy ([0-9.]+)/gm)];
    expect(epochs.map((m) => Number(m[1]))).toEqual([1, 2, 3]);
    for (const m of epochs) for (const v of [m[3], m[5], m[6]]) expect(Number(v)).toBeGreaterThanOrEqual(0), expect(Number(v)).toBeLessThanOrEqual(1);
    // Most pixels are background: after 3 epochs the pixel accuracy is well above chance (1/5).
    expect(Number(epochs[2]![6])).toBeGreaterThan(0.6);
    expect(r.stdout).toMatch(/^held-out IoU per class: background [0-9.]+, /m);
  }, 90_000);

  /** A YOLO folder written from LayerLab's shapes-boxes set (made once). */
  let yolo: string | null = null;
  async function yoloFolder(): Promise<string> {
    if (yolo) return yolo;
    const d = await syntheticTaskData('shapes-boxes', { count: 160, testCount: 1, seed: 4 });
    const [h, w] = d.shape;
    const data = join(root, 'yolo-data');
    mkdirSync(join(data, 'images'), { recursive: true });
    mkdirSync(join(data, 'labels'), { recursive: true });
    for (let i = 0; i < d.train.count; i++) {
      writeFileSync(join(data, 'images', `b${i}.png`), greyPng(w, h, toBytes(d.train.images.subarray(i * h * w, (i + 1) * h * w) as Float32Array)));
      if (i === 7) continue; // an image without a label file: no objects
      const lines = d.train.boxes![i]!.map((b) => `${b.cls} ${(b.x + b.w / 2) / w} ${(b.y + b.h / 2) / h} ${b.w / w} ${b.h / h}`);
      if (i === 3) lines.push('1 0.5 0.5 40 12'); // pixels instead of fractions
      writeFileSync(join(data, 'labels', `b${i}.txt`), lines.join('\n'));
    }
    writeFileSync(join(data, 'classes.txt'), d.classes.join('\n'));
    return (yolo = data);
  }

  it('trains detector mini on a YOLO folder and prints mAP@0.5', async () => {
    const data = await yoloFolder();
    const r = await run(['train.py', '--data', data, '--epochs', '4', '--batch-size', '16', '--log-every', '1', '--validation-split', '0.2', '--lr', '0.003'], detDir);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/skipped .*b3\.txt line \d+: positions and sizes must be fractions/);
    expect(r.stdout).toMatch(/training on 128 images \(32 held out\) for 4 epochs/);
    const losses = steps(r.stdout);
    expect(losses).toHaveLength(32);
    const [first, last] = [mean(losses.slice(0, 3)), mean(losses.slice(-3))];
    console.log(`detection train.py: loss ${first.toFixed(3)} → ${last.toFixed(3)}\n${r.stdout.split('\n').filter((l) => /^(epoch|held-out)/.test(l)).join('\n')}`);
    expect(last).toBeLessThan(first * 0.7);
    const epochs = [...r.stdout.matchAll(/^epoch (\d) loss ([0-9.]+) val_loss ([0-9.]+) val_map50 ([0-9.]+|nan)/gm)];
    expect(epochs.map((m) => Number(m[1]))).toEqual([1, 2, 3, 4]);
    for (const m of epochs) expect(Number(m[4])).toBeGreaterThanOrEqual(0), expect(Number(m[4])).toBeLessThanOrEqual(1);
    expect(r.stdout).toMatch(/^held-out AP at IoU 0\.5 per class: /m);
  }, 90_000);

  it('trains detector mini as two DistributedDataParallel processes (gloo), started as torchrun starts them', async () => {
    const data = await yoloFolder();
    const port = await freePort();
    const args = ['train.py', '--data', data, '--epochs', '1', '--batch-size', '16', '--log-every', '1', '--validation-split', '0.2', '--out', 'ddp.safetensors'];
    const env = (rank: number) => ({ MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), WORLD_SIZE: '2', RANK: String(rank), LOCAL_RANK: String(rank), LOCAL_WORLD_SIZE: '2' });
    const [r0, r1] = await Promise.all([run(args, detDir, 90_000, env(0)), run(args, detDir, 90_000, env(1))]);
    expect(r0.code, `rank 0:\n${r0.stdout}\n${r0.stderr}`).toBe(0);
    expect(r1.code, `rank 1:\n${r1.stdout}\n${r1.stderr}`).toBe(0);
    expect(r0.stdout).toMatch(/2 process\(es\) on cpu, batch 16/);
    // 128 training images, 64 per process, 8 per process and step: 8 steps.
    expect(steps(r0.stdout)).toHaveLength(8);
    expect(r0.stdout).toMatch(/^epoch 1 loss [0-9.]+ val_loss [0-9.]+ val_map50 [0-9.]+/m);
    expect(r1.stdout.trim().split('\n').filter((l) => /^(step|epoch|saved)/.test(l))).toEqual([]); // only rank 0 reports
  }, 120_000);

  it('says what is wrong when the folder or the network does not fit', async () => {
    const none = await run(['train.py', '--epochs', '1'], segDir);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/Pass --data DIR: a folder with images\/ and masks\//);
    const data = join(root, 'wrong-classes');
    mkdirSync(join(data, 'images'), { recursive: true });
    mkdirSync(join(data, 'labels'), { recursive: true });
    writeFileSync(join(data, 'classes.txt'), 'cat\ndog\n');
    writeFileSync(join(data, 'images', 'a.png'), greyPng(32, 32, new Uint8Array(32 * 32)));
    const wrong = await run(['train.py', '--data', data, '--epochs', '1'], detDir);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/classes.txt names 2 classes but the network's grid has 4 class scores per cell/);
  }, 60_000);
});
