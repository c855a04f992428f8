/**
 * `layerlab train FILE [--data DIR] [--fit] [--epochs N] [--backend wasm|cpu] [--out DIR] [--json]`:
 * trains a graph in Node with the same data and the same training loop as the browser, shows a
 * progress bar, and saves the trained model as TensorFlow.js files (model.json + weights.bin)
 * plus the graph and the class names (classes.txt, one per line, which `layerlab predict` reads).
 *
 * The data is the graph's built-in dataset (training.dataset), or with --data a folder of your own
 * images (src/cli/data-folder.ts: class sub-folders, images/ + masks/, or YOLO images/ + labels/).
 * When the graph does not fit the data (its task, Input shape, or output for the classes) it says
 * so, as the Train tab does (src/graph/fit-data.ts); --fit makes the same edits as the tab's
 * "Fix it" and says what it changed. The test scores are the task's: accuracy (classification),
 * mean IoU and pixel accuracy (segmentation), mAP@0.5 (detection).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { analyzeGraph } from '../graph';
import {
  checkSetting,
  DEFAULT_DATASET,
  NO_AUGMENTATION,
  resolveTrainingSettings,
  taskTrainingProblem,
  TRAINING_SETTINGS,
  type ScalarSettingSpec,
  type TaskName,
  type TrainingSettingsValues,
} from '../graph/training-settings';
import { TRAINING_DEFAULTS, type GraphDoc } from '../graph/types';
import type { TestResult, TrainData, TrainSettings } from '../training/trainer';
import type { CliIO } from './io';
import { readGraphFile } from './read-graph';

export interface TrainOptions {
  epochs?: number;
  backend?: 'wasm' | 'cpu';
  out?: string;
  json: boolean;
  /** Use only this many training / test images (for quick runs and tests). */
  limit?: number;
  /** A folder of your own images to train on instead of the graph's dataset. */
  data?: string;
  /** Make the graph fit the data (output units / filters, Input shape, task) as the app's Fix it does. */
  fit?: boolean;
  /** Training settings given as flags (TRAIN_SETTING_FLAGS); they replace the graph's. */
  settings?: TrainingSettingsValues;
  /** Data-parallel training threads (data-parallel.ts), 1 (default) to MAX_TRAINING_WORKERS. */
  workers?: number;
}

/** 'lrStepEpochs' → 'lr-step-epochs'. */
const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * One `layerlab train` flag per training setting, derived from the settings table: every setting
 * but the task, the dataset and the epochs (--epochs has its own), as --learning-rate,
 * --lr-schedule, --weight-decay, --keep-best-weights…; augmentation fields as --aug-shift….
 */
export const TRAIN_SETTING_FLAGS: readonly { flag: string; path: readonly string[]; spec: ScalarSettingSpec }[] = Object.entries(TRAINING_SETTINGS).flatMap(
  ([key, spec]) => {
    if (key === 'task' || key === 'dataset' || key === 'epochs') return [];
    if (spec.kind === 'group') return Object.entries(spec.fields).map(([f, fs]) => ({ flag: `aug-${kebab(f)}`, path: [key, f], spec: fs as ScalarSettingSpec }));
    return [{ flag: kebab(key), path: [key], spec: spec as ScalarSettingSpec }];
  },
);

/** parseArgs options for the setting flags (booleans are plain switches). */
export const TRAIN_SETTING_OPTIONS = Object.fromEntries(TRAIN_SETTING_FLAGS.map((f) => [f.flag, { type: f.spec.kind === 'boolean' ? ('boolean' as const) : ('string' as const) }]));

/** The settings the flags give, checked with the parser's schema; a message when one is wrong. */
export function settingsFromFlags(values: Record<string, unknown>): TrainingSettingsValues | string {
  const out: Record<string, unknown> = {};
  for (const f of TRAIN_SETTING_FLAGS) {
    const raw = values[f.flag];
    if (raw === undefined) continue;
    const v = f.spec.kind === 'number' || f.spec.kind === 'int' ? (String(raw).trim() === '' ? NaN : Number(raw)) : raw;
    const r = checkSetting(f.spec, v);
    if (!r.ok) return `--${f.flag}: ${r.message}`;
    if (f.path.length === 1) out[f.path[0]!] = r.value;
    else out[f.path[0]!] = { ...((out[f.path[0]!] as object | undefined) ?? {}), [f.path[1]!]: r.value };
  }
  return out as TrainingSettingsValues;
}

