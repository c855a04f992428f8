/**
 * `layerlab train FILE [--epochs N] [--backend wasm|cpu] [--out DIR] [--json]`: trains a graph in
 * Node with the same data and the same training loop as the browser, shows a progress bar, and
 * saves the trained model as TensorFlow.js files (model.json + weights.bin) plus the graph.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { analyzeGraph } from '../graph';
import { DEFAULT_DATASET, resolveTrainingSettings, taskTrainingProblem } from '../graph/training-settings';
import { TRAINING_DEFAULTS, type GraphDoc } from '../graph/types';
import type { TrainSettings } from '../training/trainer';
import type { CliIO } from './io';
import { readGraphFile } from './read-graph';

export interface TrainOptions {
  epochs?: number;
  backend?: 'wasm' | 'cpu';
  out?: string;
  json: boolean;
  /** Use only this many training / test images (for quick runs and tests). */
  limit?: number;
}

function bar(done: number, width = 28): string {
  const full = Math.round(done * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/** Loads the dataset a graph's training settings name (Node readers). */
export async function loadDatasetForNode(doc: GraphDoc, limit?: number) {
  const name = doc.training?.dataset ?? DEFAULT_DATASET;
  const lim = limit ? { train: limit, test: Math.max(1, Math.floor(limit / 6)) } : undefined;
  switch (name) {
    case 'mnist': {
      const { loadMnist } = await import('../training/data/mnist');
      const { nodeMnistReader } = await import('../training/data/node-readers');
      return loadMnist(nodeMnistReader(), lim ? { limit: lim } : undefined);
    }
    case 'fashion-mnist': {
      const { loadFashionMnistNode } = await import('../training/data/node-readers');
      return loadFashionMnistNode(lim ? { limit: lim } : undefined);
    }
    case 'shapes': {
      const { makeShapes } = await import('../training/data/shapes');
      const [h] = (doc.nodes.find((n) => n.type === 'input')?.params.shape as number[] | undefined) ?? [28];
      return makeShapes({ count: limit ?? 6000, testCount: lim?.test ?? 1000, size: h ?? 28, seed: doc.training?.seed ?? TRAINING_DEFAULTS.seed });
    }
    case 'shapes-masks':
    case 'cells':
    case 'shapes-boxes': {
      const { syntheticTaskData } = await import('../training/data/synthetic');
      return syntheticTaskData(name, { count: limit, seed: doc.training?.seed ?? TRAINING_DEFAULTS.seed });
    }
    case 'custom':
      throw new Error('This graph trains on your own images ("custom" dataset), which only the browser app can open. Choose mnist, fashion-mnist or shapes to train it here.');
  }
}

/**
 * Writes a tfjs LayersModel as model.json + weights.bin (the layout tf.loadLayersModel reads) and,
 * given the graph, graph.json too, with the graph embedded in model.json (src/export/tfjs-files.ts).
 */
export async function saveModelFiles(model: import('@tensorflow/tfjs').LayersModel, dir: string, graph?: GraphDoc): Promise<string[]> {
  const { modelFiles, modelJsonOf, concatWeightData, MODEL_JSON, WEIGHTS_BIN } = await import('../export/tfjs-files');
  const { saveArtifacts } = await import('../export/tfjs-weights');
  const artifacts = await saveArtifacts(model);
  const files = graph
    ? modelFiles(artifacts, graph)
    : [
        { name: MODEL_JSON, data: JSON.stringify(modelJsonOf(artifacts, undefined)) },
        { name: WEIGHTS_BIN, data: new Uint8Array(concatWeightData(artifacts.weightData)) },
      ];
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.name), f.data);
  return files.map((f) => f.name);
}

