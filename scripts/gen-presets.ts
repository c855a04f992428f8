/**
 * Generates the preset graph files in presets/ (run: `npx tsx scripts/gen-presets.ts`).
 * The files are committed and may be edited by hand afterwards; this script only saves
 * writing the 177 nodes of ResNet-50 by hand. Output is the canonical file layout.
 *
 * ResNet-50, ResNet-mini and Inception-mini are presets made of blocks (format version 2); this
 * script writes their flat versions to fixtures/<name>-flat.json, the reference that
 * src/graph/blocks.test.ts and src/compiler/blocks-compile.test.ts hold the block presets to
 * (same nodes, wires, parameter counts and outputs).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serializeGraph } from '../src/graph/serialize';
import { CURRENT_VERSION, type GraphDoc, type GraphEdge, type GraphNode, type TrainingSettings } from '../src/graph/types';

const COL = 280;
const ROW = 190;

class Builder {
  nodes: GraphNode[] = [];
  edges: GraphEdge[] = [];
  col = 0;
  row = 0;

  /** Adds a node fed by `from` (one id, or several for merge nodes) at the next column of the current row. */
  add(id: string, type: string, params: Record<string, unknown>, from: string | string[] | null, at?: { col?: number; lane?: number }): string {
    const col = at?.col ?? this.col++;
    this.nodes.push({ id, type, params, position: [col * COL, (this.row + (at?.lane ?? 0)) * ROW] });
    const sources = from === null ? [] : Array.isArray(from) ? from : [from];
    sources.forEach((s, i) => this.edges.push({ from: [s, 'out'], to: [id, Array.isArray(from) ? `in${i}` : 'in'] }));
    return id;
  }

  newRow(rows = 3, col = 1) {
    this.row += rows;
    this.col = col;
  }

  doc(name: string, description: string, training?: TrainingSettings): GraphDoc {
    return { format: 'layerlab-graph', version: CURRENT_VERSION, name, description, nodes: this.nodes, edges: this.edges, ...(training ? { training } : {}) };
  }
}

const mnistTraining: TrainingSettings = { dataset: 'mnist', optimizer: 'adam', learningRate: 0.001, batchSize: 64, epochs: 3, validationSplit: 0.1, seed: 42 };

// Measured with `layerlab train` on WASM: see README (Segmentation and detection).
const UNET_TRAINING: TrainingSettings = { task: 'segmentation', dataset: 'shapes-masks', optimizer: 'adam', learningRate: 0.003, batchSize: 32, epochs: 5, validationSplit: 0.1, seed: 42 };
const DETECTOR_TRAINING: TrainingSettings = { task: 'detection', dataset: 'shapes-boxes', optimizer: 'adam', learningRate: 0.003, batchSize: 32, epochs: 6, validationSplit: 0.1, seed: 42 };

function lenet5(): GraphDoc {
  const b = new Builder();
  b.add('image', 'input', { shape: [28, 28, 1] }, null);
  b.add('c1', 'conv2d', { filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }, 'image');
  b.add('s2', 'maxPooling2d', { poolSize: 2 }, 'c1');
  b.add('c3', 'conv2d', { filters: 16, kernelSize: 5, padding: 'valid', activation: 'relu' }, 's2');
  b.add('s4', 'maxPooling2d', { poolSize: 2 }, 'c3');
  b.newRow(1);
  b.add('flatten', 'flatten', {}, 's4');
  b.add('f5', 'dense', { units: 120, activation: 'relu' }, 'flatten');
  b.add('f6', 'dense', { units: 84, activation: 'relu' }, 'f5');
  b.add('output', 'dense', { units: 10, activation: 'softmax' }, 'f6');
  return b.doc(
    'LeNet-5',
    'LeCun et al. (1998), the network that first read handwritten digits, here with ReLU and max pooling. ' +
      'Two convolution + pooling stages find strokes and their combinations; three dense layers turn them into one of ten digits. 61,706 parameters.',
    // Measured with `layerlab train` on WASM (weights seeded, so reproducible): 98.73% test accuracy
    // after 3 epochs with seed 42; 98.47% with seed 7 and 98.96% with seed 1.
    { ...mnistTraining, learningRate: 0.002, validationSplit: 0.05 },
  );
}

