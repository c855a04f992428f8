/// <reference lib="webworker" />
/**
 * The training Web Worker: owns the backend, the dataset, the compiled model and its weights,
 * and runs the same training loop as `layerlab train`. The editor talks to it through the typed
 * TrainerApi (comlink), so the page never blocks on TensorFlow.js.
 */
import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import { compileGraph, type CompiledGraph } from '../compiler/compile';
import { saveArtifacts, setWeightsByName } from '../model/tfjs-weights';
import { concatWeightData, ModelFileError, type NamedWeight, type WeightsOrigin } from '../model/weights';
import { expandBlocks } from '../graph/blocks';
import type { GraphDoc } from '../graph/types';
import { initBackend, type BackendName } from './backend';
import { featureMaps, kernelPicture } from './feature-maps';
import { seedWeights } from './init';
import { exchangeSpec, ExchangeTimeout, GradientExchange, WorkerFailed } from './data-parallel';
import type { FollowerMessage, FollowerReply } from './follower';
import type { ParallelPlan } from './backend';
import type { BackendInfo, DatasetInfo, DatasetSpec, Prediction, Sample, SavedModel, TrainerApi, TrainEvents } from './protocol';
import { compileForData, imageOf, trainModel, type TrainData, type TrainSettings } from './trainer';
import { IDENTITY_TRANSFORM, isIdentityTransform, transformImage, type ProbeTransform } from '../labs/transforms';
import type { WorkerContext } from './labs/context';
import { explainApi } from './labs/explain';
import { invarianceApi } from './labs/invariance';
import { kernelLabApi } from './labs/kernel-lab';
import { trackingApi } from './labs/tracking';
import { windowApi } from './labs/window';
import { taskPrediction } from './task-probe';

let backend: BackendInfo | null = null;
let data: TrainData | null = null;
let dataName = '';
let compiled: CompiledGraph | null = null;
let compiledSignature = '';
let compiledGraph: GraphDoc | null = null;
/** The weights so far, copied to CPU memory: they survive a backend switch or a lost GPU. */
let weightSnapshot: { shapes: number[][]; values: Float32Array[]; at: string } | null = null;
/** Where the current run is ("epoch 1, batch 37"), for saying which weights a snapshot holds. */
let runPosition = 'before training';
/** When the last snapshot was taken during a run on a GPU, and how long it took (ms). */
let lastSnapshotAt = 0;
let snapshotCost = 0;
/** The WebGPU device was lost: nothing can be read from the old backend any more. */
let deviceLost = false;
/** Set by the test-only fault hook, so that its device.destroy() counts as a loss. */
let faultInjected = false;

async function snapshotWeights() {
  if (!compiled) return;
  const started = performance.now();
  const ws = compiled.model.getWeights();
  weightSnapshot = { shapes: ws.map((w) => w.shape), values: await Promise.all(ws.map((w) => w.data() as Promise<Float32Array>)), at: runPosition };
  lastSnapshotAt = performance.now();
  snapshotCost = lastSnapshotAt - started;
}

/**
 * On a GPU, copies the weights to CPU memory between batches every few seconds (at most ~10% of
 * the time: the interval grows with the cost of a copy), so a lost device costs seconds of
 * training, not the run.
 */
async function maybeSnapshot() {
  if (deviceLost || (backend?.name !== 'webgpu' && backend?.name !== 'webgl')) return;
  if (performance.now() - lastSnapshotAt < Math.max(5000, 10 * snapshotCost)) return;
  await snapshotWeights();
}

/** A promise that gives up after `ms` (reading from a dying GPU may never answer). */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);
}

/** Rebuilds the model on the current backend with the snapshot's weights. */
function restoreSnapshot() {
  if (!compiledGraph || !data || !weightSnapshot) return;
  const c = compileForData(compiledGraph, data);
  const tensors = weightSnapshot.values.map((v, i) => tf.tensor(v, weightSnapshot!.shapes[i]));
  c.model.setWeights(tensors);
  tf.dispose(tensors);
  compiled = c;
}
/** Weights from a trained model file, applied whenever the worker builds that exact network. */
let loaded: { signature: string; weights: NamedWeight[]; origin: WeightsOrigin } | null = null;
/** Which weights the compiled model holds (see SavedModel.origin). */
let weightsOrigin: WeightsOrigin = { kind: 'untrained' };
let loadSeq = 0;
let stopRequested = false;
let paused = false;
let lastYield = 0;
let resumeWaiters: (() => void)[] = [];
let probe: { split: 'test' | 'train'; index: number } | { image: Float32Array } = { split: 'test', index: 0 };