/** The learning-rate schedule, weight decay and early stopping of a run, in words ('' when all off). */
export function scheduleText(s: TrainingSettingsValues): string {
  const r = resolveTrainingSettings(s);
  const parts: string[] = [];
  if (r.lrSchedule === 'step') parts.push(`learning rate ×${r.lrFactor} every ${r.lrStepEpochs} epoch${r.lrStepEpochs === 1 ? '' : 's'}`);
  else if (r.lrSchedule === 'cosine') parts.push(`cosine learning rate from ${r.learningRate} to ${r.minLearningRate} over ${r.epochs} epochs`);
  else if (r.lrSchedule === 'plateau') parts.push(`learning rate ×${r.lrFactor} after ${r.lrPatience} epoch${r.lrPatience === 1 ? '' : 's'} without a new validation-loss low (not below ${r.minLearningRate})`);
  if (r.weightDecay > 0) parts.push(`weight decay ${r.weightDecay} (decoupled, as AdamW)`);
  if (r.earlyStopping > 0) parts.push(`early stopping after ${r.earlyStopping} epoch${r.earlyStopping === 1 ? '' : 's'} without a new validation-loss low`);
  if (r.earlyStopping > 0 || r.keepBestWeights) parts.push("keeps the best epoch's weights");
  return parts.join('; ');
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
      throw new Error('This graph trains on your own images ("custom" dataset): pass their folder with --data DIR (class sub-folders, images/ with masks/, or images/ with labels/), or choose a built-in dataset.');
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

/** The first `train` training and `test` test images of a split set (masks and boxes follow). */
export function limitData(data: TrainData, train: number, test: number): TrainData {
  const size = data.shape[0] * data.shape[1] * data.shape[2];
  const pixels = data.shape[0] * data.shape[1];
  const cut = (s: TrainData['train'], n: number): TrainData['train'] => {
    if (n >= s.count) return s;
    return {
      images: s.images.subarray(0, n * size),
      labels: s.labels.subarray(0, n),
      count: n,
      ...(s.masks ? { masks: s.masks.subarray(0, n * pixels) } : {}),
      ...(s.boxes ? { boxes: s.boxes.slice(0, n) } : {}),
    };
  };
  return { ...data, train: cut(data.train, train), test: cut(data.test, test) };
}

const fixed = (v: number | null | undefined, digits = 3) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));
const percent = (v: number) => (Number.isNaN(v) ? 'n/a' : `${(v * 100).toFixed(2)}%`);

/** The test scores in words, one line (classification: accuracy; segmentation: IoU; detection: AP). */
export function testScoreText(test: TestResult, classes: readonly string[], images: number): string {
  const on = `on ${images.toLocaleString('en-US')} test image${images === 1 ? '' : 's'}`;
  if (test.segmentation) {
    const seg = test.segmentation;
    const per = seg.perClassIoU.map((v, k) => `${classes[k] ?? k} ${fixed(v, 2)}`).join(', ');
    return `test mean IoU ${fixed(seg.meanIoU)} (per class: ${per}), pixel accuracy ${percent(seg.pixelAccuracy)}, loss ${test.loss.toFixed(4)} ${on}\n`;
  }
  if (test.detection) {
    const det = test.detection;
    const per = det.perClass.map((c, k) => `${classes[k] ?? k} ${c.ap === null ? 'no boxes' : fixed(c.ap, 2)}`).join(', ');
    return `test mAP@0.5 ${fixed(det.mAP)} (average precision per class at IoU 0.5: ${per}), loss ${test.loss.toFixed(4)} ${on}\n`;
  }
  return `test accuracy ${percent(test.accuracy)}, test loss ${test.loss.toFixed(4)} ${on}\n`;
}