function mlp(): GraphDoc {
  const b = new Builder();
  b.add('image', 'input', { shape: [28, 28, 1] }, null);
  b.add('flatten', 'flatten', {}, 'image');
  b.add('hidden1', 'dense', { units: 128, activation: 'relu' }, 'flatten');
  b.add('drop', 'dropout', { rate: 0.2 }, 'hidden1');
  b.add('hidden2', 'dense', { units: 64, activation: 'relu' }, 'drop');
  b.add('output', 'dense', { units: 10, activation: 'softmax' }, 'hidden2');
  return b.doc(
    'MLP baseline',
    'A plain multi-layer perceptron: the image is flattened into 784 numbers and fed to dense layers. ' +
      'No convolutions, so it has to learn every pixel position separately. Compare its accuracy and parameter count with LeNet-5.',
    { ...mnistTraining, epochs: 5 },
  );
}

function resnetMini(): GraphDoc {
  const b = new Builder();
  b.add('image', 'input', { shape: [28, 28, 1] }, null);
  b.add('stem', 'conv2d', { filters: 16, kernelSize: 3, padding: 'same', useBias: false }, 'image');
  b.add('stem_bn', 'batchNormalization', {}, 'stem');
  let x = b.add('stem_relu', 'activation', { activation: 'relu' }, 'stem_bn');
  /** A basic residual block; `projection` adds the 1×1 convolution shortcut needed when the shape changes. */
  const block = (name: string, filters: number, stride: number, projection: boolean) => {
    const startCol = b.col;
    b.add(`${name}_conv1`, 'conv2d', { filters, kernelSize: 3, strides: stride, padding: 'same', useBias: false }, x);
    b.add(`${name}_bn1`, 'batchNormalization', {}, `${name}_conv1`);
    b.add(`${name}_relu1`, 'activation', { activation: 'relu' }, `${name}_bn1`);
    b.add(`${name}_conv2`, 'conv2d', { filters, kernelSize: 3, padding: 'same', useBias: false }, `${name}_relu1`);
    b.add(`${name}_bn2`, 'batchNormalization', {}, `${name}_conv2`);
    let shortcut = x;
    if (projection) {
      b.add(`${name}_proj`, 'conv2d', { filters, kernelSize: 1, strides: stride, useBias: false }, x, { col: startCol, lane: 1 });
      shortcut = b.add(`${name}_proj_bn`, 'batchNormalization', {}, `${name}_proj`, { col: startCol + 1, lane: 1 });
    }
    b.add(`${name}_add`, 'add', { inputs: 2 }, [shortcut, `${name}_bn2`]);
    x = b.add(`${name}_out`, 'activation', { activation: 'relu' }, `${name}_add`);
  };
  block('block1', 16, 1, false);
  block('block2', 32, 2, true);
  b.newRow();
  block('block3', 32, 1, false);
  block('block4', 64, 2, true);
  b.add('pool', 'globalAveragePooling2d', {}, x);
  b.add('output', 'dense', { units: 10, activation: 'softmax' }, 'pool');
  return b.doc(
    'ResNet-mini',
    'A small residual network for 28×28 images: four residual blocks, each adding its input back to what its two convolutions compute (x + F(x)). ' +
      'Where a block halves the size and doubles the channels, a 1×1 convolution projects the shortcut to the new shape. ' +
      'Batch normalisation after every convolution and global average pooling instead of big dense layers.',
    { ...mnistTraining, epochs: 3 },
  );
}

