/**
 * Data-parallel training: K workers (a leader and K−1 followers), each with its own TensorFlow.js
 * backend and an identical copy of the model, share every batch. The leader owns the run (data
 * order, epochs, validation, feature maps, the schedule); each step it hands every follower a
 * share of the batch's images through a SharedArrayBuffer, all K compute the gradient of their
 * share, the leader averages them (weighted by image count, so the result is the gradient of the
 * whole batch's mean loss) and publishes the average, and every worker applies that same float32
 * average with its own optimizer. Same kernels, same inputs: the copies stay bit-identical, with
 * no weights sent after the start.
 *
 * This file is the exchange (pure JavaScript: typed arrays and Atomics, in a Web Worker or a Node
 * worker thread) and the optimizer wrapper that puts it inside `trainOnBatch`. What differs from
 * one worker on the whole batch: float summation order, batch normalisation's batch statistics
 * (each worker normalises its share, as PyTorch's DistributedDataParallel does without
 * SyncBatchNorm; the leader's moving statistics are the model's), and dropout's random masks.
 *
 * Layout of the buffer (all 8-byte aligned):
 *   Int32 control[16]: 0 step sequence (leader bumps), 1 command (1 step, 2 end), 2 a worker failed
 *     (its rank + 1), 3 average-ready sequence, 4.. follower k's "gradient written" sequence (k = 1..K−1)
 *     and, at 4 + MAX_FOLLOWERS + k, its "metrics written" sequence;
 *   Float64 numbers[8 + 2·MAX_FOLLOWERS]: 0 learning rate, then per follower k: loss, accuracy;
 *   Int32 counts[MAX_FOLLOWERS + 1] and Int32 indices[(K−1) × maxShare]: each follower's share;
 *   Float32 gradients[K−1][P] (each follower's), Float32 average[P].
 */
import type * as tfjs from '@tensorflow/tfjs';

type TF = typeof tfjs;

export const MAX_FOLLOWERS = 7;
/** At most this many training workers share a batch (each holds a copy of the data and model). */
export const MAX_TRAINING_WORKERS = 4;
const CONTROL = 16;
const NUMBERS = 8 + 2 * MAX_FOLLOWERS;
const C_SEQ = 0;
const C_CMD = 1;
const C_FAIL = 2;
const C_AVG = 3;
const cGrad = (k: number) => 3 + k;
const cMetrics = (k: number) => 4 + MAX_FOLLOWERS + k;
export const CMD_STEP = 1;
export const CMD_END = 2;

/** How long a worker waits for the others before giving up (a crashed or stuck worker). */
export const DEFAULT_TIMEOUT_MS = 30_000;

export class ExchangeTimeout extends Error {
  constructor(what: string) {
    super(`Data-parallel training: ${what} did not answer in time.`);
    this.name = 'ExchangeTimeout';
  }
}

/** Thrown in a follower when the leader ended the run in the middle of a step. */
export class RunEnded extends Error {
  constructor() {
    super('The leading training worker ended the run.');
    this.name = 'RunEnded';
  }
}

/** Thrown in the leader when a follower reported that it failed (its error comes by message). */
export class WorkerFailed extends Error {
  readonly rank: number;
  constructor(rank: number) {
    super(`Data-parallel training: training worker ${rank + 1} failed.`);
    this.name = 'WorkerFailed';
    this.rank = rank;
  }
}

export interface ExchangeSpec {
  /** Number of workers, leader included (2..MAX_FOLLOWERS+1). */
  workers: number;
  /** Element counts of the trainable weights, in the model's order. */
  sizes: number[];
  /** The largest share of a batch one worker gets (⌈batchSize / workers⌉). */
  maxShare: number;
}

