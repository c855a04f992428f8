/**
 * The training loop shared by the browser's Web Worker and `layerlab train` in Node: one code
 * path for both. It compiles the graph, trains batch by batch (so it can pause, stop, report
 * progress and feature maps between batches), stops with an explanation when the loss is no
 * longer a number, evaluates on the test set and keeps tensor memory flat.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { compileGraph, type CompiledGraph } from '../compiler/compile';
import { outputProblem, taskMismatchText } from '../graph/fit-data';
import { OPTIMIZER_SPECS, type LrScheduleName, type OptimizerName, type TaskName } from '../graph/training-settings';
import { BestEpochTracker, endOfRunText, LearningRateSchedule } from './schedule';
import { gridOf } from '../tasks/detection';
import { SegmentationAccumulator, evaluateDetections, type DetectionImage } from '../tasks/metrics';
import { classesOfOutput } from '../tasks/segmentation';
import { TRAINING_DEFAULTS, type GraphDoc } from '../graph/types';
import { mulberry32 } from './data/rng';
import { createLeanAdam } from './adam';
import { applyAverageWithoutImages, RunEnded, shareGradients, shareSizes, type GradientExchange } from './data-parallel';
import type { Augmentation } from './data/augment';
import { gatherImages, imageOf } from './data/gather';
import { featureMaps, type FeatureMap } from './feature-maps';
import { seedWeights } from './init';
import { detectionImageScore, detectionsForScoring, scoreSegmentationBatch, taskAdapter, worstOf, type DetectionScore, type SegmentationScore, type TaskAdapter, type TaskTargets } from './tasks';

type TF = typeof tfjs;

/** A split of a dataset as the trainer reads it: images NHWC, as bytes 0–255 or floats 0–1. */
export interface TrainSplit extends TaskTargets {
  images: Uint8Array | Float32Array;
  /** One class per image (classification); zeros for the other tasks. */
  labels: Uint8Array;
  count: number;
}

export interface TrainData {
  /** What the labels are: classes per image (default), masks (`masks` in each split) or boxes (`boxes`). */
  task?: TaskName;
  /** Segmentation: classes[0] is the background, a mask value k means classes[k]. Detection: object classes, 0-based. */
  classes: string[];
  shape: [number, number, number];
  train: TrainSplit;
  test: TrainSplit;
}

export interface TrainSettings {
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Share of the training images held out for validation after each epoch. */
  validationSplit: number;
  seed: number;
  augmentation?: Augmentation;
  /** Segmentation only: add the soft Dice loss to the per-pixel cross-entropy. */
  segmentationLoss?: 'cross-entropy' | 'cross-entropy+dice';
  /** The learning-rate schedule and its settings (src/training/schedule.ts); absent: constant. */
  lrSchedule?: LrScheduleName;
  lrFactor?: number;
  lrStepEpochs?: number;
  lrPatience?: number;
  minLearningRate?: number;
  /** Decoupled weight decay (AdamW's): each step, every trainable weight w also loses lr × weightDecay × w. */
  weightDecay?: number;
  /** Stop once the validation loss has not reached a new low for this many epochs (0/absent: never); keeps the best epoch's weights. */
  earlyStopping?: number;
  /** At the end, restore the weights of the epoch with the lowest validation loss. */
  keepBestWeights?: boolean;
}

export const DEFAULT_SETTINGS: TrainSettings = { ...TRAINING_DEFAULTS };

export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  /** The live metric: accuracy (classification), pixel accuracy (segmentation); NaN for detection. */
  accuracy: number;
  imagesPerSecond: number;
  /** Seconds left for the whole run at the current speed. */
  secondsLeft: number;
  /** Share of the run done, 0–1. */
  done: number;
  /** The learning rate of this epoch. */
  learningRate?: number;
}

