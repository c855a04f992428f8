/**
 * Writing a trained model as TensorFlow.js files: model.json (the layout `tf.loadLayersModel`
 * reads) + weights.bin, plus graph.json; and the one-click zip of the three.
 *
 * model.json carries the LayerLab graph as `userDefinedMetadata.layerlab.graph`, so model.json
 * alone brings the graph back (tfjs passes the field through: `model.getUserDefinedMetadata()`).
 *
 * Pure TypeScript (no DOM, no node: imports); tfjs is imported for its types only.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { zipSync, type Zippable } from 'fflate';
import { formatShape } from '../../nodes/shape';
import { serializeGraph } from '../graph/serialize';
import type { GraphDoc } from '../graph/types';
import { concatWeightData } from '../model/weights';
import type { ExportFile, NamedWeight } from './types';

/** Re-exported for the exporters and the CLI (defined in src/model/weights.ts, shared with training). */
export { concatWeightData };

/** The file names LayerLab writes (and looks for first when reading). */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const GRAPH_JSON = 'graph.json';

/** The key under `userDefinedMetadata` that holds LayerLab's own data. */
export const METADATA_KEY = 'layerlab';

export type WeightSpec = tfjs.io.WeightsManifestEntry;

/** The model.json document (tfjs `ModelJSON`) with LayerLab's graph inside. */
export interface LayerLabModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: object;
  trainingConfig?: object;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  userDefinedMetadata?: { [key: string]: object };
}


/** The model.json document for these artifacts, with the graph embedded. */
export function modelJsonOf(artifacts: tfjs.io.ModelArtifacts, graph: GraphDoc | undefined, weightsPath = WEIGHTS_BIN): LayerLabModelJson {
  if (artifacts.modelTopology === undefined || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error('These artifacts are not a TensorFlow.js layers model (no JSON model topology).');
  }
  const json: LayerLabModelJson = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    modelTopology: artifacts.modelTopology,
    trainingConfig: artifacts.trainingConfig,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs ?? [] }],
  };
  if (graph || artifacts.userDefinedMetadata) {
    json.userDefinedMetadata = { ...artifacts.userDefinedMetadata, ...(graph ? { [METADATA_KEY]: { graph } } : {}) };
  }
  return json;
}

/**
 * The files of a saved model: model.json (graph embedded), weights.bin and graph.json (the graph
 * in LayerLab's canonical file layout). `artifacts` come from
 * `model.save(tf.io.withSaveHandler(async (a) => …))`.
 */
export function modelFiles(artifacts: tfjs.io.ModelArtifacts, graph: GraphDoc): ExportFile[] {
  const json = modelJsonOf(artifacts, graph);
  const weights = concatWeightData(artifacts.weightData);
  return [
    { name: MODEL_JSON, data: JSON.stringify(json) },
    { name: WEIGHTS_BIN, data: new Uint8Array(weights) },
    { name: GRAPH_JSON, data: serializeGraph(graph) },
  ];
}

const encoder = new TextEncoder();

/** An export file's bytes (text as UTF-8). */
export function fileBytes(file: ExportFile): Uint8Array {
  return typeof file.data === 'string' ? encoder.encode(file.data) : file.data;
}

/**
 * The files as one zip (the one-click download). Weight files (.bin) are stored without
 * compression: float weights barely shrink (a few per cent) and deflating ResNet-50's 100 MB
 * would cost seconds; every other file is deflated.
 */
export function modelZip(files: ExportFile[], opts: { mtime?: Date } = {}): Uint8Array {
  const zippable: Zippable = {};
  for (const f of files) {
    if (Object.prototype.hasOwnProperty.call(zippable, f.name)) throw new Error(`Two files named ${f.name} in one zip.`);
    zippable[f.name] = [fileBytes(f), { level: /\.bin$/i.test(f.name) ? 0 : 6 }];
  }
  return zipSync(zippable, opts.mtime ? { mtime: opts.mtime } : {});
}

/** Why a weight spec cannot be read as plain float32, or undefined if it can. */
export function float32Problem(spec: { name: string; dtype: string; quantization?: unknown }): string | undefined {
  const q = spec.quantization as { dtype?: unknown } | undefined;
  if (q != null) {
    const qd = typeof q === 'object' && typeof q.dtype === 'string' ? q.dtype : 'unknown';
    return `${spec.name} is quantized (stored as ${qd}); LayerLab reads float32 weights only. Save the model again without quantization.`;
  }
  if (spec.dtype !== 'float32') {
    return `${spec.name} is stored as ${spec.dtype}; LayerLab reads float32 weights only.`;
  }
  return undefined;
}

/** Bytes per value of the unquantized dtypes tfjs writes. */
const BYTES_PER: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

/**
 * The named weights of tfjs artifacts (float32 only): views into one buffer, in spec order. Used by
 * the exporters (PyTorch, Keras). Optimizer state (saved with `includeOptimizer`, group
 * "optimizer") is skipped. Throws for other dtypes and quantized weights, and when the data is
 * shorter or longer than the specs describe.
 */
export function weightsFromArtifacts(weightSpecs: readonly WeightSpec[], weightData: ArrayBuffer | ArrayBuffer[]): NamedWeight[] {
  const buffer = concatWeightData(weightData);
  const out: NamedWeight[] = [];
  let offset = 0;
  for (const spec of weightSpecs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.group === 'optimizer') {
      const per = BYTES_PER[spec.dtype];
      if (per === undefined || spec.quantization) throw new Error(`The optimizer weight ${spec.name} is stored as ${spec.dtype}, which LayerLab cannot skip over.`);
      offset += n * per;
      continue;
    }
    const problem = float32Problem(spec);
    if (problem) throw new Error(problem);
    if (offset + n * 4 > buffer.byteLength) {
      throw new Error(`The weight data ends before ${spec.name} (${formatShape(spec.shape)}): it has ${buffer.byteLength} bytes.`);
    }
    out.push({ name: spec.name, shape: [...spec.shape], data: new Float32Array(buffer, offset, n) });
    offset += n * 4;
  }
  if (offset !== buffer.byteLength) throw new Error(`The weight data has ${buffer.byteLength} bytes but the specs describe ${offset}.`);
  return out;
}