function layout(spec: ExchangeSpec) {
  const f = spec.workers - 1;
  const params = spec.sizes.reduce((a, b) => a + b, 0);
  const controlBytes = CONTROL * 4;
  const numbersAt = controlBytes;
  const countsAt = numbersAt + NUMBERS * 8;
  const indicesAt = countsAt + (MAX_FOLLOWERS + 1) * 4;
  const gradsAt = Math.ceil((indicesAt + f * spec.maxShare * 4) / 8) * 8;
  const avgAt = gradsAt + f * params * 4;
  const total = Math.ceil((avgAt + params * 4) / 8) * 8;
  return { f, params, numbersAt, countsAt, indicesAt, gradsAt, avgAt, total };
}

/** Splits `count` images into `workers` shares as equal as possible, the leader's first. */
export function shareSizes(count: number, workers: number): number[] {
  const base = Math.floor(count / workers);
  const extra = count % workers;
  return Array.from({ length: workers }, (_, k) => base + (k < extra ? 1 : 0));
}

/**
 * One worker's view of the shared buffer. The leader has rank 0; followers 1..K−1.
 * All waits block the calling thread (Atomics.wait), so only workers may use it, never a page.
 */
export class GradientExchange {
  readonly buffer: SharedArrayBuffer;
  readonly spec: ExchangeSpec;
  readonly rank: number;
  private readonly ctrl: Int32Array;
  private readonly nums: Float64Array;
  private readonly counts: Int32Array;
  private readonly indices: Int32Array;
  private readonly grads: Float32Array[];
  private readonly avg: Float32Array;
  private readonly timeoutMs: number;
  /** The step this worker is in (the leader's sequence number). */
  private seq = 0;
  /** Milliseconds this worker spent waiting for the others (for profiling). */
  waitedMs = 0;

  static create(spec: ExchangeSpec): SharedArrayBuffer {
    if (spec.workers < 2 || spec.workers > MAX_FOLLOWERS + 1) throw new Error(`Data-parallel training needs 2–${MAX_FOLLOWERS + 1} workers, not ${spec.workers}.`);
    return new SharedArrayBuffer(layout(spec).total);
  }

  constructor(buffer: SharedArrayBuffer, spec: ExchangeSpec, rank: number, timeoutMs = DEFAULT_TIMEOUT_MS) {
    const l = layout(spec);
    if (buffer.byteLength !== l.total) throw new Error('Data-parallel training: the shared buffer does not fit the model.');
    this.buffer = buffer;
    this.spec = spec;
    this.rank = rank;
    this.timeoutMs = timeoutMs;
    this.ctrl = new Int32Array(buffer, 0, CONTROL);
    this.nums = new Float64Array(buffer, l.numbersAt, NUMBERS);
    this.counts = new Int32Array(buffer, l.countsAt, MAX_FOLLOWERS + 1);
    this.indices = new Int32Array(buffer, l.indicesAt, l.f * spec.maxShare);
    this.grads = Array.from({ length: l.f }, (_, k) => new Float32Array(buffer, l.gradsAt + k * l.params * 4, l.params));
    this.avg = new Float32Array(buffer, l.avgAt, l.params);
    this.seq = Atomics.load(this.ctrl, C_SEQ);
  }

  get workers(): number {
    return this.spec.workers;
  }

  /** Blocks until control[i] reaches `value` (sequence numbers only grow). */
  private waitFor(i: number, value: number, what: string): void {
    if (Atomics.load(this.ctrl, i) >= value) return;
    const t0 = performance.now();
    try {
      this.waitUntil(i, value, what, t0 + this.timeoutMs);
    } finally {
      this.waitedMs += performance.now() - t0;
    }
  }

  private waitUntil(i: number, value: number, what: string, deadline: number): void {
    for (;;) {
      const now = Atomics.load(this.ctrl, i);
      if (now >= value) return;
      // A follower whose leader moved on (it ended the run after an error) stops waiting.
      if (this.rank > 0 && Atomics.load(this.ctrl, C_SEQ) > this.seq) throw new RunEnded();
      const failed = Atomics.load(this.ctrl, C_FAIL);
      if (failed) throw new WorkerFailed(failed - 1);
      const left = deadline - performance.now();
      if (left <= 0) throw new ExchangeTimeout(what);
      Atomics.wait(this.ctrl, i, now, left);
    }
  }

