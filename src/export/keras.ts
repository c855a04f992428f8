/**
 * Keras code export: one Python file that rebuilds the graph with the Keras functional API
 * (layer names = node ids) and trains it with the graph's training settings. Each node type
 * writes its own layer (NodeDef.keras); this module only walks the graph and assembles the file.
 * Pure TypeScript: runs in the browser and in Node.
 */
import { KERAS_RELU6, pyStr, pyTuple } from '../../nodes/codegen';
import type { GraphDoc } from '../graph/types';
import { augmentationText, codeGraph, PY_KERAS_SCHEDULE, PY_OPTIMIZER_CHOICES, PY_SCHEDULE_ARGS, pythonMakeOptimizer, pythonSettings, resolveTraining } from './codegraph';
import { docstringText, PY_FIND_IDX, wrap } from './python';
import { kerasTaskDoc, kerasTaskText } from './keras-tasks';
import type { ExportFile } from './types';

export const KERAS_FILE = 'keras_model.py';

const DATASET_TEXT: Record<string, string> = {
  mnist: 'MNIST (Keras downloads it)',
  'fashion-mnist': 'Fashion-MNIST (Keras downloads it)',
  shapes: "LayerLab's generated shapes, which Keras does not have: pass --data with your own images",
  custom: 'your own images: pass --data',
  'shapes-masks': "LayerLab's generated shapes with masks, which Keras does not have: pass --data with your own images and masks",
  cells: "LayerLab's generated cells with nuclei masks, which Keras does not have: pass --data with your own images and masks",
  'shapes-boxes': "LayerLab's generated shapes with boxes, which Keras does not have: pass --data with your own images and YOLO labels",
};

/** `keras_model.py` for the graph. Throws an Error listing the problems when the graph has errors. */
export function kerasFiles(doc: GraphDoc): ExportFile[] {
  const g = codeGraph(doc, 'Keras code');
  const t = resolveTraining(doc);
  const [h, w, c] = g.input.ctx.output as [number, number, number];
  const modelName = doc.name.trim() || 'model';
  // A plain name for the Keras model and its file: "LeNet-5" -> "lenet_5".
  const plainName = modelName.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'model';
  const saveName = `${plainName}.keras`;
  // Segmentation and detection graphs get their own data, loss and training (keras-tasks.ts).
  const task = t.task === 'segmentation' || t.task === 'detection' ? t.task : null;

  const body: string[] = [];
  for (const n of g.nodes) {
    const layer = n.def.keras(n.params as never, n.ctx);
    if (n.def.role === 'input') body.push(`    ${n.name} = ${layer}`);
    else if (n.def.role === 'merge') body.push(`    ${n.name} = ${layer}([${n.sources.map((s) => g.nodes.find((m) => m.id === s)!.name).join(', ')}])`);
    else body.push(`    ${n.name} = ${layer}(${g.nodes.find((m) => m.id === n.sources[0])!.name})`);
  }
  const aug = augmentationText(t.augmentation);
  const settingsText =
    `optimizer ${t.optimizer}, learning rate ${t.learningRate}, batch size ${t.batchSize}, ${t.epochs} epoch${t.epochs === 1 ? '' : 's'}, ` +
    `${Math.round(t.validationSplit * 1000) / 10}% of the training images held out for validation, seed ${t.seed}; ` +
    `data: ${DATASET_TEXT[t.dataset] ?? t.dataset}.` +
    (aug ? ` LayerLab also augments the training images (${aug}); this script does not.` : '');

  const doc_ = [
    `"""${docstringText(modelName)} as a Keras model, exported from LayerLab.`,
    '',
    ...(doc.description.trim() ? [wrap(docstringText(doc.description.trim())), ''] : []),
    wrap(
      'build_model() rebuilds the network with the Keras functional API; every layer is named after its LayerLab node. ' +
        'Run as a script, this file trains it with the training settings of the graph.',
    ),
    '',
    'Run (needs TensorFlow 2: pip install tensorflow):',
    '',
    ...(task
      ? [
          `    python ${KERAS_FILE} --data DIR       # train the ${task} network with the settings below`,
          `    python ${KERAS_FILE} --data DIR --epochs 1 --batch-size 16 --lr 0.001`,
          `    python ${KERAS_FILE} --summary        # only build the model and list its layers`,
          '',
          ...kerasTaskDoc(task).flatMap((p) => [wrap(docstringText(p)), '']),
        ]
      : [
          `    python ${KERAS_FILE}                  # train with the settings below`,
          `    python ${KERAS_FILE} --data DIR       # DIR: MNIST-style IDX files, or one sub-folder of images per class`,
          `    python ${KERAS_FILE} --epochs 1 --batch-size 128 --lr 0.001`,
          `    python ${KERAS_FILE} --summary        # only build the model and list its layers`,
          '',
        ]),
    `The trained model is saved as ${saveName} (change with --out).`,
    '',
    wrap(`Training settings from LayerLab: ${docstringText(settingsText)}`),
    ...(task
      ? []
      : [
          '',
          wrap(
            'Images are scaled to 0-1 as in LayerLab. The loss is the cross-entropy of the output, as LayerLab computes it ' +
              '(the output is expected to be a softmax over the classes).',
          ),
        ]),
    '"""',
  ];

  const text = `${doc_.join('\n')}
import argparse
import gzip
import math
import os
import struct

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

${pythonSettings(t, true)}
INPUT_SHAPE = ${pyTuple([h, w, c])}  # height, width, channels${body.some((line) => /\bRELU6\b/.test(line)) ? `\n${KERAS_RELU6}` : ''}


def build_model():
    """The LayerLab graph as a Keras model (functional API, one layer per node)."""
${body.join('\n')}
    return keras.Model(inputs=${g.input.name}, outputs=${g.output.name}, name=${pyStr(plainName)})


${pythonMakeOptimizer('keras')}


${PY_KERAS_SCHEDULE}


${task ? kerasTaskText({ task, saveName, outputShape: g.output.ctx.output }) : classifierTraining(saveName)}`;
  return [{ name: KERAS_FILE, data: text }];
}

