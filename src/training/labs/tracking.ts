/**
 * The worker's side of the tracking lab (see context.ts): a seeded synthetic clip of moving shapes
 * (data/clip.ts) goes through the current detector frame by frame (in batches), its detections are
 * decoded (decodeDetections: score threshold, non-maximum suppression), linked into tracks by IoU
 * (src/tasks/tracking.ts) and scored with MOTA against the clip's truth. The page gets the frames
 * as grey bytes, the tracks per frame and the score, and plays them itself: nothing runs while it
 * plays. `trackFrames` is the pipeline on its own (a model and a clip in, the result out), for
 * Node tests.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { GraphDoc } from '../../graph/types';
import { decodeDetections, gridOf } from '../../tasks/detection';
import type { Detection } from '../../tasks/metrics';
import { linkTracks, mota, type MotaResult, type TrackedBox } from '../../tasks/tracking';
import { makeClip, type Clip, type ClipBox } from '../data/clip';
import { ALL_SHAPES, type ShapeKind } from '../data/shapes';
import type { WorkerContext } from './context';

export interface TrackClipOptions {
  /** Frames in the clip (default 60, at most 300). */
  frames?: number;
  /** The clip's seed (default 1): another seed, another clip. */
  seed?: number;
  /** Keep detections scoring at least this (default 0.25, as decodeDetections). */
  threshold?: number;
}

/** Tracking and scoring settings besides the clip's (defaults as in src/tasks/tracking.ts). */
export interface TrackSettings {
  threshold: number;
  /** IoU to continue a track (default 0.3). */
  linkIoU?: number;
  /** Frames a track may go unseen (default 2). */
  maxMissed?: number;
  /** IoU for a track's box to count as the truth's in MOTA (default 0.5). */
  motaIoU?: number;
}

export interface TrackClipResult {
  frames: number;
  /** Frame shape [height, width, channels] (the model's input). */
  shape: [number, number, number];
  /** frames × height × width grey bytes 0–255 (the channels' mean), to draw. */
  pixels: Uint8Array;
  classes: string[];
  truth: ClipBox[][];
  detections: Detection[][];
  tracks: TrackedBox[][];
  mota: MotaResult;
  seed: number;
  threshold: number;
}

export interface TrackingApi {
  /**
   * Runs the current model of `graph` (a detector) on every frame of a seeded clip of moving shapes,
   * links its detections into tracks and scores them (MOTA) against the clip's truth.
   */
  trackClip(graph: GraphDoc, options?: TrackClipOptions): Promise<TrackClipResult>;
}

const FRAMES_BATCH = 32;

/** The clip's frames as grey bytes (the mean of the channels). */
function greyBytes(clip: Clip): Uint8Array {
  const [h, w, c] = clip.shape;
  const n = clip.frames * h * w;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += clip.images[i * c + k]!;
    out[i] = Math.round((s / c) * 255);
  }
  return out;
}

/** The pipeline: detector outputs for every frame (batched), decoded, linked, scored. */
export async function trackFrames(tf: typeof tfjs, model: tfjs.LayersModel, clip: Clip, settings: TrackSettings): Promise<Omit<TrackClipResult, 'seed'>> {
  const grid = gridOf(model.outputs[0]!.shape.slice(1));
  const [h, w, c] = clip.shape;
  const size = h * w * c;
  const detections: Detection[][] = [];
  for (let start = 0; start < clip.frames; start += FRAMES_BATCH) {
    const n = Math.min(FRAMES_BATCH, clip.frames - start);
    const out = tf.tidy(() => model.predict(tf.tensor4d(clip.images.subarray(start * size, (start + n) * size), [n, h, w, c])) as tfjs.Tensor);
    let values: Float32Array;
    try {
      values = (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
    const per = values.length / n;
    for (let i = 0; i < n; i++) detections.push(decodeDetections(values.subarray(i * per, (i + 1) * per), grid, w, h, { scoreThreshold: settings.threshold }));
  }
  const tracks = linkTracks(detections, { iou: settings.linkIoU, maxMissed: settings.maxMissed });
  return {
    frames: clip.frames,
    shape: [h, w, c],
    pixels: greyBytes(clip),
    classes: clip.classes,
    truth: clip.truth,
    detections,
    tracks,
    mota: mota(clip.truth, tracks, settings.motaIoU),
    threshold: settings.threshold,
  };
}

export function trackingApi(ctx: WorkerContext): TrackingApi {
  return {
    async trackClip(graph, options = {}) {
      const data = ctx.data();
      if (!data) throw new Error('Choose a dataset first.');
      if ((graph.training?.task ?? 'classification') !== 'detection') throw new Error('Tracking follows the boxes of a detector: this graph does not detect objects.');
      const [h, w, c] = data.shape;
      if (h !== w || h < 8 || (c !== 1 && c !== 3)) throw new Error(`The tracking clip has square frames of 1 or 3 channels; this network's images are ${data.shape.join('×')}.`);
      const known = new Set<string>(ALL_SHAPES);
      if (!data.classes.every((k) => known.has(k))) {
        throw new Error(`The tracking clip is made of shapes (${ALL_SHAPES.join(', ')}), but this network detects ${data.classes.join(', ')}: train it on Shapes with boxes to track the clip.`);
      }
      const frames = Math.round(options.frames ?? 60);
      if (!(frames >= 1 && frames <= 300)) throw new Error(`A clip has 1 to 300 frames, not ${options.frames}.`);
      const threshold = options.threshold ?? 0.25;
      if (!(threshold >= 0 && threshold <= 1)) throw new Error(`The score threshold is between 0 and 1, not ${threshold}.`);
      const seed = Math.round(options.seed ?? 1);
      const compiled = ctx.compiled(graph);
      const clip = makeClip({ frames, seed, size: h, channels: c as 1 | 3, classes: data.classes as ShapeKind[] });
      return { ...(await trackFrames(ctx.tf, compiled.model, clip, { threshold })), seed };
    },
  };
}