  private set(i: number, value: number): void {
    Atomics.store(this.ctrl, i, value);
    Atomics.notify(this.ctrl, i);
  }

  /** A worker that cannot go on says so, so that the others stop waiting for it at once. */
  fail(): void {
    Atomics.store(this.ctrl, C_FAIL, this.rank + 1);
    for (let i = 0; i < CONTROL; i++) Atomics.notify(this.ctrl, i);
  }

  // ---- leader ---------------------------------------------------------------------------------

  /**
   * Leader: starts a step. `shares[k]` are follower k+1's image indices; `lr` the learning rate
   * every worker applies this step.
   */
  postStep(shares: ArrayLike<number>[], lr: number): void {
    const m = this.spec.maxShare;
    for (let k = 0; k < this.spec.workers - 1; k++) {
      const s = shares[k] ?? [];
      if (s.length > m) throw new Error('Data-parallel training: a share is larger than the buffer holds.');
      this.counts[k + 1] = s.length;
      for (let i = 0; i < s.length; i++) this.indices[k * m + i] = s[i]!;
    }
    this.nums[0] = lr;
    this.ctrl[C_CMD] = CMD_STEP;
    this.seq++;
    this.set(C_SEQ, this.seq);
  }

  /** Leader: the run is over; followers return from waitCommand with 'end'. */
  end(): void {
    this.ctrl[C_CMD] = CMD_END;
    this.seq++;
    this.set(C_SEQ, this.seq);
  }

  // ---- follower -------------------------------------------------------------------------------

  /** Follower: waits (without a time limit) for the leader's next command. */
  waitCommand(): { kind: 'step'; indices: Int32Array; lr: number } | { kind: 'end' } {
    const next = this.seq + 1;
    const t0 = performance.now();
    for (;;) {
      const now = Atomics.load(this.ctrl, C_SEQ);
      if (now >= next) break;
      Atomics.wait(this.ctrl, C_SEQ, now, 1000);
    }
    this.waitedMs += performance.now() - t0;
    this.seq = next;
    if (this.ctrl[C_CMD] === CMD_END) return { kind: 'end' };
    const m = this.spec.maxShare;
    const k = this.rank - 1;
    return { kind: 'step', indices: this.indices.slice(k * m, k * m + this.counts[this.rank]!), lr: this.nums[0]! };
  }

  // ---- both -----------------------------------------------------------------------------------

  /**
   * Every worker calls this once per step with the gradient of its own share's mean loss (flat,
   * in the model's weight order) and its image count; returns the batch's average gradient, the
   * same float32 values in every worker. A worker with no images passes count 0.
   */
  average(own: Float32Array, ownCount: number): Float32Array {
    const l = this.grads.length;
    if (this.rank === 0) {
      const counts = [ownCount];
      for (let k = 1; k <= l; k++) {
        this.waitFor(cGrad(k), this.seq, `training worker ${k + 1}`);
        counts.push(this.counts[k]!);
      }
      const total = counts.reduce((a, b) => a + b, 0);
      const avg = this.avg;
      if (total === 0) avg.fill(0);
      else {
        const w0 = ownCount / total;
        for (let i = 0; i < avg.length; i++) avg[i] = own[i]! * w0;
        for (let k = 1; k <= l; k++) {
          const wk = counts[k]! / total;
          if (wk === 0) continue;
          const g = this.grads[k - 1]!;
          for (let i = 0; i < avg.length; i++) avg[i] = avg[i]! + g[i]! * wk;
        }
      }
      this.set(C_AVG, this.seq);
      return avg.slice();
    }
    if (ownCount > 0) this.grads[this.rank - 1]!.set(own);
    this.set(cGrad(this.rank), this.seq);
    this.waitFor(C_AVG, this.seq, 'the leading training worker');
    return this.avg.slice();
  }

