/**
 * `layerlab robustness MODEL_DIR --transform shift-x|shift-y|rotate|scale|brightness --values V1,V2,…
 * [--dataset mnist|fashion-mnist|shapes] [--limit N] [--json]`: the accuracy of a trained model on
 * its test set (the first N images) with every image transformed, one row per value. The same
 * transforms and evaluation as the app's invariance lab (src/labs/transforms.ts, robustness.ts).
 */
import { isTransformKind, TRANSFORM_KINDS, TRANSFORM_SPECS, type TransformKind } from '../labs/transforms';
import { DEFAULT_DATASET } from '../graph/training-settings';
import type { CliIO } from './io';
import { DATASET_CHOICES, type DatasetChoice } from './trained-model';

export interface RobustnessOptions {
  transform: TransformKind;
  values: number[];
  dataset?: DatasetChoice;
  /** Evaluate on the first N test images (default: all of them). */
  limit?: number;
  backend?: 'wasm' | 'cpu';
  json: boolean;
}

/** Checks the command's options; returns them, or a message for people. */
export function parseRobustnessOptions(v: { transform?: string; values?: string; dataset?: string; limit?: string; backend?: string; json?: boolean }): RobustnessOptions | string {
  if (!v.transform) return `--transform is required: one of ${TRANSFORM_KINDS.join(', ')}.`;
  if (!isTransformKind(v.transform)) return `--transform must be one of ${TRANSFORM_KINDS.join(', ')}, not "${v.transform}".`;
  const kind = v.transform;
  if (v.values === undefined || !v.values.trim()) return `--values is required: a comma-separated list such as ${TRANSFORM_SPECS[kind].sweep.join(',')}.`;
  const parts = v.values.split(',').map((s) => s.trim());
  const values: number[] = [];
  for (const p of parts) {
    const n = p === '' ? NaN : Number(p);
    if (!Number.isFinite(n)) return `--values must be numbers separated by commas, not "${v.values}" ("${p}" is not a number).`;
    if (kind === 'scale' && n <= 0) return `--values: a scale must be more than 0, not ${p}.`;
    if (kind === 'brightness' && n < 0) return `--values: a brightness factor cannot be negative, not ${p}.`;
    values.push(n);
  }
  if (v.dataset !== undefined && !(DATASET_CHOICES as readonly string[]).includes(v.dataset)) return `--dataset must be one of ${DATASET_CHOICES.join(', ')}, not "${v.dataset}".`;
  let limit: number | undefined;
  if (v.limit !== undefined) {
    limit = Number(v.limit);
    if (!Number.isInteger(limit) || limit < 1) return `--limit must be a whole number of test images, 1 or more, not "${v.limit}".`;
  }
  if (v.backend !== undefined && v.backend !== 'wasm' && v.backend !== 'cpu') return `--backend must be wasm or cpu, not "${v.backend}".`;
  return { transform: kind, values, dataset: v.dataset as DatasetChoice | undefined, limit, backend: v.backend as 'wasm' | 'cpu' | undefined, json: Boolean(v.json) };
}

const pct = (a: number) => (Number.isNaN(a) ? 'n/a' : `${(a * 100).toFixed(2)}%`);

export async function robustnessCommand(dir: string, opts: RobustnessOptions, io: CliIO): Promise<number> {
  const { loadTrainedModel } = await import('./trained-model');
  let model;
  try {
    // The whole test set is loaded and the first N images evaluated: the same images as the app's
    // sweeps (loadTrainedModel's own limit also cuts the training set, and shapes would differ).
    model = await loadTrainedModel(dir, { dataset: opts.dataset, backend: opts.backend });
  } catch (e) {
    io.err(`layerlab: ${(e as Error).message}\n`);
    return 2;
  }
  const tf = await import('@tensorflow/tfjs');
  const { evaluateUnderTransform, evaluationCount } = await import('../labs/robustness');
  const { singleTransform } = await import('../labs/transforms');
  const { doc, compiled, data, backend } = model;
  try {
    const n = evaluationCount(data, opts.limit);
    const spec = TRANSFORM_SPECS[opts.transform];
    const dataset = doc.training?.dataset ?? DEFAULT_DATASET;
    const which = n === data.test.count ? `all ${n.toLocaleString('en-US')}` : `the first ${n.toLocaleString('en-US')}`;
    io.err(`LayerLab: ${doc.name} on ${which} ${dataset} test images${n === data.test.count ? '' : ` (of ${data.test.count.toLocaleString('en-US')})`}, every one transformed by ${opts.transform}, with the ${backend} backend\n`);
    const head = `${opts.transform} (${spec.unit})`;
    const width = Math.max(head.length, ...opts.values.map((x) => String(x).length));
    io.out(`${head.padStart(width)}  accuracy\n`);
    const points: { value: number; accuracy: number }[] = [];
    for (const value of opts.values) {
      const accuracy = await evaluateUnderTransform(tf, compiled.model, data, singleTransform(opts.transform, value), { limit: n });
      points.push({ value, accuracy });
      io.out(`${String(value).padStart(width)}  ${pct(accuracy).padStart(8)}\n`);
    }
    if (opts.json) io.out(JSON.stringify({ transform: opts.transform, points }) + '\n');
    return 0;
  } finally {
    compiled.model.dispose();
  }
}
