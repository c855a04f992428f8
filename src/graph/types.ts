/** The LayerLab graph document (file format version 1; see README "File format"). */
import type { ParamCount, Shape } from '../../nodes/types';
import type { TrainingSettingsValues } from './training-settings';

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

export { DATASETS, OPTIMIZERS, TRAINING_DEFAULTS } from './training-settings';

/**
 * A graph's training settings (every one optional). Their kinds, defaults, bounds and docs are
 * declared once, in training-settings.ts (TRAINING_SETTINGS); TRAINING_DEFAULTS is derived there.
 */
export type TrainingSettings = TrainingSettingsValues;

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