function inceptionMini(): GraphDoc {
  const b = new Builder();
  b.add('image', 'input', { shape: [28, 28, 1] }, null);
  b.add('stem', 'conv2d', { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }, 'image');
  let x = b.add('stem_pool', 'maxPooling2d', { poolSize: 2 }, 'stem');
  const module = (name: string, f1: number, f3r: number, f3: number, f5r: number, f5: number, fp: number) => {
    const c = b.col;
    b.add(`${name}_1x1`, 'conv2d', { filters: f1, kernelSize: 1, activation: 'relu' }, x, { col: c + 1, lane: -1 });
    b.add(`${name}_3x3_reduce`, 'conv2d', { filters: f3r, kernelSize: 1, activation: 'relu' }, x, { col: c, lane: 0 });
    b.add(`${name}_3x3`, 'conv2d', { filters: f3, kernelSize: 3, padding: 'same', activation: 'relu' }, `${name}_3x3_reduce`, { col: c + 1, lane: 0 });
    b.add(`${name}_5x5_reduce`, 'conv2d', { filters: f5r, kernelSize: 1, activation: 'relu' }, x, { col: c, lane: 1 });
    b.add(`${name}_5x5`, 'conv2d', { filters: f5, kernelSize: 5, padding: 'same', activation: 'relu' }, `${name}_5x5_reduce`, { col: c + 1, lane: 1 });
    b.add(`${name}_pool`, 'maxPooling2d', { poolSize: 3, strides: 1, padding: 'same' }, x, { col: c, lane: 2 });
    b.add(`${name}_pool_proj`, 'conv2d', { filters: fp, kernelSize: 1, activation: 'relu' }, `${name}_pool`, { col: c + 1, lane: 2 });
    b.col = c + 2;
    x = b.add(`${name}_concat`, 'concatenate', { inputs: 4 }, [`${name}_1x1`, `${name}_3x3`, `${name}_5x5`, `${name}_pool_proj`]);
  };
  module('mixed1', 16, 16, 24, 4, 8, 8);
  x = b.add('pool2', 'maxPooling2d', { poolSize: 2 }, x);
  module('mixed2', 32, 24, 48, 8, 16, 16);
  b.add('gap', 'globalAveragePooling2d', {}, x);
  b.add('dropout', 'dropout', { rate: 0.3 }, 'gap');
  b.add('output', 'dense', { units: 10, activation: 'softmax' }, 'dropout');
  return b.doc(
    'Inception-mini',
    'Two GoogLeNet-style Inception modules: each looks at the same map through 1×1, 3×3 and 5×5 convolutions and a pooling branch side by side, ' +
      'then concatenates the results along the channel axis, so the next layer can pick whichever scale fits. 1×1 convolutions keep the cost down.',
    mnistTraining,
  );
}

