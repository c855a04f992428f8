/** The LayerLab graph document (file format version 1; see README "File format"). */
import type { ParamCount, Shape } from '../../nodes/types';

export type { Shape, ParamCount };

export const FORMAT = 'layerlab-graph';
export const CURRENT_VERSION = 1;

export interface GraphNode {
  id: string;
  type: string;
  /** Params as written in the file (tfjs camelCase); omitted params take the node's default. */
  params: Record<string, unknown>;
  /** Layout in editor units. */
  position?: [number, number];
}

export interface GraphEdge {
  from: [nodeId: string, port: string];
  to: [nodeId: string, port: string];
}

export const DATASETS = ['mnist', 'fashion-mnist', 'shapes', 'custom'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop'] as const;

export interface TrainingSettings {
  dataset?: (typeof DATASETS)[number];
  optimizer?: (typeof OPTIMIZERS)[number];
  learningRate?: number;
  batchSize?: number;
  epochs?: number;
  validationSplit?: number;
  seed?: number;
  /** Random changes applied to training images on the fly (all 0 / false: none). */
  augmentation?: { shift: number; rotation: number; zoom: number; brightness: number; flip: boolean };
}

/**
 * What training uses where a graph's settings leave something out (and what a new graph starts with):
 * the one definition, for the trainer, the editor, the CLI and the exported scripts.
 */
export const TRAINING_DEFAULTS = { optimizer: 'adam', learningRate: 0.001, batchSize: 64, epochs: 3, validationSplit: 0.1, seed: 42 } as const;

export interface GraphDoc {
  format: typeof FORMAT;
  version: typeof CURRENT_VERSION;
  name: string;
  description: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  training?: TrainingSettings;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable machine-readable code (see diagnostics.ts). */
  code: string;
  severity: Severity;
  /** The node the problem is shown on, if any. */
  nodeId?: string;
  /** Every node concerned (nodeId first). */
  nodeIds: string[];
  /** The parameter concerned, for parameter problems. */
  param?: string;
  message: string;
}
