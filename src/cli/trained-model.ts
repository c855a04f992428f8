/**
 * A trained model from disk for the commands that evaluate one (`layerlab robustness`, `layerlab
 * explain`): the folder (or model.json, or .zip) that `layerlab train --out` writes, read and
 * checked as the app opens model files, compiled with its weights, with the dataset its graph
 * names (`--dataset` may choose another of the same image shape). Node only.
 */
import type { CompiledGraph } from '../compiler/compile';
import { DEFAULT_DATASET } from '../graph/training-settings';
import type { GraphDoc } from '../graph/types';
import type { TrainData } from '../training/trainer';

export interface TrainedModel {
  doc: GraphDoc;
  compiled: CompiledGraph;
  data: TrainData;
  /** Which backend runs it (wasm unless asked otherwise). */
  backend: string;
}

export const DATASET_CHOICES = ['mnist', 'fashion-mnist', 'shapes'] as const;
export type DatasetChoice = (typeof DATASET_CHOICES)[number];

/**
 * Reads MODEL_DIR, sets a backend (wasm by default), loads the dataset and compiles the graph with
 * the trained weights. Throws an Error with a message for people (ModelFileError for bad files).
 */
export async function loadTrainedModel(
  dir: string,
  opts: {
    dataset?: DatasetChoice;
    limit?: number;
    backend?: 'wasm' | 'cpu';
    /**
     * Only the first N test images are used: MNIST and Fashion-MNIST are then read only that far
     * (their test images keep their order); Shapes is generated whole (its images depend on the count).
     */
    testImagesNeeded?: number;
  } = {},
): Promise<TrainedModel> {
  const { readModelDir } = await import('./model-dir');
  const { readModelFiles } = await import('../export/open-model');
  const opened = readModelFiles(readModelDir(dir));
  const task = opened.graph.training?.task ?? 'classification';
  if (task !== 'classification') {
    throw new Error(`This model does ${task}; robustness and explain measure classification models. Run \`layerlab predict ${dir} IMAGE…\` to see the ${task === 'segmentation' ? 'masks' : 'boxes'} it finds.`);
  }
  if (opened.graph.training?.dataset === 'custom' && !opts.dataset) {
    throw new Error(`This model was trained on your own images, which are not kept with it: choose a built-in test set of the same image shape with --dataset ${DATASET_CHOICES.join('|')}, or run \`layerlab predict ${dir} IMAGE…\` on your images.`);
  }
  const doc: GraphDoc = opts.dataset ? { ...opened.graph, training: { ...opened.graph.training, dataset: opts.dataset } } : opened.graph;
  const { initBackend } = await import('../training/backend');
  const backend = await initBackend([opts.backend ?? 'wasm']);
  const { loadDatasetForNode } = await import('./train');
  const dataset = doc.training?.dataset ?? DEFAULT_DATASET;
  const limit = opts.testImagesNeeded !== undefined && (dataset === 'mnist' || dataset === 'fashion-mnist') ? Math.max(60, 6 * opts.testImagesNeeded) : opts.limit;
  const data = await loadDatasetForNode(doc, limit);
  const { compileForData } = await import('../training/trainer');
  const compiled = compileForData(doc, data);
  const { setWeightsByName } = await import('../model/tfjs-weights');
  setWeightsByName(compiled.model, opened.weights);
  return { doc, compiled, data, backend: backend.name };
}
