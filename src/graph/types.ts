/** The LayerLab graph document (file format version 2; see README "File format"). */
import type { ParamCount, Shape } from '../../nodes/types';
import type { TrainingSettingsValues } from './training-settings';

export type { Shape, ParamCount };

export const FORMAT = 'layerlab-graph';
export const CURRENT_VERSION = 2;

export interface GraphNode {
  id: string;
  type: string;
  /** Params as written in the file (tfjs camelCase); omitted params take the node's default. */
  params: Record<string, unknown>;
  /** Layout in editor units. */
  position?: [number, number];
  /** Locked by an instructor (see locks.ts): in learner mode it cannot be deleted, renamed or have its params edited. */
  locked?: boolean;
  /** Params that learners cannot change (known param names of the node's type). */
  lockedParams?: string[];
  /** Params not shown to learners (face and inspector). */
  hiddenParams?: string[];
}

export interface GraphEdge {
  from: [nodeId: string, port: string];
  to: [nodeId: string, port: string];
  /** Locked by an instructor: in learner mode the wire cannot be removed. */
  locked?: boolean;
}

export { DATASETS, OPTIMIZERS, TRAINING_DEFAULTS } from './training-settings';

/**
 * A graph's training settings (every one optional). Their kinds, defaults, bounds and docs are
 * declared once, in training-settings.ts (TRAINING_SETTINGS); TRAINING_DEFAULTS is derived there.
 */
export type TrainingSettings = TrainingSettingsValues;

/**
 * A block (format version 2): nodes defined once and used as one node of type "block" any number
 * of times (see blocks.ts). Inner edges may come from an input's name: `from: ["x", "out"]`.
 */
export interface BlockDef {
  id: string;
  /** Shown on every instance ("Bottleneck"). */
  name: string;
  description?: string;
  /** The block's inputs, as inner edges name them; an instance has the ports in0, in1, … in this order. */
  inputs: string[];
  /** The inner node whose output is the block's output (an instance's port "out"). */
  output: string;
  /** Block parameters and their defaults; an inner node's param refers to one as the string "$name". */
  params?: Record<string, number | string | boolean>;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphDoc {
  format: typeof FORMAT;
  version: typeof CURRENT_VERSION;
  name: string;
  description: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Block definitions (version 2), used by nodes of type "block". */
  blocks?: BlockDef[];
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
