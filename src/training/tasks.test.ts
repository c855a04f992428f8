/**
 * Training for segmentation and detection, for real (WASM): U-Net mini learns the shapes' masks
 * and Detector mini learns their boxes from a small built-in set in a couple of epochs, and the
 * scores the trainer reports are the ones the test computes itself from the model's predictions
 * (brute-force IoU per class; AP via the hand-checked evaluateDetections on decoded boxes).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPreset } from '../../fixtures/presets';
import { decodeDetections, gridOf } from '../tasks/detection';
import { evaluateDetections } from '../tasks/metrics';
import { initBackend } from './backend';
import { syntheticTaskData } from './data/synthetic';
import { compileForData, trainModel, type TrainData, type TrainSettings } from './trainer';

beforeAll(async () => {
  expect((await initBackend(['wasm'])).name).toBe('wasm');
});

async function predictAll(model: tf.LayersModel, data: TrainData): Promise<Float32Array> {
  const x = tf.tensor4d(data.test.images as Float32Array, [data.test.count, ...data.shape]);
  const y = model.predict(x) as tf.Tensor;
  const out = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return out;
}

describe('segmentation training', () => {
  it('U-Net mini learns the masks of shapes: the background almost exactly, mean IoU well above an all-background guess, as reported', async () => {
    const data = await syntheticTaskData('shapes-masks', { count: 600, testCount: 60, seed: 5 });
    const doc = loadPreset('unet-mini');
    const compiled = compileForData(doc, data);
    const settings: TrainSettings = { optimizer: 'adam', learningRate: 0.003, batchSize: 16, epochs: 3, validationSplit: 0.1, seed: 1 };
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    const outcome = await trainModel(tf, compiled, data, settings, { onEpoch: (m) => epochs.push(m.valScore ?? NaN) });
    expect(outcome.status).toBe('done');
    expect(tf.memory().numTensors).toBe(before);
    const seg = outcome.test!.segmentation!;
    expect(outcome.test!.task).toBe('segmentation');

    // The scores, recomputed here by brute force from the model's own predictions.
    const [h, w] = data.shape;
    const k = data.classes.length;
    const out = await predictAll(compiled.model, data);
    const tp = new Array<number>(k).fill(0);
    const truth = new Array<number>(k).fill(0);
    const pred = new Array<number>(k).fill(0);
    let correct = 0;
    for (let i = 0; i < data.test.count * h * w; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (out[i * k + c]! > out[i * k + best]!) best = c;
      const t = data.test.masks![i]!;
      truth[t]!++;
      pred[best]!++;
      if (best === t) {
        tp[t]!++;
        correct++;
      }
    }
    const iou = tp.map((v, c) => (truth[c]! + pred[c]! - v ? v / (truth[c]! + pred[c]! - v) : null));
    const present = iou.filter((v): v is number => v !== null);
    const meanIoU = present.reduce((a, b) => a + b, 0) / present.length;
    expect(seg.meanIoU).toBeCloseTo(meanIoU, 6);
    expect(seg.pixelAccuracy).toBeCloseTo(correct / (data.test.count * h * w), 6);
    seg.perClassIoU.forEach((v, c) => (v === null ? expect(iou[c]).toBeNull() : expect(v).toBeCloseTo(iou[c]!, 6)));

    console.info(`unet-mini, 540 images × 3 epochs: mean IoU ${meanIoU.toFixed(3)}, pixel accuracy ${seg.pixelAccuracy.toFixed(3)}`);
    // An all-background guess scores IoU(background) / 5 classes ≈ 0.13. A few hundred images are
    // enough to tell shapes from the background; telling the shapes apart takes the preset's full
    // run (mean IoU 0.8, measured with layerlab train and written in the README).
    const background = truth[0]! / (data.test.count * h * w);
    expect(iou[0]!).toBeGreaterThan(0.9);
    expect(meanIoU).toBeGreaterThan((background / k) * 1.8);
    expect(epochs.every(Number.isFinite)).toBe(true);
    expect(epochs.at(-1)!).toBeGreaterThan(epochs[0]!);
    // The worst images come first.
    expect(seg.worst.length).toBe(20);
    expect(seg.worst[0]!.score).toBeLessThanOrEqual(seg.worst[19]!.score);
    compiled.model.dispose();
  }, 240_000);
});

describe('detection training', () => {
  it('Detector mini learns the boxes of shapes: mAP@0.5 as reported, far above an untrained network', async () => {
    const data = await syntheticTaskData('shapes-boxes', { count: 1200, testCount: 80, seed: 5 });
    const doc = loadPreset('detector-mini');
    const compiled = compileForData(doc, data);
    const grid = gridOf(compiled.model.outputs[0]!.shape.slice(1));
    const [h, w] = data.shape;
    const mapOf = async () => {
      const out = await predictAll(compiled.model, data);
      const per = grid.rows * grid.cols * (5 + grid.classes);
      const images = Array.from({ length: data.test.count }, (_, i) => ({
        detections: decodeDetections(out.subarray(i * per, (i + 1) * per), grid, w, h, { scoreThreshold: 0.01 }),
        truths: data.test.boxes![i]!.map((b) => ({ class: b.cls, x: b.x, y: b.y, w: b.w, h: b.h })),
      }));
      return evaluateDetections(images, grid.classes, 0.5).mAP;
    };
    const settings: TrainSettings = { optimizer: 'adam', learningRate: 0.003, batchSize: 32, epochs: 4, validationSplit: 0.1, seed: 1 };
    const outcome = await trainModel(tf, compiled, data, settings);
    const untrained = await (async () => {
      const fresh = compileForData(doc, data);
      const { seedWeights } = await import('./init');
      seedWeights(tf, fresh.model, 1);
      const out = await predictAll(fresh.model, data);
      fresh.model.dispose();
      const per = grid.rows * grid.cols * (5 + grid.classes);
      return evaluateDetections(
        Array.from({ length: data.test.count }, (_, i) => ({
          detections: decodeDetections(out.subarray(i * per, (i + 1) * per), grid, w, h, { scoreThreshold: 0.01 }),
          truths: data.test.boxes![i]!.map((b) => ({ class: b.cls, x: b.x, y: b.y, w: b.w, h: b.h })),
        })),
        grid.classes,
      ).mAP;
    })();
    expect(outcome.status).toBe('done');
    const det = outcome.test!.detection!;
    console.info(`detector-mini, 1,080 images × 4 epochs: mAP@0.5 ${det.mAP.toFixed(3)} (untrained ${untrained.toFixed(3)})`);
    expect(det.mAP).toBeCloseTo(await mapOf(), 6);
    expect(det.perClass).toHaveLength(4);
    expect(det.mAP).toBeGreaterThan(0.3);
    expect(det.mAP).toBeGreaterThan(untrained + 0.25);
    compiled.model.dispose();
  }, 300_000);
});
