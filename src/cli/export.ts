/**
 * `layerlab export FILE --format tfjs|keras|pytorch|onnx [--weights DIR] --out DIR`: the browser's
 * Export dialog from the command line, with the same code. `--weights` takes a directory of
 * TensorFlow.js model files (as `layerlab train --out` or the tfjs export writes them); without it
 * the weights are freshly initialised from the graph's seed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyzeGraph } from '../graph';
import { TRAINING_DEFAULTS, type GraphDoc } from '../graph/types';
import { onnxLayout } from '../export/onnx-check';
import type { ExportFile, NamedWeight } from '../export/types';
import type { CliIO } from './io';
import { readGraphFile } from './read-graph';

export const EXPORT_FORMATS = ['tfjs', 'keras', 'pytorch', 'onnx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  format: ExportFormat;
  /** A directory with model.json and its weight files. */
  weights?: string;
  out: string;
  json: boolean;
}

/** The trained weights in `dir`, checked against the graph; throws with a message for people. */
async function weightsFromDir(doc: GraphDoc, dir: string): Promise<NamedWeight[]> {
  const { readModelDir } = await import('./model-dir');
  const { readModelFiles, checkWeightsFitGraph } = await import('../export/open-model');
  const opened = readModelFiles(readModelDir(dir));
  checkWeightsFitGraph(doc, opened.weights);
  return opened.weights;
}

/** A TensorFlow.js model of the graph with these weights (or seeded fresh ones), on the CPU backend. */
async function buildModel(doc: GraphDoc, weights: NamedWeight[] | undefined) {
  const tf = await import('@tensorflow/tfjs');
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const { compileGraph } = await import('../compiler/compile');
  const { setWeightsByName } = await import('../export/tfjs-weights');
  const { seedWeights } = await import('../training/init');
  const { model } = compileGraph(doc);
  if (weights) setWeightsByName(model, weights);
  else seedWeights(tf, model, doc.training?.seed ?? TRAINING_DEFAULTS.seed);
  return model;
}

export async function exportFiles(doc: GraphDoc, opts: Pick<ExportOptions, 'format' | 'weights'>): Promise<{ files: ExportFile[]; weightsFrom: string }> {
  if (opts.format === 'keras') {
    const { kerasFiles } = await import('../export/keras');
    return { files: kerasFiles(doc), weightsFrom: 'none (Keras code builds its own weights)' };
  }
  const loaded = opts.weights ? await weightsFromDir(doc, opts.weights) : undefined;
  const weightsFrom = opts.weights ? `trained, from ${opts.weights}` : `fresh, seeded with ${doc.training?.seed ?? TRAINING_DEFAULTS.seed}`;
  const model = await buildModel(doc, loaded);
  try {
    if (opts.format === 'pytorch') {
      const { namedWeights } = await import('../export/tfjs-weights');
      const { pytorchFiles } = await import('../export/pytorch');
      return { files: pytorchFiles(doc, await namedWeights(model)), weightsFrom };
    }
    if (opts.format === 'onnx') {
      const { namedWeights } = await import('../export/tfjs-weights');
      const { onnxFiles } = await import('../export/onnx');
      return { files: onnxFiles(doc, await namedWeights(model)), weightsFrom };
    }
    const { modelFiles } = await import('../export/tfjs-files');
    const { saveArtifacts } = await import('../export/tfjs-weights');
    return { files: modelFiles(await saveArtifacts(model), doc), weightsFrom };
  } finally {
    model.dispose();
  }
}

/** The ONNX model's input layout in words, from the graph's input shape: "N×1×28×28 (N×C×H×W)". */
function onnxInputLayout(analysis: ReturnType<typeof analyzeGraph>): string {
  const shape = analysis.inputId ? analysis.nodes.get(analysis.inputId)?.outputShape : undefined;
  return shape?.length === 3 ? `${onnxLayout(shape)} (N×C×H×W)` : 'N×C×H×W';
}

export async function exportCommand(file: string, opts: ExportOptions, io: CliIO): Promise<number> {
  const read = readGraphFile(file);
  if (!read.ok) {
    io.err(`layerlab export: ${read.message}\n`);
    return 2;
  }
  const doc = read.doc;
  const analysis = analyzeGraph(doc);
  if (!analysis.ok) {
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
    io.err(`layerlab export: ${file} has errors, fix them first:\n${errors.map((d) => `  - ${d.message}`).join('\n')}\n`);
    return 1;
  }
  let result: Awaited<ReturnType<typeof exportFiles>>;
  try {
    result = await exportFiles(doc, opts);
  } catch (e) {
    io.err(`layerlab export: ${(e as Error).message}\n`);
    return opts.weights ? 2 : 1;
  }
  const out = resolve(opts.out);
  try {
    mkdirSync(out, { recursive: true });
    for (const f of result.files) writeFileSync(join(out, f.name), f.data);
  } catch (e) {
    io.err(`layerlab export: cannot write to ${opts.out}: ${(e as Error).message}\n`);
    return 2;
  }
  const sizes = result.files.map((f) => ({ name: f.name, bytes: typeof f.data === 'string' ? Buffer.byteLength(f.data) : f.data.byteLength }));
  if (opts.json) {
    io.out(`${JSON.stringify({ format: opts.format, out, weights: result.weightsFrom, files: sizes })}\n`);
  } else {
    io.out(`Exported ${doc.name || file} as ${opts.format} to ${out} (weights: ${result.weightsFrom}):\n`);
    for (const s of sizes) io.out(`  ${s.name.padEnd(20)} ${s.bytes.toLocaleString('en-US')} bytes\n`);
    io.out(
      opts.format === 'pytorch'
        ? `Run: python3 ${join(opts.out, 'train.py')} --help   (or: from model import load_model; load_model('model.safetensors'))\n`
        : opts.format === 'onnx'
          ? `Run: onnxruntime's InferenceSession.create('${join(opts.out, 'model.onnx')}') (JavaScript) or onnxruntime.InferenceSession(…) (Python),\n` +
            `     feeding "input" as float32 ${onnxInputLayout(analysis)}; or open the file in Netron to see the network.\n`
          : opts.format === 'keras'
          ? `Run: python3 ${join(opts.out, result.files[0]?.name ?? 'model.py')}   (needs TensorFlow)\n`
          : `Load: tf.loadLayersModel('file://…/model.json'), or open the folder's files in LayerLab.\n`,
    );
  }
  return 0;
}
