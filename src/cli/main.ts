/** Entry point of the `layerlab` command. Returns the exit status. */
import { parseArgs } from 'node:util';
import { EXPORT_FORMATS, exportCommand, type ExportFormat } from './export';
import { inspectCommand } from './inspect';
import { parseRobustnessOptions, robustnessCommand } from './robustness';
import { explainCommand, parseExplainOptions } from './explain';
import { settingsFromFlags, trainCommand, TRAIN_SETTING_OPTIONS } from './train';
import { parsePredictOptions, predictCommand } from './predict';
import { processIO, type CliIO } from './io';
import { TRAINING_SETTINGS } from '../graph/training-settings';
import { MAX_TRAINING_WORKERS } from '../training/data-parallel';

export const USAGE = `Usage: layerlab <command> [options]

Commands:
  inspect FILE [--json]   Validate a graph file (or a preset name such as lenet5) and print every
                          node's output shape and parameter count, the totals and any problems.
                          Exit status: 0 valid, 1 graph has errors, 2 file cannot be read or parsed.
  train FILE [--data DIR] [--fit] [--epochs N] [--backend wasm|cpu] [--workers N] [--out DIR] [--json]
                          Train the graph in Node, with the browser's training code, on its dataset
                          (training.dataset: mnist, fashion-mnist, shapes; shapes-masks, cells for
                          segmentation; shapes-boxes for detection) or with --data on a folder of
                          your own images: one sub-folder of images per class (classification);
                          images/ + masks/ with the same names, each mask a PNG whose pixel value
                          is the class index, 0 = background, optional classes.txt (segmentation);
                          images/ + labels/NAME.txt with lines "class cx cy w h" as fractions of
                          the image (YOLO) + classes.txt (detection). Images are resized to the
                          Input node (class-folder images cropped to its aspect ratio first); a
                          fifth is held out as the test images (for masks and boxes, a folder
                          split in train/ and test/ keeps its own split).
                          When the graph does not fit the data (task, Input shape, or output for
                          the classes) it says so; --fit makes the changes (as the app's Fix it).
                          Saves the model as TensorFlow.js files plus graph.json and classes.txt
                          in DIR (default: FILE-model). With --json the last line is
                          {"backend","epochs","trainImages","imagesPerSecond","testAccuracy","testLoss"}
                          plus, for segmentation, "meanIoU","pixelAccuracy","perClassIoU"
                          (testAccuracy is the pixel accuracy); for detection "mAP50" (mAP at
                          IoU 0.5),"perClassAP" (testAccuracy is null); "task" and "classes" for
                          both and with --data; "testImages" (the held-out files) with --data;
                          "fitted" (the changes) with --fit, and always "learningRates",
                          "validationAccuracy","validationLoss" (per epoch),"stoppedEarlyAt",
                          "keptEpoch","seconds". --limit N trains on N images only.
                          Training settings as flags replace the graph's: --optimizer,
                          --learning-rate, --batch-size, --validation-split, --seed,
                          --lr-schedule none|step|cosine|plateau, --lr-factor F,
                          --lr-step-epochs N, --lr-patience N, --min-learning-rate LR,
                          --weight-decay WD (decoupled, as AdamW), --early-stopping PATIENCE,
                          --keep-best-weights, --aug-shift PX, --aug-rotation DEG, --aug-zoom Z,
                          --aug-brightness B, --aug-flip (the saved graph.json keeps them).
                          --workers N (up to 4) trains data-parallel: N threads, each with its own
                          copy of the model, share every batch and average their gradients
                          (the same training up to float rounding; "workers" in --json).
                          Exit status: 0 trained, 1 graph has errors or does not fit the data,
                          2 bad arguments or files.
  predict MODEL_DIR IMAGE... [--out DIR] [--min-score S] [--backend wasm|cpu] [--json]
                          Run a trained model (a folder as train --out writes it) on PNG or JPEG
                          files, resized to its Input node. Classification: the class and the
                          probability of each class. Segmentation: writes a mask per image as
                          DIR/NAME.png (default DIR: predictions), grey, pixel value = class
                          index, at the image's own size. Detection: boxes after non-maximum
                          suppression (IoU 0.5) scoring at least S (default 0.25), with x, y the
                          top-left corner and w, h the size in pixels of the image. With --json
                          the last line is {"task","results":[{"image",...},...]}, each result
                          with "class","probabilities" / "mask" / "boxes":[{"class","score",
                          "x","y","w","h"},...] ("className" where classes.txt names it).
                          Exit status: 0 predicted, 2 bad arguments, model or image files (the
                          images that can be read are still predicted).
  export FILE --format tfjs|keras|pytorch|onnx [--weights DIR] --out DIR [--json]
                          Write the graph as TensorFlow.js files (model.json, weights.bin, graph.json),
                          Keras code (model.py), PyTorch code with weights (model.py, train.py,
                          model.safetensors) or an ONNX model (model.onnx: input "input", float32
                          N×C×H×W; output "output"). --weights DIR takes trained TensorFlow.js model
                          files (as train --out writes them); without it the weights are fresh (seeded).
                          Exit status: 0 written, 1 graph has errors, 2 bad arguments or files.
  robustness MODEL_DIR --transform shift-x|shift-y|rotate|scale|brightness --values V1,V2,...
             [--dataset mnist|fashion-mnist|shapes] [--limit N] [--backend wasm|cpu] [--json]
                          Evaluate a trained model (a folder as train --out writes it) on its test
                          set (the first N images) with every image transformed, and print the
                          accuracy per value: shift-x V pixels (positive = right), shift-y V pixels
                          (positive = down), rotate V degrees (positive = counter-clockwise), scale
                          factor V about the centre, brightness factor V (clipped to [0, 1]).
                          Values may be negative (--values -90,0,90). With --json the last
                          line is {"transform","points":[{"value","accuracy"},...]}.
                          Exit status: 0 evaluated, 2 bad arguments or files.
  explain MODEL_DIR --image N [--method saliency|gradcam] [--layer NODE] [--class K]
          [--dataset mnist|fashion-mnist|shapes] [--backend wasm|cpu] [--json]
                          Show where a trained model looks in test image N, for class K (default:
                          the predicted class). The class score is the output before its softmax.
                          saliency: max over channels of |d score / d input|; gradcam (default):
                          Grad-CAM on NODE (default: the last Conv 2D or Depthwise Conv 2D), resized
                          to the image. Both are divided by their maximum (values 0 to 1). Prints
                          the image and the heatmap as shades; with --json the last line is
                          {"method","layer","predicted","class","heatmap":[[...],...]} (one row per
                          image row; layer is null for saliency).
                          Exit status: 0 explained, 2 bad arguments or files.

  lesson check LESSON GRAPH [--step N|ID] [--model DIR] [--json]
                          Check a lesson's goals (every step's, or one step's by number or id)
                          against a graph file, as the app does (docs/lesson-format.md). With
                          --model DIR (a folder train --out wrote) test-accuracy goals are checked
                          by evaluating that model on the goal's dataset's test images; without
                          it they are unchecked, and lab goals are always unchecked here. Prints
                          one line per goal (✓ met, ✗ unmet, ? unchecked) and a summary; with
                          --json one object {"ok","lesson","steps":[{"id","title","goals":
                          [{"label","state","detail"},...]},...],"met","unmet","unchecked"}.
                          Exit status: 0 no goal unmet, 1 some goal unmet, 2 files cannot be read.

Options:
  -h, --help              Show this help.
`;