// ---- Data-parallel followers (follower.ts) -----------------------------------------------------

interface Follower {
  worker: Worker;
  /** The next reply (in order). */
  next(): Promise<FollowerReply>;
}

let followers: Follower[] = [];
/** The threads per follower they were started with. */
let followersThreads = 0;
/** Which dataset the followers hold (bumped by every loadDataset). */
let dataVersion = 0;
let followersDataVersion = -1;
/** The followers' last failure in a run, for the message. */
let followerError = '';
/** Test-only (simulateFollowerFailure): followers are started from a script that fails to load. */
let followerFault = false;

function startFollower(): Follower {
  const worker = followerFault
    ? new Worker(URL.createObjectURL(new Blob(['throw new Error("simulated: the follower script failed to load")'], { type: 'text/javascript' })))
    : new Worker(new URL('./follower.ts', import.meta.url), { type: 'module', name: 'layerlab-trainer-follower' });
  const queue: FollowerReply[] = [];
  const waiting: ((r: FollowerReply) => void)[] = [];
  const deliver = (r: FollowerReply) => {
    if (!r.ok) followerError = r.error;
    const w = waiting.shift();
    if (w) w(r);
    else queue.push(r);
  };
  worker.onmessage = (e: MessageEvent<FollowerReply>) => deliver(e.data);
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    deliver({ ok: false, kind: 'init', error: e.message || 'the worker script failed to load' });
  };
  return { worker, next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiting.push(r))) };
}

function stopFollowers() {
  followers.forEach((f) => f.worker.terminate());
  followers = [];
  followersThreads = 0;
  followersDataVersion = -1;
}

/** Sends a message and waits for its reply (an error reply or silence throws). */
async function ask(f: Follower, m: FollowerMessage, ms: number): Promise<FollowerReply> {
  f.worker.postMessage(m);
  const r = await within(f.next(), ms);
  if (!r) throw new Error(`no answer in ${Math.round(ms / 1000)} s`);
  if (!r.ok) throw new Error(r.error);
  return r;
}

/**
 * Gets the followers of `plan` ready for a run of `graph` from the model's current weights: started
 * (WASM on the plan's threads), holding the training data and the model. Returns the leader's
 * exchange, or throws why not. The run's end replies are in `done`.
 */
async function startFollowers(plan: ParallelPlan, c: CompiledGraph, graph: GraphDoc, settings: TrainSettings, done: Promise<FollowerReply>[]): Promise<GradientExchange> {
  if (!data) throw new Error('no data');
  if (followers.length !== plan.workers - 1 || followersThreads !== plan.threadsPerWorker) {
    stopFollowers();
    followers = Array.from({ length: plan.workers - 1 }, startFollower);
    followersThreads = plan.threadsPerWorker;
    await Promise.all(followers.map((f) => ask(f, { kind: 'init', threads: plan.threadsPerWorker }, 60_000)));
  }
  if (followersDataVersion !== dataVersion) {
    const d = data;
    const share = { train: d.train, shape: d.shape, task: d.task, classes: d.classes };
    await Promise.all(followers.map((f) => ask(f, { kind: 'data', version: dataVersion, data: share }, 60_000)));
    followersDataVersion = dataVersion;
  }
  const spec = exchangeSpec(c.model, plan.workers, settings.batchSize);
  const buffer = GradientExchange.create(spec);
  const weights = c.model.getWeights().map((w) => w.dataSync() as Float32Array);
  await Promise.all(
    followers.map(async (f, k) => {
      await ask(f, { kind: 'run', graph, settings, weights, buffer, spec, rank: k + 1 }, 60_000);
      done.push(f.next());
    }),
  );
  return new GradientExchange(buffer, spec, 0);
}