export interface EpochMetrics {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  /** Segmentation: mean IoU on the validation images; detection: mAP@0.5 (null for classification or without validation). */
  valScore?: number | null;
  seconds: number;
  /** tf.memory().numTensors at the end of the epoch (flat across epochs when nothing leaks). */
  numTensors: number;
  /** The learning rate this epoch trained with (after the schedule). */
  learningRate?: number;
}

export interface TestResult {
  loss: number;
  /** Accuracy (classification), pixel accuracy (segmentation) or mAP@0.5 (detection). */
  accuracy: number;
  /** confusion[true][predicted] counts (classification; empty for the other tasks). */
  confusion: number[][];
  /** Indices (into the test split) of misclassified images, per [true][predicted] cell (at most 20 each). */
  misclassified: number[][][];
  task?: TaskName;
  segmentation?: SegmentationScore;
  detection?: DetectionScore;
}

export interface TrainOutcome {
  status: 'done' | 'stopped' | 'diverged';
  /** Why training stopped early, for people; for a finished run, early stopping and the kept epoch ("Stopped early at epoch 9 …; kept epoch 6's weights …."). */
  message?: string;
  epochs: EpochMetrics[];
  test?: TestResult;
  trainImages: number;
  imagesPerSecond: number;
  seconds: number;
  /** Early stopping ended the run after this epoch (the validation loss stopped falling). */
  stoppedEarlyAt?: number;
  /** The epoch whose weights the model holds at the end, when the best epoch's weights were restored. */
  keptEpoch?: number;
}

export interface TrainHooks {
  onBatch?(p: BatchProgress): void;
  onEpoch?(m: EpochMetrics): void;
  /** Called with every node's feature maps for the probe image, at most every `featureMapInterval` ms. */
  onFeatureMaps?(maps: FeatureMap[]): void;
  /** The image to show feature maps for (per-sample floats, h*w*c); default: the first test image. */
  probeImage?(): Float32Array | null;
  /** Minimum time between feature-map refreshes (ms); it also stays at most ~10% of the training time. */
  featureMapInterval?: number;
  shouldStop?(): boolean;
  /** Keep the model's current weights (train further) instead of starting from the seed. */
  keepWeights?: boolean;
  /**
   * Data-parallel training (data-parallel.ts): this worker leads, and each batch is shared with the
   * exchange's followers, which must run `followTraining` on the same model and weights.
   */
  parallel?: GradientExchange;
  /** Training is over and the test set is being scored. */
  onEvaluating?(): void;
  /** Resolves when training may go on (pause). */
  waitWhilePaused?(): Promise<void>;
  /** How often batch progress is reported (ms). */
  progressInterval?: number;
}

/** The optimizer as the optimizer table (OPTIMIZER_SPECS) sets it up for TensorFlow.js. */
export function makeOptimizer(tf: TF, s: Pick<TrainSettings, 'optimizer' | 'learningRate'>): tfjs.Optimizer {
  const spec = OPTIMIZER_SPECS[s.optimizer];
  if (!spec) throw new Error(`Unknown optimizer "${String(s.optimizer)}".`);
  const { factory, args } = spec.tfjs;
  // tf.train.adam's optimizer with one kernel per weight and step (adam.ts; same arithmetic).
  if (factory === 'adam') return createLeanAdam(tf, s.learningRate, ...args);
  // Called as a method of tf.train (not detached), with the table's extra arguments.
  return (tf.train[factory] as (learningRate: number, ...rest: number[]) => tfjs.Optimizer).call(tf.train, s.learningRate, ...args);
}