/** Everything after make_optimizer() in the Keras file of a classifier: IDX files or class folders, main(). */
const classifierTraining = (saveName: string) => `def read_idx(path):
    """One IDX file (MNIST's format, optionally gzipped) as a numpy array."""
    with (gzip.open if path.endswith('.gz') else open)(path, 'rb') as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


${PY_FIND_IDX}


def load_images(folder):
    """A folder with one sub-folder of images per class (resized to the input size, centre-cropped)."""
    ds = keras.utils.image_dataset_from_directory(
        folder, labels='inferred', label_mode='int', color_mode='grayscale' if INPUT_SHAPE[2] == 1 else 'rgb',
        image_size=INPUT_SHAPE[:2], crop_to_aspect_ratio=True, shuffle=False, batch_size=256)
    print('classes:', ', '.join(ds.class_names))
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in ds])
    return np.concatenate(xs), np.concatenate(ys)


def load_data(args):
    """(x_train, y_train), (x_test, y_test) with images as floats 0-1 of INPUT_SHAPE (test may be None)."""
    test = None
    if args.data and find_idx(args.data, 'train-images-idx3-ubyte'):
        x = read_idx(find_idx(args.data, 'train-images-idx3-ubyte'))
        y = read_idx(find_idx(args.data, 'train-labels-idx1-ubyte'))
        if find_idx(args.data, 't10k-images-idx3-ubyte'):
            test = (read_idx(find_idx(args.data, 't10k-images-idx3-ubyte')), read_idx(find_idx(args.data, 't10k-labels-idx1-ubyte')))
    elif args.data:
        x, y = load_images(args.data)
    elif args.dataset in ('mnist', 'fashion-mnist'):
        source = keras.datasets.mnist if args.dataset == 'mnist' else keras.datasets.fashion_mnist
        (x, y), test = source.load_data()
    else:
        raise SystemExit(f"This graph was trained on LayerLab's {args.dataset!r} data: pass --data DIR "
                         '(MNIST-style IDX files, or one sub-folder of images per class).')

    def prepare(images, labels):
        images = np.asarray(images, dtype=np.float32)
        if images.max() > 1:
            images = images / 255.0
        if images.ndim == 3:
            images = images[..., None]
        if images.shape[1:] != INPUT_SHAPE:
            raise SystemExit(f'The images are {images.shape[1:]} but the model takes {INPUT_SHAPE} (height, width, channels).')
        if args.limit:
            images, labels = images[:args.limit], labels[:args.limit]
        return images, np.asarray(labels, dtype=np.int64)

    return prepare(x, y), (prepare(*test) if test is not None else None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\\n')[0])
    parser.add_argument('--data', help='folder with MNIST-style IDX files or with one sub-folder of images per class')
    parser.add_argument('--dataset', default=SETTINGS['dataset'], help='mnist or fashion-mnist (downloaded by Keras)')
    parser.add_argument('--epochs', type=int, default=SETTINGS['epochs'])
    parser.add_argument('--batch-size', type=int, default=SETTINGS['batch_size'])
    parser.add_argument('--lr', type=float, default=SETTINGS['learning_rate'], help='learning rate')
    parser.add_argument('--optimizer', default=SETTINGS['optimizer'], choices=${PY_OPTIMIZER_CHOICES})
    parser.add_argument('--validation-split', type=float, default=SETTINGS['validation_split'])
    parser.add_argument('--seed', type=int, default=SETTINGS['seed'])
${PY_SCHEDULE_ARGS}
    parser.add_argument('--limit', type=int, help='use only the first N images of each split')
    parser.add_argument('--out', default=${pyStr(saveName)}, help='where to save the trained model')
    parser.add_argument('--summary', action='store_true', help='only build the model and print its layers')
    args = parser.parse_args()

    keras.utils.set_random_seed(args.seed)
    model = build_model()
    model.summary()
    if args.summary:
        return

    (x, y), test = load_data(args)
    # Shuffle once (seeded) so that the validation share Keras takes from the end is a random one.
    order = np.random.default_rng(args.seed).permutation(len(x))
    x, y = x[order], y[order]
    model.compile(optimizer=make_optimizer(args.optimizer, args.lr, args.weight_decay),
                  loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs,
              validation_split=args.validation_split, shuffle=True,
              callbacks=make_callbacks(args, int(len(x) * args.validation_split) > 0))
    if test is not None:
        loss, accuracy = model.evaluate(*test, batch_size=256, verbose=0)
        print(f'test loss {loss:.4f} accuracy {accuracy:.4f}')
    model.save(args.out)
    print('saved', args.out)


if __name__ == '__main__':
    main()
`;