export async function trainCommand(file: string, opts: TrainOptions, io: CliIO): Promise<number> {
  const read = readGraphFile(file);
  if (!read.ok) {
    if (opts.json) io.out(JSON.stringify({ ok: false, error: read.message }) + '\n');
    else io.err(`layerlab: ${read.message}\n`);
    return 2;
  }
  const doc = read.doc;
  const analysis = analyzeGraph(doc);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    io.err(`layerlab: ${file} has ${errors.length} error${errors.length > 1 ? 's' : ''}; fix ${errors.length > 1 ? 'them' : 'it'} first:\n${errors.map((d) => `  ${d.message}`).join('\n')}\n`);
    return 1;
  }
  // Only classification trains in this version: say so before loading anything.
  const refused = taskTrainingProblem(doc.training?.task);
  if (refused) {
    io.err(`layerlab: ${refused}\n`);
    return 1;
  }
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../training/backend');
  const { compileForData, trainModel } = await import('../training/trainer');
  const backend = await initBackend([opts.backend ?? 'wasm']);
  const log = (t: string) => io.err(t);
  log(`LayerLab: training ${doc.name} on ${doc.training?.dataset ?? DEFAULT_DATASET} with the ${backend.name} backend\n`);

  let data;
  try {
    data = await loadDatasetForNode(doc, opts.limit);
  } catch (e) {
    io.err(`layerlab: ${(e as Error).message}\n`);
    return 2;
  }
  let compiled;
  try {
    compiled = compileForData(doc, data);
  } catch (e) {
    io.err(`layerlab: ${(e as Error).message}\n`);
    return 1;
  }
  // The graph's settings with the defaults filled in (training-settings.ts); the dataset is `data`.
  const { dataset: _dataset, task: _task, ...fromGraph } = resolveTrainingSettings(doc.training);
  const settings: TrainSettings = { ...fromGraph, ...(opts.epochs ? { epochs: opts.epochs } : {}) };
  const tty = Boolean((process.stderr as { isTTY?: boolean }).isTTY);
  let lastLine = 0;
  const outcome = await trainModel(tf, compiled, data, settings, {
    progressInterval: tty ? 200 : 5000,
    onBatch(p) {
      const line =
        `epoch ${p.epoch}/${p.epochs} ${bar(p.done)} ${(p.done * 100).toFixed(0).padStart(3)}%  ` +
        `loss ${p.loss.toFixed(4)}  acc ${(p.accuracy * 100).toFixed(2)}%  ${Math.round(p.imagesPerSecond)} img/s  ${duration(p.secondsLeft)} left`;
      if (tty) log(`\r${line}\x1b[K`);
      else if (Date.now() - lastLine > 4000) {
        lastLine = Date.now();
        log(line + '\n');
      }
    },
    onEpoch(m) {
      log(
        `${tty ? '\r\x1b[K' : ''}epoch ${m.epoch}: loss ${m.loss.toFixed(4)}, accuracy ${(m.accuracy * 100).toFixed(2)}%` +
          (m.valAccuracy !== null ? `, validation ${(m.valAccuracy * 100).toFixed(2)}%` : '') +
          ` (${duration(m.seconds)}, ${m.numTensors} tensors)\n`,
      );
    },
  });
  if (outcome.status === 'diverged') {
    io.err(`layerlab: ${outcome.message}\n`);
    compiled.model.dispose();
    if (opts.json) io.out(JSON.stringify({ ok: false, error: outcome.message }) + '\n');
    return 1;
  }
  if (outcome.test) log(`test accuracy ${(outcome.test.accuracy * 100).toFixed(2)}%, test loss ${outcome.test.loss.toFixed(4)} on ${data.test.count.toLocaleString('en-US')} images\n`);
  const out = resolve(opts.out ?? `${basename(file).replace(/\.json$/, '')}-model`);
  await saveModelFiles(compiled.model, out, doc);
  log(`saved the trained model to ${out} (model.json, weights.bin, graph.json)\n`);
  compiled.model.dispose();
  if (opts.json) {
    io.out(
      JSON.stringify({
        backend: backend.name,
        epochs: outcome.epochs.length,
        trainImages: outcome.trainImages,
        imagesPerSecond: Math.round(outcome.imagesPerSecond),
        testAccuracy: outcome.test?.accuracy ?? null,
        testLoss: outcome.test?.loss ?? null,
      }) + '\n',
    );
  }
  return 0;
}