/** Keras' ResNet50 (keras.applications.ResNet50, include_top=True), node ids = Keras layer names. */
function resnet50(): GraphDoc {
  const b = new Builder();
  const bn = { epsilon: 1.001e-5 };
  b.add('input_1', 'input', { shape: [224, 224, 3] }, null);
  b.add('conv1_pad', 'zeroPadding2d', { padding: 3 }, 'input_1');
  b.add('conv1_conv', 'conv2d', { filters: 64, kernelSize: 7, strides: 2 }, 'conv1_pad');
  b.add('conv1_bn', 'batchNormalization', bn, 'conv1_conv');
  b.add('conv1_relu', 'activation', { activation: 'relu' }, 'conv1_bn');
  b.add('pool1_pad', 'zeroPadding2d', { padding: 1 }, 'conv1_relu');
  let x = b.add('pool1_pool', 'maxPooling2d', { poolSize: 3, strides: 2 }, 'pool1_pad');
  const block = (name: string, filters: number, stride: number, convShortcut: boolean) => {
    const c = b.col;
    let shortcut = x;
    if (convShortcut) {
      b.add(`${name}_0_conv`, 'conv2d', { filters: 4 * filters, kernelSize: 1, strides: stride }, x, { col: c, lane: 1 });
      shortcut = b.add(`${name}_0_bn`, 'batchNormalization', bn, `${name}_0_conv`, { col: c + 1, lane: 1 });
    }
    b.add(`${name}_1_conv`, 'conv2d', { filters, kernelSize: 1, strides: stride }, x);
    b.add(`${name}_1_bn`, 'batchNormalization', bn, `${name}_1_conv`);
    b.add(`${name}_1_relu`, 'activation', { activation: 'relu' }, `${name}_1_bn`);
    b.add(`${name}_2_conv`, 'conv2d', { filters, kernelSize: 3, padding: 'same' }, `${name}_1_relu`);
    b.add(`${name}_2_bn`, 'batchNormalization', bn, `${name}_2_conv`);
    b.add(`${name}_2_relu`, 'activation', { activation: 'relu' }, `${name}_2_bn`);
    b.add(`${name}_3_conv`, 'conv2d', { filters: 4 * filters, kernelSize: 1 }, `${name}_2_relu`);
    b.add(`${name}_3_bn`, 'batchNormalization', bn, `${name}_3_conv`);
    b.add(`${name}_add`, 'add', { inputs: 2 }, [shortcut, `${name}_3_bn`]);
    x = b.add(`${name}_out`, 'activation', { activation: 'relu' }, `${name}_add`);
  };
  const stack = (name: string, filters: number, blocks: number, stride1: number) => {
    b.newRow();
    block(`${name}_block1`, filters, stride1, true);
    for (let i = 2; i <= blocks; i++) block(`${name}_block${i}`, filters, 1, false);
  };
  stack('conv2', 64, 3, 1);
  stack('conv3', 128, 4, 2);
  stack('conv4', 256, 6, 2);
  stack('conv5', 512, 3, 2);
  b.newRow();
  b.add('avg_pool', 'globalAveragePooling2d', {}, x);
  b.add('predictions', 'dense', { units: 1000, activation: 'softmax' }, 'avg_pool');
  return b.doc(
    'ResNet-50',
    'He et al. (2015): the ImageNet ResNet-50 exactly as Keras builds it (layer names match keras.applications.ResNet50), ' +
      '224×224 colour images, 1000 classes, 16 bottleneck blocks (1×1 → 3×3 → 1×1 convolutions) in four stages, ' +
      'each stage starting with a projection shortcut. 25,636,712 parameters. Too big to train in a browser tab; open it to see how a real ResNet is put together.',
    { dataset: 'custom', optimizer: 'sgd', learningRate: 0.1, batchSize: 32, epochs: 1, validationSplit: 0.1, seed: 42 },
  );
}