/** Sets an optimizer's learning rate between steps (SGD and momentum keep it as a scalar tensor). */
export function setLearningRate(optimizer: tfjs.Optimizer, lr: number): void {
  const o = optimizer as unknown as { setLearningRate?(lr: number): void; learningRate: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/**
 * Decoupled weight decay around one optimizer step, as torch.optim.AdamW and Keras' weight_decay
 * do it: call before the step (it notes lr × wd × w of the weights the gradient is taken at), then
 * call the returned function after the step: w ← w_after_step − lr × wd × w_before. Every
 * trainable weight decays, biases included (as both do by default).
 */
export function decoupledWeightDecay(tf: TF, model: tfjs.LayersModel, lr: number, wd: number): () => void {
  if (!(wd > 0)) return () => {};
  const vars = model.trainableWeights;
  const decay = tf.tidy(() => vars.map((v) => tf.mul(v.read(), lr * wd)));
  return () => {
    tf.tidy(() => vars.forEach((v, i) => v.write(tf.sub(v.read(), decay[i]!))));
    tf.dispose(decay);
  };
}

export { gatherImages, imageOf } from './data/gather';

function shuffled(n: number, rng: () => number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/** Loss and task scores of the model on `indices` of a split, batched, without keeping tensors. */
async function evaluate(
  tf: TF,
  model: tfjs.LayersModel,
  adapter: TaskAdapter,
  split: TrainSplit,
  indices: ArrayLike<number>,
  data: TrainData,
  batchSize: number,
  full = false,
): Promise<{ loss: number; accuracy: number; score: number | null; test?: TestResult }> {
  const size = data.shape[0] * data.shape[1] * data.shape[2];
  const [h, w] = data.shape;
  const n = indices.length;
  const k = data.classes.length;
  const outShape = model.outputs[0]!.shape.slice(1) as number[];
  const lossFn = adapter.compileArgs().loss;
  let lossSum = 0;
  let correct = 0;
  const confusion = full && adapter.task === 'classification' ? Array.from({ length: k }, () => new Array<number>(k).fill(0)) : [];
  const misclassified = full && adapter.task === 'classification' ? Array.from({ length: k }, () => Array.from({ length: k }, () => [] as number[])) : [];
  const seg = adapter.task === 'segmentation' ? new SegmentationAccumulator(classesOfOutput(outShape[2]!)) : null;
  const perImage: number[] = [];
  const detImages: DetectionImage[] = [];
  const buf = new Float32Array(batchSize * size);
  const noRand = () => 0;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const idx = Array.from({ length: count }, (_, i) => indices[start + i]!);
    gatherImages(split, idx, size, buf);
    const targets = adapter.batch(split, idx, buf, undefined, noRand);
    const [outT, lossT] = tf.tidy(() => {
      const x = tf.tensor4d(buf.subarray(0, count * size), [count, ...data.shape]);
      const p = model.predict(x) as tfjs.Tensor;
      const y = tf.tensor(targets.values, targets.shape);
      const l =
        typeof lossFn === 'string'
          ? // Cross-entropy of the predicted probabilities, per image (the same loss training uses).
            tf.sum(tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(p, 1e-7, 1))), 1)))
          : tf.mul(lossFn(y, p), count);
      return [p, l];
    });
    const [out, loss] = await Promise.all([outT.data() as Promise<Float32Array>, lossT.data()]);
    tf.dispose([outT, lossT]);
    lossSum += loss[0]!;
    if (adapter.task === 'classification') {
      for (let i = 0; i < count; i++) {
        const row = out.subarray(i * k, (i + 1) * k);
        let p = 0;
        for (let j = 1; j < k; j++) if (row[j]! > row[p]!) p = j;
        const t = split.labels[idx[i]!]!;
        if (t === p) correct++;
        if (full) {
          confusion[t]![p]!++;
          if (t !== p && misclassified[t]![p]!.length < 20) misclassified[t]![p]!.push(idx[i]!);
        }
      }
    } else if (seg) {
      const masks = new Uint8Array(count * h * w);
      idx.forEach((i, j) => masks.set(split.masks!.subarray(i * h * w, (i + 1) * h * w), j * h * w));
      perImage.push(...scoreSegmentationBatch(seg, out, masks, count, h * w, outShape[2]!));
    } else {
      const grid = gridOf(outShape);
      const per = grid.rows * grid.cols * (5 + grid.classes);
      for (let i = 0; i < count; i++) {
        const detections = detectionsForScoring(out.subarray(i * per, (i + 1) * per), grid, w, h);
        const truths = (split.boxes![idx[i]!] ?? []).map((b) => ({ class: b.cls, x: b.x, y: b.y, w: b.w, h: b.h }));
        detImages.push({ detections, truths });
      }
    }
  }
  const loss = n ? lossSum / n : NaN;
  if (adapter.task === 'classification') {
    const accuracy = n ? correct / n : NaN;
    return { loss, accuracy, score: null, test: full ? { loss, accuracy, confusion, misclassified, task: 'classification' } : undefined };
  }
  if (seg) {
    const r = seg.result();
    const segmentation: SegmentationScore = { ...r, worst: worstOf(perImage, Array.from(indices)) };
    return { loss, accuracy: r.pixelAccuracy, score: r.meanIoU, test: full ? { loss, accuracy: r.pixelAccuracy, confusion: [], misclassified: [], task: 'segmentation', segmentation } : undefined };
  }
  const r = evaluateDetections(detImages, gridOf(outShape).classes, 0.5);
  const scores = detImages.map((im) => detectionImageScore({ detections: im.detections.filter((d) => d.score >= 0.25), truths: im.truths }));
  const detection: DetectionScore = { ...r, worst: worstOf(scores, Array.from(indices)) };
  return { loss, accuracy: r.mAP, score: r.mAP, test: full ? { loss, accuracy: r.mAP, confusion: [], misclassified: [], task: 'detection', detection } : undefined };
}

