/**
 * Moving named weights in and out of TensorFlow.js models (imports tfjs; used by the training
 * worker, the exporters and the CLI). Weights are matched by name ("<node id>/<weight>", the
 * variable's `originalName`), never by position, so a compiled graph gets its weights whatever
 * order they come in, and a mismatch is reported in words.
 */
import * as tf from '@tensorflow/tfjs';
import { formatShape } from '../../nodes/shape';
import { ModelFileError, type NamedWeight } from './weights';

const nameOf = (v: tf.LayerVariable): string => v.originalName ?? v.name;
const sameShape = (a: readonly (number | null)[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * What `model.save()` hands a save handler: topology, weight specs and weights, in memory. (Files
 * are written by the caller: model.save('downloads://') needs `document`, absent in the worker.)
 */
export async function saveArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return saved!;
}

/**
 * Sets the model's weights from named weights (any order). Throws a ModelFileError, before
 * changing anything, when a weight is missing, has another shape, has the wrong number of values,
 * or has no variable in the model.
 */
export function setWeightsByName(model: tf.LayersModel, weights: readonly NamedWeight[]): void {
  const byName = new Map<string, NamedWeight>();
  for (const w of weights) {
    if (byName.has(w.name)) throw new ModelFileError(`The weights contain ${w.name} twice.`);
    byName.set(w.name, w);
  }
  const vars = model.weights;
  const values: NamedWeight[] = [];
  for (const v of vars) {
    const name = nameOf(v);
    const w = byName.get(name);
    if (!w) throw new ModelFileError(`The weights have no ${name} (${formatShape(v.shape as number[])}), which the model needs.`);
    if (!sameShape(v.shape, w.shape)) {
      throw new ModelFileError(`${name} is ${formatShape(w.shape)} in the weights but the model needs ${formatShape(v.shape as number[])}.`);
    }
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (w.data.length !== n) throw new ModelFileError(`${name} has ${w.data.length} values where its shape ${formatShape(w.shape)} needs ${n}.`);
    values.push(w);
    byName.delete(name);
  }
  if (byName.size) {
    const extra = [...byName.keys()];
    throw new ModelFileError(`The weights have ${extra.slice(0, 4).join(', ')}${extra.length > 4 ? ` and ${extra.length - 4} more` : ''}, which the model does not have.`);
  }
  const tensors = values.map((w) => tf.tensor(w.data, w.shape, 'float32'));
  try {
    model.setWeights(tensors);
  } finally {
    tensors.forEach((t) => t.dispose());
  }
}

/** The model's weights as NamedWeights (copies, in `model.weights` order). */
export async function namedWeights(model: tf.LayersModel): Promise<NamedWeight[]> {
  const out: NamedWeight[] = [];
  for (const v of model.weights) {
    if (v.dtype !== 'float32') throw new Error(`${nameOf(v)} is ${v.dtype}; LayerLab handles float32 weights only.`);
    const t = v.read();
    // A copy: some backends hand out their own storage.
    const data = (await t.data<'float32'>()).slice();
    out.push({ name: nameOf(v), shape: v.shape as number[], data });
  }
  return out;
}
