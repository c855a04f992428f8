/**
 * Seeded weight initialisation: re-draws every kernel from the same Glorot-uniform distribution
 * tfjs uses by default, but from the run's seed, so that the same graph, data and seed train the
 * same way twice. Biases and batch-norm weights keep their fixed starting values (zeros, ones).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { mulberry32 } from './data/rng';

type TF = typeof tfjs;

/** Fan-in and fan-out as tfjs computes them (initializers.ts computeFans). */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2]! * receptive, shape[shape.length - 1]! * receptive];
}

export function seedWeights(tf: TF, model: tfjs.LayersModel, seed: number): void {
  const rng = mulberry32(seed);
  for (const layer of model.layers) {
    const vars = layer.weights;
    if (!vars.length) continue;
    const current = layer.getWeights();
    const next = vars.map((v, i) => {
      if (!/kernel$/.test(v.originalName ?? v.name)) return current[i]!;
      const shape = v.shape as number[];
      const [fanIn, fanOut] = fans(shape);
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let j = 0; j < values.length; j++) values[j] = (rng() * 2 - 1) * limit;
      return tf.tensor(values, shape);
    });
    layer.setWeights(next);
    next.forEach((t, i) => t !== current[i] && t.dispose());
  }
}