/**
 * `--values -90,0,90`: Node's parser would read "-90,0,90" as short options; a list of numbers that
 * starts with a minus sign is taken as the value of --values, as `--values=-90,0,90` is.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i] === '--values' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`--values=${next}`);
      i++;
    } else out.push(argv[i]!);
  }
  return out;
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv),
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        epochs: { type: 'string' },
        backend: { type: 'string' },
        workers: { type: 'string' },
        out: { type: 'string' },
        limit: { type: 'string' },
        data: { type: 'string' },
        fit: { type: 'boolean', default: false },
        'min-score': { type: 'string' },
        format: { type: 'string' },
        weights: { type: 'string' },
        transform: { type: 'string' },
        values: { type: 'string' },
        dataset: { type: 'string' },
        image: { type: 'string' },
        method: { type: 'string' },
        layer: { type: 'string' },
        class: { type: 'string' },
        step: { type: 'string' },
        model: { type: 'string' },
        ...TRAIN_SETTING_OPTIONS,
      },
    });
  } catch (e) {
    io.err(`layerlab: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || !command) {
    (command || parsed.values.help ? io.out : io.err)(USAGE);
    return parsed.values.help ? 0 : 2;
  }
  switch (command) {
    case 'inspect':
      if (rest.length !== 1) {
        io.err(`layerlab inspect takes one FILE.\n\n${USAGE}`);
        return 2;
      }
      return inspectCommand(rest[0]!, parsed.values.json, io);
    case 'train': {
      if (rest.length !== 1) {
        io.err(`layerlab train takes one FILE.\n\n${USAGE}`);
        return 2;
      }
      const v = parsed.values;
      const int = (name: string, x: string | undefined, min: number, max: number) => {
        if (x === undefined) return undefined;
        const n = Number(x);
        if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, not "${x}".`);
        return n;
      };
      let epochs: number | undefined;
      let limit: number | undefined;
      let workers: number | undefined;
      try {
        epochs = int('epochs', v.epochs, TRAINING_SETTINGS.epochs.min, TRAINING_SETTINGS.epochs.max);
        limit = int('limit', v.limit, 10, 10_000_000);
        workers = int('workers', v.workers, 1, MAX_TRAINING_WORKERS);
        if (v.backend !== undefined && v.backend !== 'wasm' && v.backend !== 'cpu') throw new Error(`--backend must be wasm or cpu, not "${v.backend}".`);
      } catch (e) {
        io.err(`layerlab: ${(e as Error).message}\n`);
        return 2;
      }
      if (v.data !== undefined && !v.data.trim()) {
        io.err('layerlab: --data needs a folder.\n');
        return 2;
      }
      const settings = settingsFromFlags(v);
      if (typeof settings === 'string') {
        io.err(`layerlab: ${settings}\n`);
        return 2;
      }
      return trainCommand(rest[0]!, { epochs, limit, workers, backend: v.backend as 'wasm' | 'cpu' | undefined, out: v.out, json: v.json, data: v.data, fit: v.fit, settings }, io);
    }
    case 'predict': {
      const opts = rest.length >= 2 ? parsePredictOptions(parsed.values) : 'layerlab predict takes a MODEL_DIR and at least one IMAGE file.';
      if (typeof opts === 'string') {
        io.err(`layerlab: ${opts}\n\n${USAGE}`);
        return 2;
      }
      return predictCommand(rest[0]!, rest.slice(1), opts, io);
    }
    case 'export': {
      const v = parsed.values;
      const problem =
        rest.length !== 1
          ? 'layerlab export takes one FILE.'
          : !v.format || !(EXPORT_FORMATS as readonly string[]).includes(v.format)
            ? `--format must be one of ${EXPORT_FORMATS.join(', ')}${v.format ? `, not "${v.format}"` : ''}.`
            : !v.out
              ? '--out DIR is required: the folder to write the files to.'
              : null;
      if (problem) {
        io.err(`layerlab: ${problem}

${USAGE}`);
        return 2;
      }
      return exportCommand(rest[0]!, { format: v.format as ExportFormat, weights: v.weights, out: v.out!, json: v.json }, io);
    }
    case 'robustness': {
      const opts = rest.length === 1 ? parseRobustnessOptions(parsed.values) : 'layerlab robustness takes one MODEL_DIR.';
      if (typeof opts === 'string') {
        io.err(`layerlab: ${opts}\n\n${USAGE}`);
        return 2;
      }
      return robustnessCommand(rest[0]!, opts, io);
    }
    case 'explain': {
      const opts = rest.length === 1 ? parseExplainOptions(parsed.values) : 'layerlab explain takes one MODEL_DIR.';
      if (typeof opts === 'string') {
        io.err(`layerlab: ${opts}\n\n${USAGE}`);
        return 2;
      }
      return explainCommand(rest[0]!, opts, io);
    }
    case 'lesson': {
      if (rest[0] !== 'check' || rest.length !== 3) {
        io.err(`layerlab: lesson takes \`check LESSON GRAPH\`.\n\n${USAGE}`);
        return 2;
      }
      const { lessonCheckCommand } = await import('./lesson');
      return lessonCheckCommand(rest[1]!, rest[2]!, { step: parsed.values.step, model: parsed.values.model, json: parsed.values.json }, io);
    }
    default:
      io.err(`layerlab: unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}
