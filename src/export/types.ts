/**
 * Shared types of the exporters (pure TypeScript: no DOM, no tfjs at run time).
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

/** A file an exporter produces: a path relative to the export folder and its content. */
export interface ExportFile {
  name: string;
  data: string | Uint8Array;
}
