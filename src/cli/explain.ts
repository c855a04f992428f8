/**
 * `layerlab explain MODEL_DIR --image N [--dataset mnist|fashion-mnist|shapes] [--method
 * saliency|gradcam] [--layer NODE] [--class K] [--json]`: where a trained model looks in test image
 * N. The same code as the app's Probe tab (src/labs/explain.ts): the class score is the logit (the
 * output before its softmax); saliency is max over channels of |∂score/∂input|, Grad-CAM is
 * ReLU(Σₖ αₖ Aₖ) on the last conv by default, resized bilinearly to the image; both divided by
 * their maximum. Prints the image and the heatmap side by side as shades; with --json the last line
 * is {"method","layer","predicted","class","heatmap":[[…],…]}.
 */
import { EXPLAIN_METHODS, type ExplainMethod } from '../labs/explain';
import { DEFAULT_DATASET } from '../graph/training-settings';
import type { CliIO } from './io';
import { DATASET_CHOICES, type DatasetChoice } from './trained-model';

export interface ExplainOptions {
  image: number;
  method: ExplainMethod;
  layer?: string;
  classIndex?: number;
  dataset?: DatasetChoice;
  backend?: 'wasm' | 'cpu';
  json: boolean;
}

const wholeNumber = (s: string) => (/^\d+$/.test(s.trim()) ? Number(s) : NaN);

/** Checks the command's options; returns them, or a message for people. */
export function parseExplainOptions(v: { image?: string; method?: string; layer?: string; class?: string; dataset?: string; backend?: string; json?: boolean }): ExplainOptions | string {
  if (v.image === undefined) return '--image N is required: the number of a test image (0 is the first).';
  const image = wholeNumber(v.image);
  if (!Number.isSafeInteger(image)) return `--image must be the number of a test image (0, 1, 2, …), not "${v.image}".`;
  const method = (v.method ?? 'gradcam') as ExplainMethod;
  if (!EXPLAIN_METHODS.includes(method)) return `--method must be saliency or gradcam, not "${v.method}".`;
  if (v.layer !== undefined && method !== 'gradcam') return '--layer chooses the node for Grad-CAM (--method gradcam); saliency always looks at the input.';
  if (v.layer !== undefined && !v.layer.trim()) return '--layer needs a node id (for example c3).';
  let classIndex: number | undefined;
  if (v.class !== undefined) {
    classIndex = wholeNumber(v.class);
    if (!Number.isSafeInteger(classIndex)) return `--class must be a class number (0, 1, 2, …), not "${v.class}".`;
  }
  if (v.dataset !== undefined && !(DATASET_CHOICES as readonly string[]).includes(v.dataset)) return `--dataset must be one of ${DATASET_CHOICES.join(', ')}, not "${v.dataset}".`;
  if (v.backend !== undefined && v.backend !== 'wasm' && v.backend !== 'cpu') return `--backend must be wasm or cpu, not "${v.backend}".`;
  return { image, method, layer: v.layer?.trim(), classIndex, dataset: v.dataset as DatasetChoice | undefined, backend: v.backend as 'wasm' | 'cpu' | undefined, json: Boolean(v.json) };
}

/** Light to dark: a value in [0, 1] as one of ten shades (each printed twice, so pixels are about square). */
const SHADES = ' .:-=+*#%@';
export function shade(v: number): string {
  const ch = SHADES[Math.max(0, Math.min(SHADES.length - 1, Math.round(v * (SHADES.length - 1))))]!;
  return ch + ch;
}

/** The image (its channels averaged) and the heatmap side by side, as shades. */
export function shadeMaps(image: Float32Array, shape: readonly number[], heatmap: number[][]): string {
  const [h, w, c] = shape as [number, number, number];
  const gap = '   ';
  const lines = [`${'image'.padEnd(2 * w)}${gap}heatmap (blank 0 … @ 1)`];
  for (let y = 0; y < h; y++) {
    let left = '';
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += image[(y * w + x) * c + k]!;
      left += shade(s / c);
    }
    lines.push(`${left}${gap}${heatmap[y]!.map(shade).join('')}`.trimEnd());
  }
  return lines.join('\n') + '\n';
}

export async function explainCommand(dir: string, opts: ExplainOptions, io: CliIO): Promise<number> {
  const { loadTrainedModel } = await import('./trained-model');
  let model;
  try {
    model = await loadTrainedModel(dir, { dataset: opts.dataset, backend: opts.backend, testImagesNeeded: opts.image + 1 });
  } catch (e) {
    io.err(`layerlab: ${(e as Error).message}\n`);
    return 2;
  }
  const tf = await import('@tensorflow/tfjs');
  const { explainImage, ExplainError } = await import('../labs/explain');
  const { imageOf } = await import('../training/data/gather');
  const { doc, compiled, data, backend } = model;
  try {
    if (opts.image >= data.test.count) {
      io.err(`layerlab: --image ${opts.image} is past the end: the test set has ${data.test.count.toLocaleString('en-US')} images (0 to ${data.test.count - 1}).\n`);
      return 2;
    }
    if (opts.classIndex !== undefined && opts.classIndex >= data.classes.length) {
      io.err(`layerlab: --class ${opts.classIndex} does not exist: the classes are 0 to ${data.classes.length - 1} (${data.classes.join(', ')}).\n`);
      return 2;
    }
    const [h, w, c] = data.shape;
    const image = imageOf(data.test, opts.image, h * w * c);
    let r;
    try {
      r = await explainImage(tf, compiled, image, data.shape, { method: opts.method, nodeId: opts.layer, classIndex: opts.classIndex });
    } catch (e) {
      if (e instanceof ExplainError) {
        io.err(`layerlab: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    const label = data.test.labels[opts.image]!;
    const name = (k: number) => `${k} (${data.classes[k]})`;
    const dataset = doc.training?.dataset ?? DEFAULT_DATASET;
    io.err(`LayerLab: ${doc.name}, ${dataset} test image ${opts.image}, with the ${backend} backend\n`);
    const what = r.method === 'saliency' ? 'Saliency |∂score/∂input|' : `Grad-CAM on ${r.layer}`;
    io.out(`${what} for class ${name(r.class)}; predicted ${name(r.predicted)}, true class ${name(label)}\n`);
    io.out(shadeMaps(image, data.shape, r.heatmap));
    if (opts.json) {
      const heatmap = r.heatmap.map((row) => row.map((v) => Math.round(v * 1e6) / 1e6));
      io.out(JSON.stringify({ method: r.method, layer: r.layer, predicted: r.predicted, class: r.class, heatmap }) + '\n');
    }
    return 0;
  } finally {
    compiled.model.dispose();
  }
}