/**
 * Cross-entropy in tfjs clips probabilities at 1e-7, so a network whose outputs blew up does not
 * reach NaN: its loss sticks near -ln(1e-7) ≈ 16.1 (confidently wrong on every image). A batch loss
 * this close to that ceiling means the same thing as NaN: the weights have exploded.
 */
export const EXPLODED_LOSS = 0.85 * -Math.log(1e-7);

export function hasDiverged(loss: number, task: TaskName = 'classification'): boolean {
  // The ceiling is classification's (clipped cross-entropy per image); a detection loss sums over
  // the grid's cells and a segmentation loss may add Dice, so only NaN and ∞ count there.
  return !Number.isFinite(loss) || (task === 'classification' && loss >= EXPLODED_LOSS);
}

/** Why a run diverged, in words a learner can act on. */
export function divergedMessage(loss: number, epoch: number, batch: number, s: TrainSettings): string {
  const what = Number.isNaN(loss)
    ? 'became NaN (not a number)'
    : !Number.isFinite(loss)
      ? 'became infinite'
      : `exploded to ${loss.toFixed(1)}, as high as it can go (the NaN of a clipped loss)`;
  return (
    `Training stopped: the loss ${what} at epoch ${epoch}, batch ${batch}. ` +
    `The learning rate (${s.learningRate}) is probably too high, so the weights blew up. ` +
    `Try a smaller one, e.g. ${OPTIMIZER_SPECS[s.optimizer]?.typicalLearningRate ?? TRAINING_DEFAULTS.learningRate}.`
  );
}

/**
 * Trains a compiled graph on the data. The caller owns `compiled` (dispose it when done).
 */
