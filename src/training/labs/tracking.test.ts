/**
 * The worker's tracking lab with a stand-in context (what worker.ts lends it), on WASM: Detector
 * mini trained briefly on "shapes with boxes" tracks the moving shapes of a 30-frame clip far
 * better than the same network untrained (measured on WASM: MOTA 0 untrained — it finds nothing —
 * and 0.68 after 3 epochs on 1500 images, test mAP50 0.29). The lab's detections are the model's on each frame
 * alone (batching changes nothing), its frames are the clip's, and its counts add up.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPreset } from '../../../fixtures/presets';
import type { GraphDoc } from '../../graph/types';
import { decodeDetections, gridOf } from '../../tasks/detection';
import { initBackend } from '../backend';
import { makeClip } from '../data/clip';
import { syntheticTaskData } from '../data/synthetic';
import { seedWeights } from '../init';
import { compileForData, trainModel, type TrainData, type TrainSettings } from '../trainer';
import type { WorkerContext } from './context';
import { trackingApi, type TrackClipResult } from './tracking';

let data: TrainData;
let doc: GraphDoc;

beforeAll(async () => {
  expect((await initBackend(['wasm'])).name).toBe('wasm');
  data = await syntheticTaskData('shapes-boxes', { count: 1500 });
  doc = loadPreset('detector-mini');
});

function context(compiled: ReturnType<typeof compileForData>, d: TrainData = data): WorkerContext {
  return {
    tf,
    data: () => d,
    dataName: () => 'shapes-boxes',
    compiled: () => compiled,
    probeImage: () => null,
    rawProbeImage: () => null,
    probeLabel: () => null,
    probeTransform: () => ({}) as never,
  };
}

/** The counts of a result add up, and the MOTA is its formula. */
function checkCounts(r: TrackClipResult) {
  const gt = r.truth.reduce((s, f) => s + f.length, 0);
  const hyps = r.tracks.reduce((s, f) => s + f.length, 0);
  expect(r.mota.gt).toBe(gt);
  expect(r.mota.matches + r.mota.misses).toBe(gt);
  expect(r.mota.matches + r.mota.falsePositives).toBe(hyps);
  expect(r.mota.mota).toBeCloseTo(1 - (r.mota.misses + r.mota.falsePositives + r.mota.idSwitches) / gt, 12);
  // Every detection is in a track, with its box.
  r.detections.forEach((dets, f) => expect(r.tracks[f]!.map(({ trackId: _, ...d }) => d)).toEqual(dets));
}

describe('trackClip', () => {
  it('a briefly trained detector tracks the clip far better than an untrained one', async () => {
    const compiled = compileForData(doc, data);
    const api = trackingApi(context(compiled));
    const opts = { frames: 30, seed: 2, threshold: 0.25 };
    try {
      seedWeights(tf, compiled.model, 42);
      const before = await api.trackClip(doc, opts);
      checkCounts(before);

      const settings = { ...doc.training, epochs: 3 } as TrainSettings;
      const outcome = await trainModel(tf, compiled, data, settings);
      expect(outcome.status).toBe('done');
      const after = await api.trackClip(doc, opts);
      checkCounts(after);
      console.info(`tracking: MOTA untrained ${before.mota.mota.toFixed(3)}, after 3 epochs ${after.mota.mota.toFixed(3)}`, after.mota, `test mAP50 ${outcome.test?.accuracy.toFixed(3)}`);
      expect(after.mota.mota).toBeGreaterThan(0.3);
      expect(after.mota.mota).toBeGreaterThan(before.mota.mota + 0.25);
      expect(after.mota.matches).toBeGreaterThan(after.mota.gt / 2);

      // The frames and truth are the clip's; the detections are the model's on each frame alone.
      const clip = makeClip({ frames: 30, seed: 2 });
      expect(after).toMatchObject({ frames: 30, shape: [32, 32, 1], seed: 2, threshold: 0.25, classes: data.classes });
      expect(after.truth).toEqual(clip.truth);
      expect(Array.from(after.pixels)).toEqual(Array.from(clip.images, (v) => Math.round(v * 255)));
      const grid = gridOf(compiled.model.outputs[0]!.shape.slice(1));
      for (const f of [0, 13, 29]) {
        const out = tf.tidy(() => compiled.model.predict(tf.tensor4d(clip.images.subarray(f * 1024, (f + 1) * 1024), [1, 32, 32, 1])) as tf.Tensor);
        const alone = decodeDetections(out.dataSync(), grid, 32, 32, { scoreThreshold: 0.25 });
        out.dispose();
        expect(after.detections[f]!.length).toBe(alone.length);
        after.detections[f]!.forEach((d, i) => {
          expect(d.class).toBe(alone[i]!.class);
          for (const k of ['x', 'y', 'w', 'h', 'score'] as const) expect(d[k]).toBeCloseTo(alone[i]![k], 3);
        });
      }
      // Another seed, another clip.
      expect((await api.trackClip(doc, { ...opts, seed: 3 })).truth).not.toEqual(after.truth);
    } finally {
      compiled.model.dispose();
    }
  }, 120_000);

  it('explains what it cannot track', async () => {
    const compiled = compileForData(doc, data);
    try {
      const api = trackingApi(context(compiled));
      await expect(api.trackClip({ ...doc, training: { ...doc.training, task: 'classification' } })).rejects.toThrow(/does not detect objects/);
      await expect(api.trackClip(doc, { frames: 0 })).rejects.toThrow(/1 to 300 frames/);
      await expect(api.trackClip(doc, { threshold: 2 })).rejects.toThrow(/between 0 and 1/);
      const cats = { ...data, classes: ['cat', 'dog', 'bird', 'fish'] };
      await expect(trackingApi(context(compiled, cats)).trackClip(doc)).rejects.toThrow(/made of shapes.*cat, dog, bird, fish/);
      const none = { ...context(compiled), data: () => null };
      await expect(trackingApi(none).trackClip(doc)).rejects.toThrow(/Choose a dataset/);
      // The default clip: 60 frames.
      expect((await trackingApi(context(compiled)).trackClip(doc)).frames).toBe(60);
    } finally {
      compiled.model.dispose();
    }
  });
});
