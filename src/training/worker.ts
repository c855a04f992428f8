/// <reference lib="webworker" />
/**
 * The training Web Worker: owns the backend, the dataset, the compiled model and its weights,
 * and runs the same training loop as `layerlab train`. The editor talks to it through the typed
 * TrainerApi (comlink), so the page never blocks on TensorFlow.js.
 */
import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import type { CompiledGraph } from '../compiler/compile';
import type { GraphDoc } from '../graph/types';
import { initBackend, type BackendName } from './backend';
import { featureMaps, kernelPicture } from './feature-maps';
import type { BackendInfo, DatasetInfo, DatasetSpec, Prediction, Sample, TrainerApi, TrainEvents } from './protocol';
import { compileForData, imageOf, trainModel, type TrainData, type TrainSettings } from './trainer';

let backend: BackendInfo | null = null;
let data: TrainData | null = null;
let dataName = '';
let compiled: CompiledGraph | null = null;
let compiledSignature = '';
let compiledGraph: GraphDoc | null = null;
/** The weights so far, copied to CPU memory: they survive a backend switch or a lost GPU. */
let weightSnapshot: { shapes: number[][]; values: Float32Array[] } | null = null;

async function snapshotWeights() {
  if (!compiled) return;
  const ws = compiled.model.getWeights();
  weightSnapshot = { shapes: ws.map((w) => w.shape), values: await Promise.all(ws.map((w) => w.data() as Promise<Float32Array>)) };
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
let loadSeq = 0;
let stopRequested = false;
let paused = false;
let lastYield = 0;
let resumeWaiters: (() => void)[] = [];
let probe: { split: 'test' | 'train'; index: number } | { image: Float32Array } = { split: 'test', index: 0 };

/** What makes two graphs the same network (weights can carry over): everything but layout and text. */
export function structureSignature(doc: GraphDoc): string {
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

function probeImage(): Float32Array | null {
  if (!data) return null;
  if ('image' in probe) return probe.image;
  const split = probe.split === 'test' && data.test.count ? data.test : data.train;
  return imageOf(split, Math.min(probe.index, split.count - 1), sizeOf(data));
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
  return compiled;
}

/** Watches a WebGPU device and reports its loss once. */
function watchDevice(events: TrainEvents) {
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  void device?.lost.then((info) => {
    if (info.reason === 'destroyed') return;
    stopRequested = true;
    events.onDeviceLost(`The GPU stopped working (${info.message || info.reason}). Your graph is safe; switch to another backend to go on.`, 'webgl');
  });
}

const api: TrainerApi = {
  async init(prefer?: BackendName[]) {
    // Keep the weights so far: copy them off the old backend if it still answers (a lost GPU does
    // not: then the copy from the last epoch is used), and rebuild the model on the new one.
    await snapshotWeights().catch(() => undefined);
    try {
      compiled?.model.dispose();
    } catch {
      /* a lost device cannot free its memory */
    }
    compiled = null;
    const info = await initBackend(prefer);
    backend = info;
    restoreSnapshot();
    return info;
  },

  async loadDataset(spec) {
    // Only the latest request counts: a slow MNIST load must not replace a folder chosen meanwhile.
    const seq = ++loadSeq;
    const loaded = await loadData(spec);
    if (seq !== loadSeq) throw new Error('superseded by a newer dataset');
    data = loaded;
    dataName = spec.kind === 'custom' ? spec.name : spec.kind;
    compiled?.model.dispose();
    compiled = null;
    weightSnapshot = null;
    probe = { split: 'test', index: 0 };
    const info: DatasetInfo = { name: dataName, classes: data.classes, shape: data.shape, trainCount: data.train.count, testCount: data.test.count };
    return info;
  },

  async samples(split, indices) {
    if (!data) return [];
    const s = split === 'test' && data.test.count ? data.test : data.train;
    return indices.filter((i) => i >= 0 && i < s.count).map((index): Sample => ({ index, label: s.labels[index]!, image: imageOf(s, index, sizeOf(data!)) }));
  },

  async train(graph, settings: TrainSettings, events, resume = false) {
    if (!data) throw new Error('Choose a dataset first.');
    stopRequested = false;
    paused = false;
    const c = ensureCompiled(graph, !resume);
    if (backend?.name === 'webgpu') watchDevice(events);
    return trainModel(tf, c, data, settings, {
      onBatch: (p) => events.onBatch(p),
      onEpoch: (m) => {
        events.onEpoch(m);
        // On a GPU, keep a CPU copy of the weights at each epoch end in case the device is lost.
        if (backend?.name === 'webgpu' || backend?.name === 'webgl') void snapshotWeights();
      },
      onFeatureMaps: (maps) => events.onFeatureMaps(maps),
      onEvaluating: () => events.onEvaluating(),
      probeImage,
      keepWeights: resume,
      featureMapInterval: 400,
      shouldStop: () => stopRequested,
      waitWhilePaused: betweenBatches,
    });
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

  setProbe(p) {
    probe = p;
  },

  async predict(graph): Promise<Prediction> {
    if (!data) throw new Error('Choose a dataset first.');
    const c = ensureCompiled(graph, false);
    const image = probeImage();
    if (!image) throw new Error('No image to look at.');
    const maps = await featureMaps(tf, c, image, data.shape);
    const out = maps.find((m) => m.nodeId === c.analysis.outputId);
    const probabilities = out && out.kind !== 'grid' ? Array.from(out.values) : [];
    return { probabilities, maps };
  },

  async nodeDetail(nodeId) {
    if (!data || !compiled) return { map: null, kernels: null };
    const image = probeImage();
    const maps = image ? await featureMaps(tf, compiled, image, data.shape, { only: new Set([nodeId]), maxChannels: 256, maxTile: 112, maxBars: 4096 }) : [];
    const hasKernel = compiled.model.getLayer(nodeId).getClassName().startsWith('Conv2D');
    return { map: maps[0] ?? null, kernels: hasKernel ? await kernelPicture(tf, compiled, nodeId) : null };
  },
};

Comlink.expose(api);