export async function trainModel(tf: TF, compiled: CompiledGraph, data: TrainData, s: TrainSettings, hooks: TrainHooks = {}): Promise<TrainOutcome> {
  const { model } = compiled;
  const size = data.shape[0] * data.shape[1] * data.shape[2];
  if (!hooks.keepWeights) seedWeights(tf, model, s.seed);
  const optimizer = makeOptimizer(tf, s);
  const adapter = taskAdapter(tf, data.task ?? 'classification', data.shape, model.outputs[0]!.shape.slice(1), data.classes.length, {
    dice: s.segmentationLoss === 'cross-entropy+dice',
  });
  model.compile({ optimizer, ...adapter.compileArgs() } as tfjs.ModelCompileArgs);
  const parallel = hooks.parallel;
  let ownCount = 0;
  const unshare = parallel ? shareGradients(tf, optimizer, parallel, () => ownCount) : () => {};

  const rng = mulberry32(s.seed);
  // Hold out a validation share (seeded) from the training split.
  const order = shuffled(data.train.count, rng);
  const valCount = Math.floor(data.train.count * s.validationSplit);
  const valIdx = order.subarray(0, valCount);
  const trainIdx = order.slice(valCount);
  const batchesPerEpoch = Math.ceil(trainIdx.length / s.batchSize);
  const total = batchesPerEpoch * s.epochs;

  const xBuf = new Float32Array(s.batchSize * size);
  const epochs: EpochMetrics[] = [];
  const startAll = performance.now();
  let seen = 0;
  let status: TrainOutcome['status'] = 'done';
  let message: string | undefined;
  let lastProgress = 0;
  let nextMaps = 0;
  const augRng = mulberry32(s.seed ^ 0x5eed);
  const mapInterval = hooks.featureMapInterval ?? 500;
  // Schedule, early stopping and the best epoch's weights (all on the validation loss: schedule.ts).
  const schedule = new LearningRateSchedule(s);
  const tracker = new BestEpochTracker(valCount ? (s.earlyStopping ?? 0) : 0);
  const keepBest = valCount > 0 && (Boolean(s.keepBestWeights) || (s.earlyStopping ?? 0) > 0);
  let bestWeights: tfjs.Tensor[] | null = null;
  let stoppedEarlyAt: number | undefined;
  let keptEpoch: number | undefined;
  let lr = s.learningRate;

  const reportMaps = async () => {
    if (!hooks.onFeatureMaps) return;
    const image = hooks.probeImage?.() ?? imageOf(data.test.count ? data.test : data.train, 0, size);
    const t0 = performance.now();
    const maps = await featureMaps(tf, compiled, image, data.shape);
    const cost = performance.now() - t0;
    hooks.onFeatureMaps(maps);
    // At most ~10% of the time goes to feature maps: wait 9× what they cost, and at least the interval.
    nextMaps = performance.now() + Math.max(mapInterval, cost * 9);
  };

  try {
    await reportMaps();
    outer: for (let epoch = 1; epoch <= s.epochs; epoch++) {
      const t0 = performance.now();
      lr = schedule.rateFor(epoch);
      setLearningRate(optimizer, lr);
      const perm = shuffled(trainIdx.length, rng);
      let lossSum = 0;
      let accSum = 0;
      let batches = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        if (hooks.waitWhilePaused) await hooks.waitWhilePaused();
        if (hooks.shouldStop?.()) {
          status = 'stopped';
          message = `Stopped by you at epoch ${epoch}, batch ${b + 1}.`;
          break outer;
        }
        const start = b * s.batchSize;
        const count = Math.min(s.batchSize, trainIdx.length - start);
        const all = Array.from({ length: count }, (_, i) => trainIdx[perm[start + i]!]!);
        // Data-parallel: this worker takes the first share, the followers the rest.
        let idx = all;
        if (parallel) {
          const shares = shareSizes(count, parallel.workers);
          const others: number[][] = [];
          let at = shares[0]!;
          for (let k = 1; k < shares.length; k++) {
            others.push(all.slice(at, at + shares[k]!));
            at += shares[k]!;
          }
          idx = all.slice(0, shares[0]);
          ownCount = idx.length;
          parallel.postStep(others, lr);
        }
        gatherImages(data.train, idx, size, xBuf);
        const x = xBuf.subarray(0, idx.length * size);
        const targets = adapter.batch(data.train, idx, x, s.augmentation, augRng);
        const xs = tf.tensor4d(x, [idx.length, ...data.shape]);
        const ys = tf.tensor(targets.values, targets.shape);
        const decayed = decoupledWeightDecay(tf, model, lr, s.weightDecay ?? 0);
        const out = (await model.trainOnBatch(xs, ys)) as number | number[];
        decayed();
        tf.dispose([xs, ys]);
        let [loss, acc] = Array.isArray(out) ? [out[0]!, out[1] ?? NaN] : [out, NaN];
        if (parallel) [loss, acc] = parallel.gatherMetrics(loss, acc, idx.length);
        seen += count;
        batches++;
        if (hasDiverged(loss, adapter.task)) {
          status = 'diverged';
          message = divergedMessage(loss, epoch, b + 1, s);
          break outer;
        }
        lossSum += loss;
        accSum += acc;
        const now = performance.now();
        if (hooks.onBatch && (now - lastProgress >= (hooks.progressInterval ?? 250) || b === batchesPerEpoch - 1)) {
          lastProgress = now;
          const ips = seen / ((now - startAll) / 1000);
          const doneBatches = (epoch - 1) * batchesPerEpoch + b + 1;
          hooks.onBatch({
            epoch,
            epochs: s.epochs,
            batch: b + 1,
            batchesPerEpoch,
            loss: lossSum / batches,
            accuracy: accSum / batches,
            imagesPerSecond: ips,
            secondsLeft: ((total - doneBatches) * s.batchSize) / Math.max(ips, 1e-9),
            done: doneBatches / total,
            learningRate: lr,
          });
        }
        if (hooks.onFeatureMaps && now >= nextMaps) await reportMaps();
      }
      const val = valCount ? await evaluate(tf, model, adapter, data.train, valIdx, data, 64) : null;
      if (tracker.record(epoch, val?.loss ?? null) && keepBest) {
        // A copy of every weight (batch-norm statistics included), replacing the last best.
        if (bestWeights) tf.dispose(bestWeights);
        bestWeights = tf.tidy(() => model.getWeights().map((w) => w.clone()));
      }
      schedule.epochEnded(val?.loss ?? null);
      const m: EpochMetrics = {
        epoch,
        loss: lossSum / Math.max(batches, 1),
        accuracy: accSum / Math.max(batches, 1),
        valLoss: val?.loss ?? null,
        valAccuracy: val && adapter.task !== 'detection' ? val.accuracy : null,
        valScore: val?.score ?? null,
        seconds: (performance.now() - t0) / 1000,
        numTensors: tf.memory().numTensors,
        learningRate: lr,
      };
      epochs.push(m);
      hooks.onEpoch?.(m);
      if (tracker.shouldStop && epoch < s.epochs) {
        stoppedEarlyAt = epoch;
        break;
      }
    }
    if (status === 'done' && keepBest && bestWeights) {
      model.setWeights(bestWeights);
      keptEpoch = tracker.bestEpoch;
    }
    let test: TestResult | undefined;
    // Scored when the run finished: a diverged run has nothing to score, and Stop means stop now
    // (scoring 10,000 images takes minutes on a software GPU); Continue can finish the job later.
    if (status === 'done' && data.test.count) {
      hooks.onEvaluating?.();
      const all = Array.from({ length: data.test.count }, (_, i) => i);
      test = (await evaluate(tf, model, adapter, data.test, all, data, adapter.task === 'classification' ? 256 : 64, true)).test;
    }
    const seconds = (performance.now() - startAll) / 1000;
    return {
      status,
      message: message ?? (endOfRunText({ stoppedEarlyAt, keptEpoch }) || undefined),
      epochs,
      test,
      trainImages: seen,
      imagesPerSecond: seen / Math.max(seconds, 1e-9),
      seconds,
      ...(stoppedEarlyAt !== undefined ? { stoppedEarlyAt } : {}),
      ...(keptEpoch !== undefined ? { keptEpoch } : {}),
    };
  } finally {
    parallel?.end();
    unshare();
    optimizer.dispose();
    if (bestWeights) tf.dispose(bestWeights);
  }
}

