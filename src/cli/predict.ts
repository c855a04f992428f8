/**
 * `layerlab predict MODEL_DIR IMAGE… [--out DIR] [--min-score S] [--backend wasm|cpu] [--json]`:
 * runs a trained model (the folder `layerlab train --out` writes) on image files (PNG or JPEG),
 * whatever their size, and tells what it sees, by the task its graph.json names:
 *   classification: the class and every class's probability;
 *   segmentation:   a mask per image, written as DIR/NAME.png (8-bit grey, pixel = class index),
 *                   at the image's own size;
 *   detection:      boxes after non-maximum suppression, top-left x, y and size w, h in pixels of
 *                   the image's own size, with class and score.
 * An image of another size than the Input node is resized to it (bilinear; classification crops
 * to the Input's aspect ratio first, as the class-folder reader does when training); masks
 * (nearest neighbour) and boxes (scaled) are mapped back to the image's size.
 * With --json the last line is {"task", "results": [{"image", …}, …]}. An image that cannot be
 * read is named with the reason and the others are still predicted (exit status 2).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { TaskName } from '../graph/training-settings';
import type { GraphDoc } from '../graph/types';
import type { CliIO } from './io';

export interface PredictOptions {
  out?: string;
  json: boolean;
  backend?: 'wasm' | 'cpu';
  /** Detection: keep boxes scoring at least this (default 0.25). */
  minScore?: number;
}

/** Default score threshold for detections (decodeDetections' own default). */
export const DEFAULT_MIN_SCORE = 0.25;
/** Boxes overlapping a better box of their class by more than this IoU are suppressed. */
export const NMS_IOU = 0.5;

