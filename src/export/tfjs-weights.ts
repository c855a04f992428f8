/**
 * Loading opened model files into TensorFlow.js (this module imports tfjs). The helpers that move
 * named weights in and out of models live in src/model/tfjs-weights.ts (shared with training) and
 * are re-exported here for the exporters and the CLI.
 */
import * as tf from '@tensorflow/tfjs';
import { compileGraph, type CompiledGraph } from '../compiler/compile';
import { setWeightsByName } from '../model/tfjs-weights';
import { ModelFileError } from './model-file-error';
import { modelArtifactsOf, type OpenedModel } from './open-model';

export { namedWeights, saveArtifacts, setWeightsByName } from '../model/tfjs-weights';

type TF = typeof tf;

/**
 * Compiles the opened model's graph (layer names = node ids, with the probe model for feature
 * maps) and sets its weights by name. The caller disposes `model` (the probe shares its weights).
 */
export function compileOpenedModel(opened: Pick<OpenedModel, 'graph' | 'weights'> & Partial<Pick<OpenedModel, 'analysis'>>): CompiledGraph {
  const compiled = compileGraph(opened.graph, opened.analysis);
  try {
    setWeightsByName(compiled.model, opened.weights);
  } catch (e) {
    compiled.model.dispose();
    throw e;
  }
  return compiled;
}

/**
 * Loads the opened model. `via: 'graph'` (the default) compiles the graph and sets the weights
 * by name (see compileOpenedModel); `via: 'topology'` loads model.json's own topology with
 * `tf.loadLayersModel(tf.io.fromMemory(…))`, as any tfjs app would.
 */
export async function loadOpenedModel(tfjs: TF, opened: OpenedModel, opts: { via?: 'graph' | 'topology' } = {}): Promise<tf.LayersModel> {
  if ((opts.via ?? 'graph') === 'graph') return compileOpenedModel(opened).model;
  try {
    return await tfjs.loadLayersModel(tfjs.io.fromMemory(modelArtifactsOf(opened)));
  } catch (e) {
    throw new ModelFileError(`TensorFlow.js could not load this model.json: ${e instanceof Error ? e.message : String(e)}`);
  }
}
