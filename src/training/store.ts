/**
 * The page's view of training: backend, dataset, the live run's progress, metrics for the charts,
 * the latest feature maps per node, the result, and notices for people. Only the worker client
 * writes here; views read it (the editor shows `notice` with its own notices: training never
 * imports the editor).
 */
import { create } from 'zustand';
import type { FeatureMap } from './feature-maps';
import type { BackendInfo, DatasetInfo } from './protocol';
import type { BatchProgress, EpochMetrics, TestResult } from './trainer';

export type RunPhase = 'idle' | 'loading' | 'training' | 'paused' | 'evaluating' | 'done' | 'stopped' | 'diverged' | 'error';

export interface ChartPoint {
  /** Progress in epochs (e.g. 1.5 = half way through epoch 2). */
  x: number;
  loss: number;
  accuracy: number;
}

/** A message for people from training ("The wasm backend is not available here; using cpu."). */
export interface TrainingNotice {
  kind: 'error' | 'info';
  text: string;
  /** Counts notices, so the same text twice is still two notices. */
  id: number;
}

export interface TrainingState {
  backend: BackendInfo | null;
  dataset: DatasetInfo | null;
  datasetError: string | null;
  /** Files of a custom dataset that could not be read (listed, not fatal). */
  skipped: { name: string; reason: string }[];
  phase: RunPhase;
  message: string | null;
  progress: BatchProgress | null;
  batches: ChartPoint[];
  epochs: EpochMetrics[];
  maps: Map<string, FeatureMap>;
  /** Counts feature-map refreshes (tests and the UI watch it). */
  mapsVersion: number;
  prediction: number[] | null;
  result: TestResult | null;
  deviceLost: { message: string; fallback: string } | null;
  /** Weights from an opened model file are in the worker ("model.zip"): Continue trains on from them. */
  loadedWeights: string | null;
  /** The latest notice (see TrainingNotice). */
  notice: TrainingNotice | null;
  set(patch: Partial<TrainingState>): void;
}

export const useTraining = create<TrainingState>()((set) => ({
  backend: null,
  dataset: null,
  datasetError: null,
  skipped: [],
  phase: 'idle',
  message: null,
  progress: null,
  batches: [],
  epochs: [],
  maps: new Map(),
  mapsVersion: 0,
  prediction: null,
  result: null,
  deviceLost: null,
  loadedWeights: null,
  notice: null,
  set: (patch) => set(patch),
}));