export interface PredictBox {
  class: number;
  className?: string;
  score: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export type PredictResult =
  | { image: string; error: string }
  | { image: string; width: number; height: number; class: number; className?: string; probabilities: number[] }
  | { image: string; width: number; height: number; mask: string; classPixels: number[] }
  | { image: string; width: number; height: number; boxes: PredictBox[] };

/** Checks the command's options; returns them, or a message for people. */
export function parsePredictOptions(v: { out?: string; json?: boolean; backend?: string; 'min-score'?: string }): PredictOptions | string {
  if (v.backend !== undefined && v.backend !== 'wasm' && v.backend !== 'cpu') return `--backend must be wasm or cpu, not "${v.backend}".`;
  let minScore: number | undefined;
  if (v['min-score'] !== undefined) {
    minScore = Number(v['min-score']);
    if (!(v['min-score'].trim() !== '' && minScore >= 0 && minScore <= 1)) return `--min-score must be a number from 0 to 1, not "${v['min-score']}".`;
  }
  return { out: v.out, json: Boolean(v.json), backend: v.backend as 'wasm' | 'cpu' | undefined, minScore };
}

/** The class names saved beside a model (classes.txt, one per line), or [] when there are none. */
export function savedClassNames(dir: string): string[] {
  try {
    const file = statSync(dir).isDirectory() ? join(dir, 'classes.txt') : join(resolve(dir, '..'), 'classes.txt');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** Mask file names for the images: NAME.png, with -2, -3… when two images share a NAME. */
export function maskNames(images: readonly string[]): string[] {
  const used = new Set<string>();
  return images.map((img) => {
    const stem = basename(img, extname(img)) || 'image';
    let name = `${stem}.png`;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${stem}-${k}.png`;
    used.add(name.toLowerCase());
    return name;
  });
}

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

export async function predictCommand(dir: string, images: string[], opts: PredictOptions, io: CliIO): Promise<number> {
  const fail = (message: string, code = 2) => {
    io.err(`layerlab: ${message}\n`);
    if (opts.json) io.out(JSON.stringify({ ok: false, error: message }) + '\n');
    return code;
  };
  if (!images.length) return fail('layerlab predict needs at least one IMAGE file after MODEL_DIR.');

  let doc: GraphDoc;
  let weights;
  try {
    const { readModelDir } = await import('./model-dir');
    const { readModelFiles } = await import('../export/open-model');
    const opened = readModelFiles(readModelDir(dir));
    doc = opened.graph;
    weights = opened.weights;
  } catch (e) {
    return fail((e as Error).message);
  }
  const task: TaskName = doc.training?.task ?? 'classification';
  const names = savedClassNames(dir);

  const tf = await import('@tensorflow/tfjs');
  const { initBackend } = await import('../training/backend');
  const { compileGraph } = await import('../compiler/compile');
  const { setWeightsByName } = await import('../model/tfjs-weights');
  const backend = await initBackend([opts.backend ?? 'wasm']);
  let compiled;
  try {
    compiled = compileGraph(doc);
    setWeightsByName(compiled.model, weights);
  } catch (e) {
    compiled?.model.dispose();
    return fail(`The model in ${dir} cannot be run: ${(e as Error).message}`);
  }
  const model = compiled.model;
  try {
    const [h, w, c] = model.inputs[0]!.shape.slice(1) as number[];
    const outShape = model.outputs[0]!.shape.slice(1) as number[];
    if (!(c === 1 || c === 3)) return fail(`The Input node has ${c} channels; predict reads images as grey (1 channel) or colour (3 channels).`);
    const { decodeImageBytes, toFloatImage, resizeMaskNearest } = await import('../tasks/image-decode');
    const { coverCrop } = await import('./data-folder');
    const { maskOfOutput, classesOfOutput } = await import('../tasks/segmentation');
    const { decodeDetections, gridOf } = await import('../tasks/detection');
    const { encodePngBytes } = await import('../labs/png');
    const grid = task === 'detection' ? gridOf(outShape) : null;
    const outDir = resolve(opts.out ?? 'predictions');
    const maskFiles = maskNames(images);
    if (task === 'segmentation') {
      // Never write a mask over one of the images being predicted (or any other input file).
      const inputs = new Set(images.map((p) => resolve(p)));
      const clash = maskFiles.find((m) => inputs.has(join(outDir, m)));
      if (clash) return fail(`Writing the masks to ${outDir} would overwrite the image ${join(outDir, clash)}: choose another folder with --out.`);
    }
    const scoreThreshold = opts.minScore ?? DEFAULT_MIN_SCORE;
    const nameOf = (k: number) => (names[k] !== undefined ? { className: names[k] } : {});
    io.err(`LayerLab: ${doc.name} (${task}) on ${images.length} image${images.length === 1 ? '' : 's'} with the ${backend.name} backend\n`);

    const results: PredictResult[] = [];
    let failed = 0;
    for (let i = 0; i < images.length; i++) {
      const path = images[i]!;
      let pixels;
      let x: Float32Array;
      try {
        const bytes = readFileSync(path);
        pixels = decodeImageBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
        x = toFloatImage(task === 'classification' ? coverCrop(pixels, h!, w!) : pixels, h!, w!, c as 1 | 3);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const error = code === 'ENOENT' ? `${path}: no such file.` : code === 'EISDIR' ? `${path} is a folder, not an image file.` : code ? `${path} cannot be read (${code}).` : (e as Error).message;
        results.push({ image: path, error });
        failed++;
        io.err(`layerlab: ${error}\n`);
        continue;
      }
      const W0 = pixels.width;
      const H0 = pixels.height;
      const y = tf.tidy(() => model.predict(tf.tensor4d(x, [1, h!, w!, c])) as import('@tensorflow/tfjs').Tensor);
      const output = (await y.data()) as Float32Array;
      y.dispose();
      if (task === 'classification') {
        const probabilities = Array.from(output, (p) => round(p, 6));
        let best = 0;
        for (let k = 1; k < output.length; k++) if (output[k]! > output[best]!) best = k;
        results.push({ image: path, width: W0, height: H0, class: best, ...nameOf(best), probabilities });
        if (!opts.json) io.out(`${path}: ${names[best] ?? `class ${best}`} (${(output[best]! * 100).toFixed(1)}%)\n`);
      } else if (task === 'segmentation') {
        const [oh, ow, ch] = outShape as [number, number, number];
        const small = maskOfOutput(output, oh * ow, ch);
        const mask = resizeMaskNearest(small, ow, oh, W0, H0);
        const k = classesOfOutput(ch);
        const classPixels = new Array<number>(k).fill(0);
        for (const v of mask) classPixels[v]!++;
        mkdirSync(outDir, { recursive: true });
        const file = join(outDir, maskFiles[i]!);
        writeFileSync(file, encodePngBytes(W0, H0, mask, 1));
        results.push({ image: path, width: W0, height: H0, mask: file, classPixels });
        if (!opts.json) {
          const parts = classPixels
            .map((n, j) => ({ n, j }))
            .filter((p) => p.n > 0)
            .map((p) => `${names[p.j] ?? `class ${p.j}`} ${((p.n / mask.length) * 100).toFixed(1)}%`);
          io.out(`${path} -> ${file} (${parts.join(', ')})\n`);
        }
      } else {
        const sx = W0 / w!;
        const sy = H0 / h!;
        const boxes: PredictBox[] = decodeDetections(output, grid!, w!, h!, { scoreThreshold, iou: NMS_IOU }).map((d) => ({
          class: d.class,
          ...nameOf(d.class),
          score: round(d.score, 4),
          x: round(d.x * sx),
          y: round(d.y * sy),
          w: round(d.w * sx),
          h: round(d.h * sy),
        }));
        results.push({ image: path, width: W0, height: H0, boxes });
        if (!opts.json) {
          io.out(`${path}: ${boxes.length} box${boxes.length === 1 ? '' : 'es'}\n`);
          for (const b of boxes) {
            io.out(`  ${b.className ?? `class ${b.class}`} ${(b.score * 100).toFixed(0)}% at x ${b.x.toFixed(1)}, y ${b.y.toFixed(1)}, ${b.w.toFixed(1)}×${b.h.toFixed(1)} px\n`);
          }
        }
      }
    }
    if (task === 'segmentation' && results.length > failed) io.err(`wrote ${results.length - failed} mask${results.length - failed === 1 ? '' : 's'} to ${outDir} (pixel value = class index)\n`);
    if (failed) io.err(`layerlab: ${failed} of ${images.length} image${images.length === 1 ? '' : 's'} could not be read (named above).\n`);
    if (opts.json) io.out(JSON.stringify({ task, results }) + '\n');
    return failed ? 2 : 0;
  } finally {
    compiled.model.dispose();
  }
}