/**
 * A follower of data-parallel training (data-parallel.ts): trains its share of every batch the
 * leader posts, on a model with the leader's architecture and starting weights (the caller sets
 * them), until the leader ends the run. Returns the number of images it trained on.
 */
export async function followTraining(tf: TF, compiled: CompiledGraph, data: Pick<TrainData, 'train' | 'shape' | 'task' | 'classes'>, s: TrainSettings, exchange: GradientExchange): Promise<number> {
  const { model } = compiled;
  const size = data.shape[0] * data.shape[1] * data.shape[2];
  const optimizer = makeOptimizer(tf, s);
  const adapter = taskAdapter(tf, data.task ?? 'classification', data.shape, model.outputs[0]!.shape.slice(1), data.classes.length, {
    dice: s.segmentationLoss === 'cross-entropy+dice',
  });
  model.compile({ optimizer, ...adapter.compileArgs() } as tfjs.ModelCompileArgs);
  let ownCount = 0;
  const unshare = shareGradients(tf, optimizer, exchange, () => ownCount);
  // Its own augmentation stream (seeded, different from the leader's and the other followers').
  const augRng = mulberry32((s.seed ^ 0x5eed) + 0x9e3779b9 * exchange.rank);
  const xBuf = new Float32Array(exchange.spec.maxShare * size);
  let lr = NaN;
  let seen = 0;
  try {
    for (;;) {
      const cmd = exchange.waitCommand();
      if (cmd.kind === 'end') return seen;
      if (cmd.lr !== lr) {
        lr = cmd.lr;
        setLearningRate(optimizer, lr);
      }
      const idx = Array.from(cmd.indices);
      ownCount = idx.length;
      const decayed = decoupledWeightDecay(tf, model, lr, s.weightDecay ?? 0);
      if (!idx.length) {
        applyAverageWithoutImages(tf, optimizer, model, exchange);
        decayed();
        exchange.postMetrics(NaN, NaN);
        continue;
      }
      gatherImages(data.train, idx, size, xBuf);
      const x = xBuf.subarray(0, idx.length * size);
      const targets = adapter.batch(data.train, idx, x, s.augmentation, augRng);
      const xs = tf.tensor4d(x, [idx.length, ...data.shape]);
      const ys = tf.tensor(targets.values, targets.shape);
      const out = (await model.trainOnBatch(xs, ys)) as number | number[];
      decayed();
      tf.dispose([xs, ys]);
      const [loss, acc] = Array.isArray(out) ? [out[0]!, out[1] ?? NaN] : [out, NaN];
      exchange.postMetrics(loss, acc);
      seen += idx.length;
    }
  } catch (e) {
    if (e instanceof RunEnded) return seen;
    exchange.fail();
    throw e;
  } finally {
    unshare();
    optimizer.dispose();
  }
}

// The output check lives with the other fit checks (src/graph/fit-data.ts, pure); kept exported here.
export { outputProblem } from '../graph/fit-data';

/** Compiles the graph and checks that it fits the data (task, input shape, output for the classes). */
export function compileForData(doc: GraphDoc, data: Pick<TrainData, 'shape' | 'classes' | 'task'>): CompiledGraph {
  const task = doc.training?.task ?? 'classification';
  const dataTask = data.task ?? 'classification';
  if (task !== dataTask) {
    throw new Error(taskMismatchText(task, dataTask));
  }
  const compiled = compileGraph(doc);
  const inShape = compiled.model.inputs[0]!.shape.slice(1);
  const outShape = compiled.model.outputs[0]!.shape.slice(1);
  const fmt = (s: (number | null)[]) => s.join('×');
  if (fmt(inShape) !== fmt(data.shape)) {
    compiled.model.dispose();
    throw new Error(`The Input node is ${fmt(inShape)} but the dataset's images are ${fmt(data.shape)}: set the Input node's shape to [${data.shape.join(', ')}].`);
  }
  const problem = outputProblem(task, outShape, data);
  if (problem) {
    compiled.model.dispose();
    throw new Error(problem);
  }
  return compiled;
}
