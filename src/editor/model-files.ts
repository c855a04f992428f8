/**
 * Trained models in and out of the browser: TensorFlow.js files (a zip, or model.json + weights.bin),
 * Keras code, PyTorch code with safetensors weights, an ONNX model (checked once in ONNX Runtime on
 * request); and opening a trained model to get its graph and weights back. The weights come from the
 * training worker (a save handler there hands the artifacts over, since downloads need `document`);
 * everything else runs here, without a server.
 */
import { kerasFiles } from '../export/keras';
import { compareWithTfjs, randomInputs, type OnnxCheck } from '../export/onnx-check';
import { checkModelFileSizes, readModelFiles } from '../export/open-model';
import { pytorchFiles } from '../export/pytorch';
import { fileBytes, modelFiles, modelZip, weightsFromArtifacts } from '../export/tfjs-files';
import type { ExportFile } from '../export/types';
import { analyzeGraph } from '../graph';
import type { GraphDoc } from '../graph/types';
import { describeWeightsOrigin } from '../model/weights';
import { loadTrainedWeights, saveModel } from '../training/client';
import type { SavedModel } from '../training/protocol';
import { loadAction } from './actions';
import { downloadBlob, fileBase } from './download';
import { rootDoc, useEditor } from './store';

export type ExportRoute = 'tfjs-zip' | 'tfjs-files' | 'keras' | 'pytorch' | 'onnx';

/** How many random images the ONNX check runs (one batch), and their seed. */
const ONNX_CHECK_COUNT = 4;
const ONNX_CHECK_SEED = 1;

/** The graph's input image shape [h, w, c]; throws with a message for people when there is none. */
export function inputShapeOf(doc: GraphDoc): number[] {
  const a = analyzeGraph(doc);
  const shape = a.inputId ? a.nodes.get(a.inputId)?.outputShape : undefined;
  if (!a.ok || !shape) throw new Error('Fix the graph\'s errors first: only a complete graph can be exported.');
  return [...shape];
}

export interface OnnxExport {
  /** Which weights went out, in words. */
  which: string;
  /** Runs the downloaded file once in ONNX Runtime (loaded on first use) and compares it with TensorFlow.js. */
  check(): Promise<OnnxCheck>;
}

/**
 * Downloads the graph as model.onnx with the worker's current weights. The worker also runs a few
 * seeded random images through the same TensorFlow.js model, so `check()` can compare ONNX
 * Runtime's outputs for the downloaded bytes with them later.
 */
export async function exportOnnx(doc: GraphDoc = rootDoc()): Promise<OnnxExport> {
  const x = randomInputs(inputShapeOf(doc), ONNX_CHECK_COUNT, ONNX_CHECK_SEED);
  const saved = await saveModel(doc, { images: x.nhwc, shape: x.nhwcShape });
  const weights = weightsFromArtifacts(saved.weightSpecs, saved.weightData);
  const { onnxModel } = await import('../export/onnx'); // protobuf code: loaded only when needed
  const bytes = onnxModel(doc, weights);
  download({ name: 'model.onnx', data: bytes }, `${fileBase(doc.name)}.onnx`);
  const reference = saved.reference;
  return {
    which: describeWeightsOrigin(saved.origin),
    async check() {
      if (!reference) throw new Error('The training worker gave no reference outputs to compare with.');
      const { runOnnx } = await import('../export/onnx-runtime.browser');
      const got = await runOnnx(bytes, { name: 'input', data: x.nchw, dims: x.nchwShape });
      return compareWithTfjs(got, reference, ONNX_CHECK_COUNT);
    },
  };
}

function download(file: ExportFile, name = file.name) {
  const type = name.endsWith('.json') ? 'application/json' : name.endsWith('.py') ? 'text/x-python' : 'application/octet-stream';
  downloadBlob(new Blob([fileBytes(file) as Uint8Array<ArrayBuffer>], { type }), name);
}

function zipDownload(files: ExportFile[], name: string) {
  downloadBlob(new Blob([modelZip(files) as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), name);
}

function artifactsOf(saved: SavedModel) {
  const { origin: _origin, ...artifacts } = saved;
  return artifacts;
}

/**
 * Downloads the current graph's model by one route. Returns which weights went out ("trained to
 * epoch 3, batch 891", "untrained …"), or throws with a message for people.
 */
export async function exportModel(route: ExportRoute, doc: GraphDoc = rootDoc()): Promise<string> {
  const base = fileBase(doc.name);
  if (route === 'keras') {
    const files = kerasFiles(doc);
    if (files.length === 1) download(files[0]!, `${base}-keras.py`);
    else zipDownload(files, `${base}-keras.zip`);
    return 'code only (Keras builds fresh weights)';
  }
  if (route === 'onnx') return (await exportOnnx(doc)).which;
  const saved = await saveModel(doc);
  if (route === 'pytorch') {
    const weights = weightsFromArtifacts(saved.weightSpecs, saved.weightData);
    zipDownload(pytorchFiles(doc, weights), `${base}-pytorch.zip`);
    return describeWeightsOrigin(saved.origin);
  }
  const files = modelFiles(artifactsOf(saved) as Parameters<typeof modelFiles>[0], doc);
  if (route === 'tfjs-zip') zipDownload(files, `${base}-tfjs.zip`);
  else for (const f of files.filter((x) => x.name !== 'graph.json')) download(f);
  return describeWeightsOrigin(saved.origin);
}

/** Whether these files look like a trained model (a zip, weight files, or a model.json) rather than a graph file. */
export async function looksLikeModel(files: readonly File[]): Promise<boolean> {
  if (files.some((f) => /\.(zip|bin)$/i.test(f.name) || f.type === 'application/zip')) return true;
  if (files.length !== 1) return files.length > 1;
  const f = files[0]!;
  if (f.size > 64 * 1024 * 1024) return false; // the graph loader refuses it with its own message
  const head = await f.slice(0, 4096).text().catch(() => '');
  return /"modelTopology"|"weightsManifest"/.test(head) || /^PK\u0003\u0004/.test(head);
}

/**
 * Opens a trained model: a .zip from LayerLab, or model.json with its weight files (graph.json
 * optional: LayerLab's model.json carries the graph). On success the graph replaces the current one
 * (undoable) and the worker gets the weights; on any problem a message says what is wrong and the
 * current graph is left as it was.
 */
export async function openModelFiles(files: readonly File[]): Promise<boolean> {
  const { setLoadError } = useEditor.getState();
  const source = files.map((f) => f.name).join(' + ') || 'the files';
  const fail = (message: string) => {
    setLoadError(`${source}: ${message}`);
    return false;
  };
  // Sizes first: a file larger than any model file can be is refused before it is read.
  const tooBig = checkModelFileSizes(files);
  if (tooBig) return fail(tooBig);
  let opened: ReturnType<typeof readModelFiles>;
  try {
    const inputs = await Promise.all(files.map(async (f) => ({ name: f.name, data: new Uint8Array(await f.arrayBuffer()) })));
    opened = readModelFiles(inputs);
  } catch (e) {
    return fail((e as Error).message);
  }
  try {
    // The worker checks the weights against the network before anything changes here.
    await loadTrainedWeights(opened.graph, opened.weights, { kind: 'file', name: files.length === 1 ? files[0]!.name : 'model.json' });
  } catch (e) {
    return fail(`the weights do not fit the graph: ${(e as Error).message}`);
  }
  return loadAction({ ok: true, doc: opened.graph }, source);
}
