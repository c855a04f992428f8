/**
 * The dataset a graph trains on, as a spec the worker can load: the Train tab and the Probe tab
 * both load it (the probe must work on a fresh page that never opened the Train tab). A folder of
 * your own images cannot be loaded from the graph alone: null then.
 */
import { DEFAULT_DATASET } from '../graph/training-settings';
import { TRAINING_DEFAULTS, type GraphDoc } from '../graph/types';
import type { DatasetSpec } from './protocol';

/** The graph's dataset name (the settings table's default unless its training settings say otherwise). */
export function graphDatasetName(doc: GraphDoc) {
  return doc.training?.dataset ?? DEFAULT_DATASET;
}

export function graphDatasetSpec(doc: GraphDoc): DatasetSpec | null {
  const name = graphDatasetName(doc);
  if (name === 'custom') return null;
  if (name === 'shapes-masks' || name === 'cells' || name === 'shapes-boxes') return { kind: 'synthetic', name, seed: doc.training?.seed ?? TRAINING_DEFAULTS.seed };
  if (name !== 'shapes') return { kind: name };
  const size = (doc.nodes.find((n) => n.type === 'input')?.params.shape as number[] | undefined)?.[0];
  return { kind: 'shapes', size: size && size <= 128 ? size : 28, seed: doc.training?.seed ?? TRAINING_DEFAULTS.seed };
}
