/**
 * The page's side of the training worker: starts it, forwards the user's actions, and turns the
 * worker's callbacks into store updates. One worker per page; a generation counter drops events
 * from a run that is no longer current.
 */
import * as Comlink from 'comlink';
import { TRAINING_DEFAULTS, type GraphDoc } from '../graph/types';
import type { NamedWeight, WeightsOrigin } from '../model/weights';
import type { ProbeTransform } from '../labs/transforms';
import type { BackendName } from './backend';
import type { FeatureMap } from './feature-maps';
import type { BackendInfo, DatasetInfo, DatasetSpec, Prediction, Sample, TrainerApi } from './protocol';
import { useTraining } from './store';
import type { TrainSettings } from './trainer';

let worker: Worker | null = null;
let api: Comlink.Remote<TrainerApi> | null = null;
let generation = 0;

/** The worker's API (started on first use); the lab modules' page sides call their methods through it. */
export function remote(): Comlink.Remote<TrainerApi> {
  if (!api) {
    worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'layerlab-trainer' });
    api = Comlink.wrap<TrainerApi>(worker);
  }
  return api;
}

const store = () => useTraining.getState();

let noticeSeq = 0;
/** A message for people, through the training store (the editor shows it). */
function notify(kind: 'error' | 'info', text: string) {
  store().set({ notice: { kind, text, id: ++noticeSeq } });
}

/** The backend order for this page: ?backend=wasm in the URL (or a saved choice) forces one. */
export function backendPreference(): BackendName[] | undefined {
  const forced = new URLSearchParams(window.location.search).get('backend') ?? localStorage.getItem('layerlab.backend');
  return forced && ['webgpu', 'webgl', 'wasm', 'cpu'].includes(forced) ? [forced as BackendName] : undefined;
}