/** What makes two graphs the same network (weights can carry over): everything but layout and text. */
export function structureSignature(graph: GraphDoc): string {
  // The network itself: a block's definition counts wherever it is used.
  const doc = expandBlocks(graph);
  return JSON.stringify([doc.nodes.map((n) => [n.id, n.type, n.params]), doc.edges]);
}

/**
 * Called between batches: waits while paused, and otherwise yields to the event loop every 200 ms.
 * On WASM a batch never leaves microtasks, so without the yield a Stop or Pause message from the
 * page would only be read when the run ends.
 */
function betweenBatches(): Promise<void> {
  if (paused) return new Promise<void>((resolve) => resumeWaiters.push(resolve));
  if (performance.now() - lastYield < 200) return Promise.resolve();
  return new Promise<void>((resolve) =>
    setTimeout(() => {
      lastYield = performance.now();
      resolve();
    }, 0),
  );
}

function sizeOf(d: Pick<TrainData, 'shape'>) {
  return d.shape[0] * d.shape[1] * d.shape[2];
}

/** The invariance lab's transform of the probe image (identity unless its sliders moved). */
let probeTransform: ProbeTransform = IDENTITY_TRANSFORM;

function rawProbeImage(): Float32Array | null {
  if (!data) return null;
  if ('image' in probe) return probe.image;
  const split = probe.split === 'test' && data.test.count ? data.test : data.train;
  return imageOf(split, Math.min(probe.index, split.count - 1), sizeOf(data));
}

/** The probe image as the network sees it: with the invariance lab's transform applied. */
function probeImage(): Float32Array | null {
  const raw = rawProbeImage();
  if (!raw || !data || isIdentityTransform(probeTransform)) return raw;
  return transformImage(raw, data.shape, probeTransform);
}

function probeLabel(): number | null {
  if (!data || 'image' in probe) return null;
  const split = probe.split === 'test' && data.test.count ? data.test : data.train;
  return split.count ? split.labels[Math.min(probe.index, split.count - 1)]! : null;
}

async function loadData(spec: DatasetSpec): Promise<TrainData> {
  switch (spec.kind) {
    case 'mnist': {
      const { loadMnist } = await import('./data/mnist');
      const { fetchReader } = await import('./data/browser-readers');
      return loadMnist(fetchReader('/datasets/mnist/'));
    }
    case 'fashion-mnist': {
      const { loadFashionMnist } = await import('./data/fashion');
      const { fetchReader } = await import('./data/browser-readers');
      return loadFashionMnist(fetchReader('/datasets/fashion-mnist/'));
    }
    case 'shapes': {
      const { makeShapes } = await import('./data/shapes');
      return makeShapes({ count: spec.count ?? 6000, testCount: 1000, size: spec.size ?? 28, seed: spec.seed ?? 42 });
    }
    case 'synthetic': {
      const { syntheticTaskData } = await import('./data/synthetic');
      return syntheticTaskData(spec.name, { count: spec.count, seed: spec.seed });
    }
    case 'custom':
      return spec.data;
  }
}

function ensureCompiled(graph: GraphDoc, fresh: boolean): CompiledGraph {
  if (!data) throw new Error('Choose a dataset first.');
  const sig = structureSignature(graph);
  if (compiled && !fresh && sig === compiledSignature) return compiled;
  compiled?.model.dispose();
  compiled = null;
  compiled = compileForData(graph, data);
  compiledSignature = sig;
  compiledGraph = graph;
  weightSnapshot = null;
  weightsOrigin = { kind: 'untrained' };
  if (loaded && loaded.signature === sig) {
    setWeightsByName(compiled.model, loaded.weights);
    weightsOrigin = loaded.origin;
  }
  return compiled;
}

function gpuDevice(): GPUDevice | undefined {
  return tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as { device?: GPUDevice }).device : undefined;
}

/**
 * Watches a WebGPU device and reports its loss once (our own backend switch destroys it too: not a
 * loss). Resolves with the message for people when the device is lost.
 */