  /** Follower: publishes its share's loss and accuracy for this step. */
  postMetrics(loss: number, accuracy: number): void {
    this.nums[8 + 2 * (this.rank - 1)] = loss;
    this.nums[9 + 2 * (this.rank - 1)] = accuracy;
    this.set(cMetrics(this.rank), this.seq);
  }

  /** Leader: the batch's loss and accuracy, the workers' values weighted by their image counts. */
  gatherMetrics(loss: number, accuracy: number, ownCount: number): [number, number] {
    let n = ownCount;
    let l = loss * ownCount;
    let a = accuracy * ownCount;
    for (let k = 1; k < this.spec.workers; k++) {
      this.waitFor(cMetrics(k), this.seq, `training worker ${k + 1}`);
      const c = this.counts[k]!;
      if (!c) continue;
      n += c;
      l += this.nums[8 + 2 * (k - 1)]! * c;
      a += this.nums[9 + 2 * (k - 1)]! * c;
    }
    return n ? [l / n, a / n] : [NaN, NaN];
  }
}

/** The exchange's layout for a model's trainable weights and a batch size. */
export function exchangeSpec(model: tfjs.LayersModel, workers: number, batchSize: number): ExchangeSpec {
  return { workers, sizes: model.trainableWeights.map((w) => w.read().size), maxShare: Math.ceil(batchSize / workers) };
}

/** Applies a flat gradient (the weights' values one after another) to the named variables. */
export function applyFlatGradients(tf: TF, optimizer: tfjs.Optimizer, names: string[], shapes: number[][], flat: Float32Array): void {
  let at = 0;
  const grads = names.map((name, i) => {
    const tensor = tf.tensor(flat.subarray(at, at + shapes[i]!.reduce((a, b) => a * b, 1)), shapes[i], 'float32');
    at += tensor.size;
    return { name, tensor };
  });
  optimizer.applyGradients(grads);
  tf.dispose(grads.map((g) => g.tensor));
}

/**
 * A worker with no images this step (a last batch smaller than the workers) still takes the
 * batch's average and applies it, to stay in step with the others.
 */
export function applyAverageWithoutImages(tf: TF, optimizer: tfjs.Optimizer, model: tfjs.LayersModel, exchange: GradientExchange): void {
  const vars = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
  applyFlatGradients(
    tf,
    optimizer,
    vars.map((v) => v.name),
    vars.map((v) => v.shape),
    exchange.average(new Float32Array(0), 0),
  );
}

/**
 * Makes `optimizer.minimize` (what `trainOnBatch` calls) exchange gradients: the worker computes
 * its share's gradient, the exchange averages it with the others', and the optimizer applies the
 * average. `count()` gives this worker's image count for the current step. Returns a function that
 * restores the optimizer.
 */
export function shareGradients(tf: TF, optimizer: tfjs.Optimizer, exchange: GradientExchange, count: () => number): () => void {
  const o = optimizer as unknown as { minimize: tfjs.Optimizer['minimize'] };
  const original = o.minimize;
  o.minimize = function (f: () => tfjs.Scalar, returnCost = false, varList?: tfjs.Variable[]) {
    const { value, grads } = optimizer.computeGradients(f, varList);
    const names = varList ? varList.map((v) => v.name) : Object.keys(grads);
    const tensors = names.map((n) => grads[n]!);
    const sizes = exchange.spec.sizes;
    if (tensors.length !== sizes.length || tensors.some((t, i) => t.size !== sizes[i])) {
      tf.dispose(grads);
      throw new Error('Data-parallel training: the gradients do not match the shared buffer (the model changed).');
    }
    const flat = new Float32Array(sizes.reduce((a, b) => a + b, 0));
    let at = 0;
    for (const t of tensors) {
      flat.set(t.dataSync() as Float32Array, at);
      at += t.size;
    }
    const shapes = tensors.map((t) => t.shape);
    tf.dispose(grads);
    applyFlatGradients(tf, optimizer, names, shapes, exchange.average(flat, count()));
    if (returnCost) return value;
    value.dispose();
    return null;
  } as tfjs.Optimizer['minimize'];
  return () => {
    o.minimize = original;
  };
}