/** U-Net (Ronneberger et al., 2015), small: two encoder stages, a bottleneck, two decoder stages with skip concatenations. */
function unetMini(): GraphDoc {
  const b = new Builder();
  const conv = (filters: number) => ({ filters, kernelSize: 3, padding: 'same', activation: 'relu' });
  b.add('image', 'input', { shape: [32, 32, 1] }, null);
  b.add('enc1a', 'conv2d', conv(16), 'image');
  b.add('enc1b', 'conv2d', conv(16), 'enc1a');
  b.add('pool1', 'maxPooling2d', { poolSize: 2 }, 'enc1b');
  b.add('enc2a', 'conv2d', conv(32), 'pool1');
  b.add('enc2b', 'conv2d', conv(32), 'enc2a');
  b.add('pool2', 'maxPooling2d', { poolSize: 2 }, 'enc2b');
  b.add('mid1', 'conv2d', conv(64), 'pool2');
  b.add('mid2', 'conv2d', conv(64), 'mid1');
  // The decoder runs right to left on the row below, so each skip goes straight down.
  b.newRow(2, 8);
  b.add('up2', 'conv2dTranspose', { filters: 32, kernelSize: 2, strides: 2, padding: 'same' }, 'mid2', { col: 8 });
  b.add('skip2', 'concatenate', { inputs: 2 }, ['enc2b', 'up2'], { col: 7 });
  b.add('dec2a', 'conv2d', conv(32), 'skip2', { col: 6 });
  b.add('dec2b', 'conv2d', conv(32), 'dec2a', { col: 5 });
  b.add('up1', 'conv2dTranspose', { filters: 16, kernelSize: 2, strides: 2, padding: 'same' }, 'dec2b', { col: 4 });
  b.add('skip1', 'concatenate', { inputs: 2 }, ['enc1b', 'up1'], { col: 3 });
  b.add('dec1a', 'conv2d', conv(16), 'skip1', { col: 2 });
  b.add('dec1b', 'conv2d', conv(16), 'dec1a', { col: 1 });
  b.add('mask', 'conv2d', { filters: 5, kernelSize: 1, padding: 'same', activation: 'softmax' }, 'dec1b', { col: 0 });
  return b.doc(
    'U-Net mini',
    'A small U-Net for segmentation: one class per pixel. The encoder (top row, left to right) halves the map twice while it doubles the channels, ' +
      'so it sees more and more of the image; the decoder (bottom row, right to left) doubles it back with transposed convolutions. ' +
      'Skip connections concatenate each encoder map with the decoder map of the same size, so the fine detail lost by pooling comes back for sharp edges. ' +
      'The last 1×1 convolution gives, for every pixel, a softmax over the 5 classes (background, circle, square, triangle, cross).',
    UNET_TRAINING,
  );
}

/** A single-shot grid detector (YOLO v1 style, small): 32×32 image → 8×8 cells × (objectness, box, 4 classes). */
function detectorMini(): GraphDoc {
  const b = new Builder();
  const conv = (filters: number) => ({ filters, kernelSize: 3, padding: 'same', activation: 'relu' });
  b.add('image', 'input', { shape: [32, 32, 1] }, null);
  b.add('c1', 'conv2d', conv(16), 'image');
  b.add('p1', 'maxPooling2d', { poolSize: 2 }, 'c1');
  b.add('c2', 'conv2d', conv(32), 'p1');
  b.add('p2', 'maxPooling2d', { poolSize: 2 }, 'c2');
  b.add('c3', 'conv2d', conv(64), 'p2');
  b.add('c4', 'conv2d', conv(64), 'c3');
  b.add('grid', 'conv2d', { filters: 9, kernelSize: 1, padding: 'same', activation: 'linear' }, 'c4');
  return b.doc(
    'Detector mini',
    'A small single-shot detector: the image is cut into an 8×8 grid of 4×4-pixel cells, and each cell says whether an object’s centre lies in it (objectness), ' +
      'where the box is (centre inside the cell, width and height) and which shape it is (4 class scores), all at once: 5 + 4 = 9 channels per cell. ' +
      'Two poolings shrink 32×32 to the 8×8 grid; the convolutions after them see about 26×26 pixels, enough for a whole shape. ' +
      'Boxes scoring above the threshold are kept, and non-maximum suppression removes the duplicates.',
    DETECTOR_TRAINING,
  );
}

export const PRESET_BUILDERS: Record<string, () => GraphDoc> = {
  lenet5,
  mlp,
  'resnet-mini': resnetMini,
  'inception-mini': inceptionMini,
  resnet50,
  'unet-mini': unetMini,
  'detector-mini': detectorMini,
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const FROM_BLOCKS = new Set(['resnet50', 'resnet-mini', 'inception-mini']);
  for (const [name, build] of Object.entries(PRESET_BUILDERS)) {
    const file = FROM_BLOCKS.has(name) ? join('fixtures', `${name}-flat.json`) : join('presets', `${name}.json`);
    writeFileSync(join(root, file), serializeGraph(build()));
    console.log(`wrote ${file}`);
  }
}