const watched = new WeakMap<GPUDevice, Promise<string | undefined>>();
/** The current run's callbacks: a device is watched once, and its loss is told to the run then live. */
let runEvents: TrainEvents | null = null;
function watchDevice(events: TrainEvents): Promise<string | undefined> | undefined {
  runEvents = events;
  const device = gpuDevice();
  if (!device) return undefined;
  let lost = watched.get(device);
  if (lost) return lost;
  lost = device.lost.then((info) => {
    if (info.reason === 'destroyed' && !faultInjected) return undefined;
    faultInjected = false;
    deviceLost = true;
    stopRequested = true;
    api.resume();
    const kept = weightSnapshot ? `the weights from ${weightSnapshot.at} are kept` : 'no trained weights were saved yet';
    const message = `The GPU stopped working (${info.message || info.reason}). Your graph is safe and ${kept}; switch to another backend to go on.`;
    runEvents?.onDeviceLost(message, 'webgl');
    return message;
  });
  watched.set(device, lost);
  return lost;
}

/** Activates a backend (see api.init), keeping the weights so far. */
async function switchBackend(prefer?: BackendName[], wasmThreads?: number, workers?: number) {
  // Keep the weights so far: copy them off the old backend if it still answers (a lost GPU does
  // not: then the last copy taken during the run is used), and rebuild the model on the new one.
  if (!deviceLost) await within(snapshotWeights().catch(() => undefined), 5000);
  deviceLost = false;
  try {
    compiled?.model.dispose();
  } catch {
    /* a lost device cannot free its memory */
  }
  compiled = null;
  const info = await initBackend(prefer, { wasmThreads, workers });
  if (info.name !== 'wasm') stopFollowers();
  backend = info;
  restoreSnapshot();
  return { ...info, keptWeights: compiled && weightSnapshot ? weightSnapshot.at : undefined };
}

/**
 * Backend switches run one at a time: two at once (React StrictMode runs the page's start-up
 * effects twice in development) interleave `tf.setBackend` calls, and the loser used to report
 * "wasm: tf.setBackend('wasm') failed; cpu: Backend 'cpu' has not yet been initialized".
 */
let initQueue: Promise<unknown> = Promise.resolve();

/** What the lab modules (src/training/labs/) may use of the worker's state. */
const labs: WorkerContext = {
  tf,
  data: () => data,
  dataName: () => dataName,
  compiled: (graph) => ensureCompiled(graph, false),
  probeImage,
  rawProbeImage,
  probeLabel,
  probeTransform: () => probeTransform,
};

