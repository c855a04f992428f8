/**
 * The typed protocol between the editor and the training Web Worker (exposed with comlink).
 * The worker owns the dataset, the compiled model and its weights; the page sends it a copy of
 * the graph at the start of a run (so editing never disturbs a live run) and receives throttled
 * progress, metrics and feature maps through the callbacks it passes in.
 */
import type { NamedWeight, WeightsOrigin } from '../model/weights';
import type { GraphDoc } from '../graph/types';
import type { BackendAttempt, BackendName, WasmThreads } from './backend';
import type { FeatureMap } from './feature-maps';
import type { ProbeTransform } from '../labs/transforms';
import type { ExplainApi } from './labs/explain';
import type { InvarianceApi } from './labs/invariance';
import type { KernelLabApi } from './labs/kernel-lab';
import type { TrackingApi } from './labs/tracking';
import type { WindowApi } from './labs/window';
import type { BatchProgress, EpochMetrics, TrainData, TrainOutcome, TrainSettings } from './trainer';

export type DatasetSpec =
  | { kind: 'mnist' }
  | { kind: 'fashion-mnist' }
  | { kind: 'shapes'; count?: number; size?: number; seed?: number }
  /** A built-in set for segmentation or detection (src/training/data/synthetic.ts). */
  | { kind: 'synthetic'; name: import('./data/synthetic').SyntheticTaskSet; count?: number; seed?: number }
  /** Images the page decoded (a folder of class sub-folders); transferred to the worker. */
  | { kind: 'custom'; name: string; data: TrainData };

export interface DatasetInfo {
  name: string;
  /** What its labels are: a class per image (default), masks or boxes. */
  task?: import('../graph/training-settings').TaskName;
  classes: string[];
  shape: [number, number, number];
  trainCount: number;
  testCount: number;
}

export interface BackendInfo {
  name: BackendName;
  tried: BackendAttempt[];
  adapterInfo?: string;
  /** WASM: the threads running, and why not more ("page not cross-origin isolated"). */
  wasmThreads?: WasmThreads;
  /** WASM: the data-parallel plan (training workers sharing each batch, their threads, why only one). */
  parallel?: import('./backend').ParallelPlan;
  /** After a switch: the trained weights were carried over, from this point of the run ("epoch 1, batch 37"). */
  keptWeights?: string;
}

export interface Sample {
  /** Per-sample floats 0–1, h*w*c. */
  image: Float32Array;
  label: number;
  index: number;
  /** Segmentation sets: the sample's mask (h*w class indices, classes[0] the background). */
  mask?: Uint8Array;
  /** Detection sets: the sample's boxes in pixels (top-left corner, size, 0-based class). */
  boxes?: import('../tasks/detection').PixelBox[];
}

export interface Prediction {
  probabilities: number[];
  maps: FeatureMap[];
  /** Segmentation or detection: the predicted mask or boxes of the probe image, and its ground truth when it is a dataset image. */
  task?: import('./task-probe').TaskPrediction;
}

/** A model as TensorFlow.js saves it (what `tf.io.withSaveHandler` receives), with its weights in one buffer. */
export interface SavedModel {
  modelTopology: object;
  weightSpecs: { name: string; shape: number[]; dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64' }[];
  weightData: ArrayBuffer;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: object;
  /** Which weights these are (describeWeightsOrigin words it for people). */
  origin: WeightsOrigin;
  /** The model's outputs for the inputs saveModel was asked to run (to check an exported file against). */
  reference?: { data: Float32Array; shape: number[] };
}

export interface TrainEvents {
  onBatch(p: BatchProgress): void;
  onEpoch(m: EpochMetrics): void;
  onFeatureMaps(maps: FeatureMap[]): void;
  /** Training is over; the test set is being scored. */
  onEvaluating(): void;
  /** The GPU was lost mid-run: the weights so far are kept; `fallback` is the backend offered next. */
  onDeviceLost(message: string, fallback: BackendName): void;
  /** WASM data-parallel training: how many workers this run trains with (and why one, if it fell back). */
  onParallel?(p: import('./backend').ParallelPlan): void;
}

export interface TrainerApi extends InvarianceApi, ExplainApi, WindowApi, KernelLabApi, TrackingApi {
  /** `wasmThreads`: WASM threads to ask for (default all cores; only the worker's first WASM start counts). */
  init(prefer?: BackendName[], opts?: { wasmThreads?: number; workers?: number }): Promise<BackendInfo>;
  loadDataset(spec: DatasetSpec): Promise<DatasetInfo>;
  samples(split: 'train' | 'test', indices: number[]): Promise<Sample[]>;
  /** Trains the graph (fresh weights unless `resume` and the graph's structure is unchanged). */
  train(graph: GraphDoc, settings: TrainSettings, events: TrainEvents, resume?: boolean): Promise<TrainOutcome>;
  pause(): void;
  resume(): void;
  stop(): void;
  /**
   * The model of this graph as TensorFlow.js files would hold it: the current weights when the
   * worker has this network (trained, loaded or the probe's), else fresh ones from `seed`. With
   * `run` (NHWC images), also the model's outputs for them, from the same weights (`reference`).
   */
  saveModel(graph: GraphDoc, seed: number, run?: { images: Float32Array; shape: number[] }): Promise<SavedModel>;
  /** Which weights `saveModel` would give now. */
  weightsOrigin(graph: GraphDoc): Promise<WeightsOrigin>;
  /**
   * Weights from a trained model file, for this graph: used whenever the worker builds this exact
   * network (now, and after a dataset or backend change) until another graph's weights are loaded.
   * Train starts afresh; Continue trains on from them.
   */
  loadWeights(graph: GraphDoc, weights: NamedWeight[], origin: WeightsOrigin): Promise<void>;
  /**
   * Fault injection for tests (exposed on the page only with ?faults=1): destroys the WebGPU
   * device as a driver crash would, so the device-loss path can be exercised on purpose.
   */
  simulateDeviceLoss(): Promise<void>;
  /** Fault injection for tests (?faults=1): data-parallel followers fail to start from now on. */
  simulateFollowerFailure(): void;
  /** Where feature maps come from: a test image, or an image of the user's (drawn or dropped). */
  setProbe(probe: { split: 'test' | 'train'; index: number } | { image: Float32Array }): void;
  /** The invariance lab's transform of the probe image (shift, rotation, scale, brightness); predict and every lab use it. */
  setProbeTransform(t: ProbeTransform): void;
  /** Prediction and every node's feature maps for the current probe image, trained or not. */
  predict(graph: GraphDoc): Promise<Prediction>;
  /** All channels of one node, large, for the detail view; and its learned kernels if it has any. */
  nodeDetail(nodeId: string): Promise<{ map: FeatureMap | null; kernels: Awaited<ReturnType<typeof import('./feature-maps').kernelPicture>> }>;
}