/** WASM threads asked for by ?threads=N in the URL (the benchmark compares 1 with all cores), else undefined: all cores. */
export function wasmThreadsPreference(): number | undefined {
  const n = Number(new URLSearchParams(window.location.search).get('threads'));
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/**
 * Data-parallel training workers asked for by ?workers=N (data-parallel.ts), else undefined: one
 * worker with tfjs threads. Not the default: on this project's 2-core machine two workers trained
 * LeNet-5 in the app at 0.82× the speed of one worker on both cores (the page's own work stalls the
 * workers' lock-step; README, "Performance").
 */
export function trainingWorkersPreference(): number | undefined {
  const n = Number(new URLSearchParams(window.location.search).get('workers'));
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

let initInFlight: { key: string; done: Promise<BackendInfo> } | null = null;

/**
 * Activates a backend in the worker. A second call with the same preference while one is under way
 * (React StrictMode runs start-up effects twice) shares the first instead of racing it.
 */
export function initTrainer(prefer: BackendName[] | undefined = backendPreference()): Promise<BackendInfo> {
  const key = JSON.stringify(prefer ?? null);
  if (initInFlight?.key === key) return initInFlight.done;
  const done = remote()
    .init(prefer, { wasmThreads: wasmThreadsPreference(), workers: trainingWorkersPreference() })
    .then((info) => {
      store().set({ backend: info, deviceLost: null });
      return info;
    })
    .finally(() => {
      if (initInFlight?.done === done) initInFlight = null;
    });
  initInFlight = { key, done };
  return done;
}

export async function chooseBackend(name: BackendName) {
  localStorage.setItem('layerlab.backend', name);
  const info = await initTrainer([name]);
  if (info.name !== name) {
    notify('error', `The ${name} backend is not available here; using ${info.name}.`);
  } else if (info.keptWeights) {
    notify('info', `Now on ${info.name}, with the trained weights from ${info.keptWeights}: press Continue to train on.`);
  }
  // The dataset stays; the maps are redrawn by the next prediction.
  store().set({ maps: new Map(), prediction: null });
}

/**
 * Test-only fault injection, on the page only with ?faults=1: `window.layerlabFaults.loseDevice()`
 * destroys the worker's WebGPU device as a crashed driver would; `breakFollowers()` makes data-parallel
 * followers fail to start.
 */
export function installFaultHooks() {
  if (new URLSearchParams(window.location.search).get('faults') !== '1') return;
  (window as unknown as { layerlabFaults: unknown }).layerlabFaults = {
    loseDevice: () => remote().simulateDeviceLoss(),
    breakFollowers: () => remote().simulateFollowerFailure(),
  };
}

let datasetLoads = 0;

/** The built-in dataset being loaded now: asking for the same one again (StrictMode's second effect run, the Probe tab) waits for it. */
let builtInLoad: { key: string; done: Promise<DatasetInfo | null> } | null = null;

export function loadDataset(spec: DatasetSpec, skipped: { name: string; reason: string }[] = []): Promise<DatasetInfo | null> {
  const key = spec.kind === 'custom' ? null : JSON.stringify(spec);
  if (key !== null && builtInLoad?.key === key) return builtInLoad.done;
  const done = loadDatasetNow(spec, skipped).finally(() => {
    if (builtInLoad?.done === done) builtInLoad = null;
  });
  builtInLoad = key === null ? null : { key, done };
  return done;
}

async function loadDatasetNow(spec: DatasetSpec, skipped: { name: string; reason: string }[]) {
  const seq = ++datasetLoads;
  store().set({ phase: 'loading', message: `Loading ${spec.kind === 'custom' ? spec.name : spec.kind}…`, datasetError: null, skipped });
  try {
    const transfer = spec.kind === 'custom' ? [spec.data.train.images.buffer, spec.data.test.images.buffer] : [];
    const info = await remote().loadDataset(Comlink.transfer(spec, transfer as Transferable[]));
    if (seq !== datasetLoads) return null; // a newer choice is loading
    store().set({ dataset: info, phase: 'idle', message: null, maps: new Map(), prediction: null, result: null });
    return info;
  } catch (e) {
    if (seq === datasetLoads) store().set({ phase: 'idle', message: null, datasetError: (e as Error).message });
    return null;
  }
}

export function samples(split: 'train' | 'test', indices: number[]): Promise<Sample[]> {
  return remote().samples(split, indices);
}

function applyMaps(maps: FeatureMap[]) {
  const next = new Map(store().maps);
  for (const m of maps) next.set(m.nodeId, m);
  store().set({ maps: next, mapsVersion: store().mapsVersion + 1 });
}

export async function startTraining(graph: GraphDoc, settings: TrainSettings, resume = false) {
  const gen = ++generation;
  let finished = false;
  // Callbacks travel on their own channel and can arrive after the run's result: ignore them then.
  const current = () => gen === generation && !finished;
  store().set({ phase: 'training', loadedWeights: resume ? store().loadedWeights : null, message: null, progress: null, batches: resume ? store().batches : [], epochs: resume ? store().epochs : [], result: null, deviceLost: null });
  const epochOffset = resume ? store().epochs.length : 0;
  try {
    const outcome = await remote().train(
      graph,
      settings,
      Comlink.proxy({
        onBatch(p) {
          if (!current()) return;
          const x = epochOffset + p.epoch - 1 + p.batch / p.batchesPerEpoch;
          store().set({ progress: p, batches: [...store().batches, { x, loss: p.loss, accuracy: p.accuracy }] });
        },
        onEpoch(m) {
          if (gen !== generation) return; // may arrive after the result: still a point on the charts
          store().set({ epochs: [...store().epochs, { ...m, epoch: epochOffset + m.epoch }] }); // no phase: this can arrive after the run's result
        },
        onFeatureMaps(maps) {
          if (current()) applyMaps(maps);
        },
        onEvaluating() {
          if (current()) store().set({ phase: 'evaluating' });
        },
        onParallel(plan) {
          const b = store().backend;
          if (b) store().set({ backend: { ...b, parallel: plan } });
        },
        onDeviceLost(message, fallback) {
          if (gen !== generation) return; // (may arrive just after the run's result)
          // The run is over: whatever the dead device still answers is ignored.
          finished = true;
          store().set({ deviceLost: { message, fallback }, phase: 'stopped', message: 'Stopped: the GPU was lost.' });
        },
      }),
      resume,
    );
    if (!current()) return;
    finished = true;
    store().set({
      phase: outcome.status === 'done' ? 'done' : outcome.status,
      message: outcome.message ?? null,
      result: outcome.test ?? null,
    });
    if (outcome.status === 'diverged') notify('error', outcome.message!);
  } catch (e) {
    if (current()) store().set({ phase: 'error', message: (e as Error).message });
    finished = true;
  }
}

export function pauseTraining() {
  void remote().pause();
  store().set({ phase: 'paused' });
}

export function resumeTraining() {
  void remote().resume();
  store().set({ phase: 'training' });
}

export function stopTraining() {
  void remote().stop();
}

export async function setProbe(probe: { split: 'test' | 'train'; index: number } | { image: Float32Array }) {
  await remote().setProbe(probe);
}

/** The invariance lab's transform of the probe image; the next predict() shows its effect. */
export async function setProbeTransform(t: ProbeTransform) {
  await remote().setProbeTransform(t);
}

/** Prediction and feature maps for the probe image now, trained or not. */
export async function predict(graph: GraphDoc): Promise<Prediction | null> {
  try {
    const p = await remote().predict(graph);
    applyMaps(p.maps);
    store().set({ prediction: p.probabilities });
    return p;
  } catch (e) {
    notify('error', (e as Error).message);
    return null;
  }
}

export function nodeDetail(nodeId: string) {
  return remote().nodeDetail(nodeId);
}

/**
 * The model of this graph as TensorFlow.js saves it, with the worker's current weights (see
 * TrainerApi.saveModel); with `run`, also its outputs for those NHWC images.
 */
export async function saveModel(graph: GraphDoc, run?: { images: Float32Array; shape: number[] }) {
  if (!store().backend) await initTrainer();
  return remote().saveModel(graph, graph.training?.seed ?? TRAINING_DEFAULTS.seed, run);
}

/** Which weights saveModel would give now (describeWeightsOrigin words it). */
export function weightsOrigin(graph: GraphDoc): Promise<WeightsOrigin> {
  return remote().weightsOrigin(graph);
}

/** Hands the weights of an opened model file to the worker; the probe and Continue use them from now on. */
export async function loadTrainedWeights(graph: GraphDoc, weights: NamedWeight[], origin: Extract<WeightsOrigin, { kind: 'file' }>) {
  if (!store().backend) await initTrainer();
  await remote().loadWeights(graph, weights, origin);
  ++generation; // a run still reporting belongs to the old model
  store().set({
    phase: 'idle',
    loadedWeights: origin.name,
    message: null,
    progress: null,
    batches: [],
    epochs: [],
    result: null,
    maps: new Map(),
    prediction: null,
  });
}