const api: TrainerApi = {
  init(prefer?: BackendName[], opts?: { wasmThreads?: number; workers?: number }) {
    const next = initQueue.then(() => switchBackend(prefer, opts?.wasmThreads, opts?.workers));
    initQueue = next.catch(() => undefined);
    return next;
  },

  async loadDataset(spec) {
    // Only the latest request counts: a slow MNIST load must not replace a folder chosen meanwhile.
    const seq = ++loadSeq;
    const loaded = await loadData(spec);
    if (seq !== loadSeq) throw new Error('superseded by a newer dataset');
    data = loaded;
    dataVersion++;
    dataName = spec.kind === 'custom' ? spec.name : spec.kind === 'synthetic' ? spec.name : spec.kind;
    compiled?.model.dispose();
    compiled = null;
    weightSnapshot = null;
    probe = { split: 'test', index: 0 };
    const info: DatasetInfo = { name: dataName, task: data.task ?? 'classification', classes: data.classes, shape: data.shape, trainCount: data.train.count, testCount: data.test.count };
    return info;
  },

  async samples(split, indices) {
    if (!data) return [];
    const s = split === 'test' && data.test.count ? data.test : data.train;
    const pixels = data.shape[0] * data.shape[1];
    return indices
      .filter((i) => i >= 0 && i < s.count)
      .map((index): Sample => ({
        index,
        label: s.labels[index]!,
        image: imageOf(s, index, sizeOf(data!)),
        ...(s.masks ? { mask: s.masks.slice(index * pixels, (index + 1) * pixels) } : {}),
        ...(s.boxes ? { boxes: (s.boxes[index] ?? []).map(({ cls, x, y, w, h }) => ({ cls, x, y, w, h })) } : {}),
      }));
  },

  async train(graph, settings: TrainSettings, events, resume = false) {
    if (!data) throw new Error('Choose a dataset first.');
    stopRequested = false;
    paused = false;
    const c = ensureCompiled(graph, !resume);
    if (!resume) runPosition = 'the start of the run';
    const lost = backend?.name === 'webgpu' ? watchDevice(events) : undefined;
    lastSnapshotAt = performance.now();
    // Data-parallel on WASM: followers train shares of each batch from the same starting weights,
    // so those are set here (seeded as trainModel would) and sent along.
    const plan = backend?.name === 'wasm' ? backend.parallel : undefined;
    let parallel: GradientExchange | undefined;
    const followersDone: Promise<FollowerReply>[] = [];
    if (plan && plan.workers > 1) {
      if (!resume) seedWeights(tf, c.model, settings.seed);
      followerError = '';
      try {
        parallel = await startFollowers(plan, c, graph, settings, followersDone);
        events.onParallel?.({ workers: plan.workers, threadsPerWorker: plan.threadsPerWorker });
      } catch (e) {
        stopFollowers();
        const why = `the other training workers did not start (${e instanceof Error ? e.message : String(e)})`;
        backend = { ...backend!, parallel: { ...plan, workers: 1, why, fellBack: true } };
        events.onParallel?.({ workers: 1, threadsPerWorker: plan.threadsPerWorker, why, fellBack: true });
      }
    }
    const run = trainModel(tf, c, data, settings, {
      parallel,
      onBatch: (p) => {
        runPosition = `epoch ${p.epoch}, batch ${p.batch}`;
        weightsOrigin = { kind: 'trained', epoch: p.epoch, batch: p.batch, continued: resume };
        events.onBatch(p);
      },
      onEpoch: (m) => events.onEpoch(m),
      onFeatureMaps: (maps) => events.onFeatureMaps(maps),
      onEvaluating: () => events.onEvaluating(),
      probeImage,
      keepWeights: resume || Boolean(plan && plan.workers > 1),
      featureMapInterval: 400,
      shouldStop: () => stopRequested,
      // Between batches: answer messages, wait while paused, and on a GPU keep a CPU copy of the
      // weights every few seconds in case the device is lost.
      waitWhilePaused: async () => {
        if (paused) await within(snapshotWeights(), 5000).catch(() => undefined);
        await betweenBatches();
        await maybeSnapshot().catch(() => undefined);
      },
    });
    try {
      const outcome = await run;
      if (followersDone.length) await within(Promise.all(followersDone), 10_000);
      return outcome;
    } catch (e) {
      if (e instanceof WorkerFailed || e instanceof ExchangeTimeout) {
        // A follower died or hung: the next run starts them afresh.
        stopFollowers();
        throw new Error(`${e.message}${followerError ? ` (${followerError})` : ''} Train again to retry; ?workers=1 in the address trains in one worker.`);
      }
      // A dying GPU fails the batch in flight ("mapAsync … unmapped") just before it reports its
      // loss: then the run ends as stopped, and the loss message tells the user what to do.
      const message = lost && (deviceLost ? await lost : await within(lost, 2000));
      if (message) return { status: 'stopped', message: 'Stopped: the GPU was lost.', epochs: [], trainImages: 0, imagesPerSecond: 0, seconds: 0 };
      throw e;
    }
  },

  pause() {
    paused = true;
  },

  resume() {
    paused = false;
    const waiters = resumeWaiters;
    resumeWaiters = [];
    waiters.forEach((r) => r());
  },

  stop() {
    stopRequested = true;
    api.resume();
  },

  async saveModel(graph, seed, run) {
    const sig = structureSignature(graph);
    let model: tf.LayersModel;
    let origin: WeightsOrigin;
    let temporary = false;
    if (compiled && sig === compiledSignature) {
      model = compiled.model;
      origin = weightsOrigin;
    } else {
      // No dataset yet, or another network: build it here, with the loaded or seeded weights.
      model = compileGraph(graph).model;
      temporary = true;
      if (loaded && loaded.signature === sig) {
        setWeightsByName(model, loaded.weights);
        origin = loaded.origin;
      } else {
        seedWeights(tf, model, seed);
        origin = { kind: 'untrained', seed };
      }
    }
    let a: tf.io.ModelArtifacts;
    let reference: SavedModel['reference'];
    try {
      a = await saveArtifacts(model);
      if (run) {
        const y = tf.tidy(() => model.predict(tf.tensor(run.images, run.shape)) as tf.Tensor);
        // A copy: its buffer is transferred to the page, and a backend may still own the one data() gives.
        reference = { data: Float32Array.from((await y.data()) as Float32Array), shape: y.shape };
        y.dispose();
      }
    } finally {
      if (temporary) model.dispose();
    }
    const result: SavedModel = {
      modelTopology: a.modelTopology as object,
      weightSpecs: a.weightSpecs ?? [],
      weightData: concatWeightData(a.weightData),
      format: a.format,
      generatedBy: a.generatedBy,
      convertedBy: a.convertedBy,
      trainingConfig: a.trainingConfig as object | undefined,
      origin,
      ...(reference && { reference }),
    };
    return Comlink.transfer(result, reference ? [result.weightData, reference.data.buffer as ArrayBuffer] : [result.weightData]);
  },

  async weightsOrigin(graph) {
    const sig = structureSignature(graph);
    if (compiled && sig === compiledSignature) return weightsOrigin;
    if (loaded && loaded.signature === sig) return loaded.origin;
    return { kind: 'untrained' };
  },

  async loadWeights(graph, weights, origin) {
    // The page has checked the weights against the graph (readModelFiles); setting them by name
    // checks again, and a mismatch is reported to the one who opened the file.
    loaded = { signature: structureSignature(graph), weights, origin };
    weightSnapshot = null;
    if (!data) return;
    try {
      ensureCompiled(graph, true);
    } catch (e) {
      if (e instanceof ModelFileError) {
        loaded = null;
        throw e;
      }
      /* the dataset does not fit this graph (yet): the weights apply once one does */
    }
  },

  simulateFollowerFailure() {
    followerFault = true;
    stopFollowers();
  },

  async simulateDeviceLoss() {
    const device = gpuDevice();
    if (!device) throw new Error(`There is no WebGPU device to lose: training runs on ${tf.getBackend()}.`);
    faultInjected = true;
    device.destroy();
  },

  setProbe(p) {
    probe = p;
  },

  setProbeTransform(t) {
    probeTransform = { ...t };
  },

  async predict(graph): Promise<Prediction> {
    if (!data) throw new Error('Choose a dataset first.');
    const c = ensureCompiled(graph, false);
    const image = probeImage();
    if (!image) throw new Error('No image to look at.');
    const maps = await featureMaps(tf, c, image, data.shape);
    const out = maps.find((m) => m.nodeId === c.analysis.outputId);
    const probabilities = out && out.kind !== 'grid' ? Array.from(out.values) : [];
    // Segmentation and detection: the mask or boxes, with the truth only for an unchanged dataset image.
    const truthSplit: 'test' | 'train' = 'image' in probe ? 'train' : probe.split === 'test' && data.test.count ? 'test' : 'train';
    const truthAt = 'image' in probe || !isIdentityTransform(probeTransform) ? null : { split: truthSplit, index: Math.min(probe.index, data[truthSplit].count - 1) };
    const task = await taskPrediction(tf, c, data, image, truthAt);
    return task ? { probabilities, maps, task } : { probabilities, maps };
  },

  async nodeDetail(nodeId) {
    if (!data || !compiled) return { map: null, kernels: null };
    const image = probeImage();
    const maps = image ? await featureMaps(tf, compiled, image, data.shape, { only: new Set([nodeId]), maxChannels: 256, maxTile: 112, maxBars: 4096 }) : [];
    return { map: maps[0] ?? null, kernels: await kernelPicture(tf, compiled, nodeId) };
  },

  ...invarianceApi(labs),
  ...explainApi(labs),
  ...windowApi(labs),
  ...kernelLabApi(labs),
  ...trackingApi(labs),
};

Comlink.expose(api);