/** What the validation score after an epoch is called, per task. */
const VAL_SCORE_NAME: Record<TaskName, string | null> = { classification: null, segmentation: 'validation mean IoU', detection: 'validation mAP@0.5' };

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
  const refused = taskTrainingProblem(doc.training?.task);
  if (refused) {
    io.err(`layerlab: ${refused}\n`);
    return 1;
  }
  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../training/backend');
  const { compileForData, trainModel } = await import('../training/trainer');
  const { dataFitProblems, applyFit } = await import('../graph/fit-data');
  const backend = await initBackend([opts.backend ?? 'wasm']);
  const log = (t: string) => io.err(t);
  const seed = doc.training?.seed ?? TRAINING_DEFAULTS.seed;

  let data: TrainData;
  let datasetName: string = doc.training?.dataset ?? DEFAULT_DATASET;
  let testImages: string[] | undefined;
  try {
    if (opts.data) {
      const input = doc.nodes.find((n) => n.type === 'input');
      const shape = (input ? analysis.nodes.get(input.id)?.outputShape : undefined) as number[] | undefined;
      if (!shape || shape.length !== 3) throw new Error('Your own images need an Input node of shape [height, width, channels].');
      const { readDataFolder } = await import('./data-folder');
      log(`LayerLab: reading ${opts.data}\n`);
      const folder = await readDataFolder(opts.data, shape as [number, number, number], seed, doc.training?.task ?? 'classification');
      data = folder.data;
      datasetName = folder.name;
      testImages = folder.testImages ?? undefined;
      for (const w of folder.warnings) log(`note: ${w}\n`);
      if (folder.skipped.length) {
        log(`skipped ${folder.skipped.length} file${folder.skipped.length === 1 ? '' : 's'}:\n`);
        for (const k of folder.skipped.slice(0, 10)) log(`  ${k.name}: ${k.reason}\n`);
        if (folder.skipped.length > 10) log(`  … and ${folder.skipped.length - 10} more\n`);
      }
      if (opts.limit) {
        data = limitData(data, opts.limit, Math.max(1, Math.floor(opts.limit / 6)));
        testImages = testImages?.slice(0, data.test.count);
      }
      const what = data.task === 'segmentation' ? 'images with masks' : data.task === 'detection' ? 'images with boxes' : 'images in class folders';
      log(`${datasetName}: ${data.train.count + data.test.count} ${what} (${data.task ?? 'classification'}), classes ${data.classes.join(', ')}; ${data.test.count} held out for the test\n`);
    } else {
      data = (await loadDatasetForNode(doc, opts.limit)) as TrainData;
    }
  } catch (e) {
    io.err(`layerlab: ${(e as Error).message}\n`);
    return 2;
  }

  // Does the graph fit the data? The Train tab's checks and fixes (src/graph/fit-data.ts).
  let trained = doc;
  const fitData = { name: datasetName, task: data.task ?? 'classification', shape: data.shape, classes: data.classes };
  let problems = dataFitProblems(trained, analysis, fitData);
  if (problems.length && !opts.fit) {
    const fixable = problems.every((p) => p.fix);
    io.err(`layerlab: ${file} does not fit ${datasetName}:\n${problems.map((p) => `  ${p.text}`).join('\n')}\n` + (fixable ? 'Run again with --fit to make these changes (as the app\'s "Fix it" does).\n' : ''));
    if (opts.json) io.out(JSON.stringify({ ok: false, error: problems.map((p) => p.text).join(' ') }) + '\n');
    return 1;
  }
  const changes: { node: string; param: string; from: unknown; to: unknown }[] = [];
  for (let round = 0; problems.length && round < 3; round++) {
    const fixes = problems.flatMap((p) => p.fix ?? []);
    if (!fixes.length) break;
    for (const f of fixes) {
      const from = f.nodeId === '' ? (trained.training as Record<string, unknown> | undefined)?.[f.param.replace(/^training\./, '')] : trained.nodes.find((n) => n.id === f.nodeId)?.params[f.param];
      changes.push({ node: f.nodeId || 'training', param: f.nodeId ? f.param : f.param.replace(/^training\./, ''), from: from ?? null, to: f.value });
    }
    trained = applyFit(trained, fixes);
    problems = dataFitProblems(trained, analyzeGraph(trained), fitData);
  }
  if (changes.length) {
    const show = (v: unknown) => (v === null || v === undefined ? 'unset' : JSON.stringify(v));
    log(`--fit changed the graph to fit ${datasetName}:\n${changes.map((c) => `  ${c.node === 'training' ? 'training' : `node ${c.node}`}: ${c.param} ${show(c.from)} -> ${show(c.to)}`).join('\n')}\n`);
  }
  const fitErrors = analyzeGraph(trained).diagnostics.filter((d) => d.severity === 'error');
  if (problems.length || fitErrors.length) {
    const left = [...problems.map((p) => p.text), ...fitErrors.map((d) => d.message)];
    io.err(`layerlab: ${file} does not fit ${datasetName}, and --fit cannot change that by itself:\n${left.map((t) => `  ${t}`).join('\n')}\n`);
    if (opts.json) io.out(JSON.stringify({ ok: false, error: left.join(' ') }) + '\n');
    return 1;
  }
  if (opts.data) trained = { ...trained, training: { ...trained.training, dataset: 'custom' } };
  if (opts.settings && Object.keys(opts.settings).length) {
    const aug = opts.settings.augmentation ? { augmentation: { ...NO_AUGMENTATION, ...trained.training?.augmentation, ...opts.settings.augmentation } } : {};
    trained = { ...trained, training: { ...trained.training, ...opts.settings, ...aug } };
  }
  if (opts.epochs) trained = { ...trained, training: { ...trained.training, epochs: opts.epochs } };
  const task: TaskName = data.task ?? 'classification';
  log(`LayerLab: training ${doc.name} on ${datasetName} with the ${backend.name} backend\n`);

  let compiled;
  try {
    compiled = compileForData(trained, data);
  } catch (e) {
    io.err(`layerlab: ${(e as Error).message}\n`);
    return 1;
  }
  // The graph's settings with the defaults filled in (training-settings.ts); the dataset is `data`.
  const { dataset: _dataset, task: _task, ...fromGraph } = resolveTrainingSettings(trained.training);
  const settings: TrainSettings = { ...fromGraph, ...(opts.epochs ? { epochs: opts.epochs } : {}) };
  const scheduled = scheduleText(trained.training ?? {});
  // The validation loss is shown after each epoch when something watches it.
  const watchesValLoss = Boolean(settings.earlyStopping || settings.keepBestWeights || settings.lrSchedule === 'plateau');
  if (scheduled) log(`settings: ${scheduled}\n`);
  if ((settings.earlyStopping || settings.keepBestWeights || settings.lrSchedule === 'plateau') && !(settings.validationSplit > 0)) {
    log('note: early stopping, keeping the best epoch and the plateau schedule watch the validation loss, and the validation share is 0: they do nothing in this run.\n');
  }
  const tty = Boolean((process.stderr as { isTTY?: boolean }).isTTY);
  const accName = task === 'segmentation' ? 'pixel acc' : 'acc';
  let lastLine = 0;
  // Data-parallel: follower threads start from the leader's seeded weights (trainModel would seed
  // them itself), each with the training split.
  const workers = opts.workers ?? 1;
  let parallel: import('../training/data-parallel').GradientExchange | undefined;
  let followers: import('../training/follower-node').NodeFollower[] = [];
  if (workers > 1) {
    const { startNodeFollowers } = await import('../training/follower-node');
    const { seedWeights } = await import('../training/init');
    seedWeights(tf, compiled.model, settings.seed);
    const share = { train: data.train, shape: data.shape, task: data.task, classes: data.classes };
    try {
      ({ exchange: parallel, followers } = await startNodeFollowers(compiled, { workers, backend: backend.name as 'wasm' | 'cpu', graph: trained, data: share, settings }));
    } catch (e) {
      io.err(`layerlab: the training threads did not start: ${(e as Error).message}\n`);
      compiled.model.dispose();
      return 1;
    }
    log(`data-parallel: ${workers} threads share every batch\n`);
  }
  const run = trainModel(tf, compiled, data, settings, {
    parallel,
    keepWeights: workers > 1,
    progressInterval: tty ? 200 : 5000,
    onBatch(p) {
      const line =
        `epoch ${p.epoch}/${p.epochs} ${bar(p.done)} ${(p.done * 100).toFixed(0).padStart(3)}%  ` +
        `loss ${p.loss.toFixed(4)}  ${Number.isNaN(p.accuracy) ? '' : `${accName} ${(p.accuracy * 100).toFixed(2)}%  `}${Math.round(p.imagesPerSecond)} img/s  ${duration(p.secondsLeft)} left`;
      if (tty) log(`\r${line}\x1b[K`);
      else if (Date.now() - lastLine > 4000) {
        lastLine = Date.now();
        log(line + '\n');
      }
    },
    onEpoch(m) {
      const scoreName = VAL_SCORE_NAME[task];
      const acc = task === 'detection' || Number.isNaN(m.accuracy) ? '' : `, ${task === 'segmentation' ? 'pixel accuracy' : 'accuracy'} ${(m.accuracy * 100).toFixed(2)}%`;
      const val =
        scoreName && m.valScore !== null && m.valScore !== undefined
          ? `, ${scoreName} ${fixed(m.valScore)}`
          : m.valAccuracy !== null && !scoreName
            ? `, validation ${(m.valAccuracy * 100).toFixed(2)}%`
            : '';
      const lrText = m.learningRate !== undefined && settings.lrSchedule && settings.lrSchedule !== 'none' ? `, learning rate ${Number(m.learningRate.toPrecision(4))}` : '';
      log(`${tty ? '\r\x1b[K' : ''}epoch ${m.epoch}: loss ${m.loss.toFixed(4)}${acc}${val}${watchesValLoss && m.valLoss !== null ? `, validation loss ${m.valLoss.toFixed(4)}` : ''}${lrText} (${duration(m.seconds)}, ${m.numTensors} tensors)\n`);
    },
  });
  let outcome: Awaited<typeof run>;
  try {
    outcome = await run;
  } catch (e) {
    if (!followers.length) throw e;
    // A training thread failed or hung: say so (with its own error), never hang.
    const results = await Promise.all(followers.map((f) => Promise.race([f.done, new Promise<{ error?: string }>((r) => setTimeout(() => r({}), 5000))])));
    await Promise.all(followers.map((f) => f.worker.terminate()));
    const why = results.find((r) => r.error)?.error;
    io.err(`layerlab: ${(e as Error).message}${why ? ` (${why})` : ''}\n`);
    compiled.model.dispose();
    if (opts.json) io.out(JSON.stringify({ ok: false, error: (e as Error).message }) + '\n');
    return 1;
  }
  const followerResults = await Promise.all(followers.map((f) => f.done));
  await Promise.all(followers.map((f) => f.worker.terminate()));
  const followerError = followerResults.find((r) => r.error)?.error;
  if (followerError) log(`note: a training thread reported: ${followerError}\n`);
  if (outcome.status === 'diverged') {
    io.err(`layerlab: ${outcome.message}\n`);
    compiled.model.dispose();
    if (opts.json) io.out(JSON.stringify({ ok: false, error: outcome.message }) + '\n');
    return 1;
  }
  const { endOfRunText } = await import('../training/schedule');
  const ended = endOfRunText(outcome);
  if (ended) log(`${ended}\n`);
  if (outcome.test) log(testScoreText(outcome.test, data.classes, data.test.count));
  const out = resolve(opts.out ?? `${basename(file).replace(/\.json$/, '')}-model`);
  await saveModelFiles(compiled.model, out, trained);
  writeFileSync(join(out, 'classes.txt'), data.classes.join('\n') + '\n');
  log(`saved the trained model to ${out} (model.json, weights.bin, graph.json, classes.txt)\n`);
  compiled.model.dispose();
  if (opts.json) {
    const test = outcome.test;
    const seg = test?.segmentation;
    const det = test?.detection;
    io.out(
      JSON.stringify({
        backend: backend.name,
        ...(workers > 1 ? { workers } : {}),
        epochs: outcome.epochs.length,
        trainImages: outcome.trainImages,
        imagesPerSecond: Math.round(outcome.imagesPerSecond),
        testAccuracy: task === 'detection' ? null : (test?.accuracy ?? null),
        testLoss: test?.loss ?? null,
        learningRates: outcome.epochs.map((m) => m.learningRate ?? null),
        validationAccuracy: outcome.epochs.map((m) => m.valAccuracy),
        validationLoss: outcome.epochs.map((m) => m.valLoss),
        stoppedEarlyAt: outcome.stoppedEarlyAt ?? null,
        keptEpoch: outcome.keptEpoch ?? null,
        seconds: Math.round(outcome.seconds),
        ...(task !== 'classification' || opts.data ? { task, classes: data.classes } : {}),
        ...(task === 'segmentation' ? { meanIoU: seg?.meanIoU ?? null, pixelAccuracy: seg?.pixelAccuracy ?? null, perClassIoU: seg?.perClassIoU ?? null } : {}),
        ...(task === 'detection' ? { mAP50: det?.mAP ?? null, perClassAP: det?.perClass.map((c) => c.ap) ?? null } : {}),
        ...(testImages ? { testImages } : {}),
        ...(changes.length ? { fitted: changes } : {}),
      }) + '\n',
    );
  }
  return 0;
}
