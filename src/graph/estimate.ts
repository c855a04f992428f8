/**
 * Rough sizes for the totals bar: the model's weights on disk, and the memory one training step
 * needs for a batch size (weights, gradients, optimizer state, activations and their gradients).
 * float32 throughout, as tfjs trains.
 */
import { product } from '../../nodes/shape';
import type { Analysis } from './analyze';
import type { TrainingSettings } from './types';

const BYTES = 4;

/** Extra float32 copies of every trainable weight that each optimizer keeps. */
export const OPTIMIZER_SLOTS: Record<NonNullable<TrainingSettings['optimizer']>, number> = {
  sgd: 0,
  momentum: 1,
  rmsprop: 1,
  adam: 2,
};

export interface SizeEstimate {
  /** Bytes of the saved weights. */
  modelBytes: number;
  /** Bytes needed to train one batch. */
  trainingBytes: number;
  /** Values in all activations of one sample. */
  activationsPerSample: number;
}

export function estimateSizes(analysis: Analysis, batchSize: number, optimizer: TrainingSettings['optimizer'] = 'adam'): SizeEstimate {
  const { trainable, nonTrainable } = analysis.totals;
  let activationsPerSample = 0;
  for (const n of analysis.nodes.values()) if (n.outputShape) activationsPerSample += product(n.outputShape);
  const weights = (trainable + nonTrainable) * BYTES;
  const gradients = trainable * BYTES;
  const slots = trainable * BYTES * OPTIMIZER_SLOTS[optimizer ?? 'adam'];
  // Forward activations are kept for the backward pass, which produces a gradient for each.
  const activations = activationsPerSample * batchSize * BYTES * 2;
  return { modelBytes: weights, trainingBytes: weights + gradients + slots + activations, activationsPerSample };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(bytes < 10 * 1024 ** 2 ? 2 : 1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}
