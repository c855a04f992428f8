/**
 * Trained weights as they travel between the training worker, the exporters and the CLI: named
 * tensors in TensorFlow.js layout, the error a misfit raises, and the join of tfjs' weight shards.
 * A neutral module: training and export both use it, neither imports the other for it. Pure
 * TypeScript (no DOM, no tfjs at run time); the tfjs side is ./tfjs-weights.ts.
 */

/**
 * One weight tensor of a trained model, in TensorFlow.js layout and naming:
 * `name` is "<node id>/<weight>", e.g. "c1/kernel", "c1/bias", "bn1/moving_mean"
 * (the names tfjs writes into model.json's weightsManifest).
 */
export interface NamedWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** The one error type of reading model files and fitting weights to a graph: its `message` is written for a learner. */
export class ModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFileError';
  }
}

/** Joins tfjs' weight data (one buffer, or shards) into one ArrayBuffer (no copy for one buffer). */
export function concatWeightData(weightData: ArrayBuffer | ArrayBuffer[] | undefined): ArrayBuffer {
  if (weightData === undefined) return new ArrayBuffer(0);
  if (!Array.isArray(weightData)) return weightData;
  if (weightData.length === 1) return weightData[0]!;
  const total = weightData.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of weightData) {
    out.set(new Uint8Array(b), o);
    o += b.byteLength;
  }
  return out.buffer;
}

/**
 * Where a model's weights came from: drawn at random before any training (from `seed` when one was
 * used), trained in this page up to a batch, or loaded from a model file the user opened.
 */
export type WeightsOrigin =
  | { kind: 'untrained'; seed?: number }
  | { kind: 'trained'; epoch: number; batch: number; continued: boolean }
  | { kind: 'file'; name: string };

/**
 * The origin for people: "untrained (random initial weights, seed 42)", "trained to epoch 3,
 * batch 891" (", of a continued run"), "loaded from model.zip".
 */
export function describeWeightsOrigin(o: WeightsOrigin): string {
  switch (o.kind) {
    case 'untrained':
      return `untrained (random initial weights${o.seed === undefined ? '' : `, seed ${o.seed}`})`;
    case 'trained':
      return `trained to epoch ${o.epoch}, batch ${o.batch}${o.continued ? ' of a continued run' : ''}`;
    case 'file':
      return `loaded from ${o.name}`;
  }
}
