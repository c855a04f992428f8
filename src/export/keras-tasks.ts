/**
 * The training part of the Keras file for segmentation and detection graphs (keras.ts writes
 * the model; this writes what follows build_model()): LayerLab's losses as Keras loss functions
 * in TensorFlow ops (the formulas of src/tasks/losses.ts on N×H×W×C tensors, channels last as
 * in LayerLab), the folder readers, target encoding and scores of python-tasks.ts (NumPy), and
 * a main() that trains with model.fit and prints the task's score on the held-out images after
 * each epoch. Pure TypeScript (the Python is text).
 *
 * TensorFlow is not installed where LayerLab's tests run: keras.test.ts compiles this code and
 * runs its NumPy parts; the same NumPy code is checked against LayerLab's TypeScript by
 * pytorch-train-tasks.test.ts (the PyTorch train.py pastes the same text).
 */
import { pyStr } from '../../nodes/codegen';
import { PY_OPTIMIZER_CHOICES, PY_SCHEDULE_ARGS } from './codegraph';
import { PY_TASK_METRICS, PY_TASK_READERS } from './python-tasks';

/** Python: LayerLab's segmentation loss as a Keras loss (y_true one-hot N×H×W×K, or N×H×W×1 0/1). */
export const PY_KERAS_SEGMENTATION_LOSS = `def segmentation_loss(channels, dice=False):
    """LayerLab's segmentation loss for an output of \`channels\` channels: mean over images and
    pixels of -sum_k y_k log p_k with p clipped to [1e-7, 1 - 1e-7] (binary cross-entropy for one
    sigmoid channel), plus, with dice, 1 - the mean over classes of the soft Dice
    (2 sum p*y + 1) / (sum p + sum y + 1), sums over the batch's pixels."""
    def loss(y_true, y_pred):
        y_true = tf.cast(y_true, y_pred.dtype)
        p = tf.clip_by_value(y_pred, EPSILON, 1 - EPSILON)
        if channels == 1:
            value = -tf.reduce_mean(y_true * tf.math.log(p) + (1 - y_true) * tf.math.log(1 - p))
        else:
            value = -tf.reduce_mean(tf.reduce_sum(y_true * tf.math.log(p), axis=-1))
        if dice:
            intersection = tf.reduce_sum(y_pred * y_true, axis=[0, 1, 2])
            sizes = tf.reduce_sum(y_pred, axis=[0, 1, 2]) + tf.reduce_sum(y_true, axis=[0, 1, 2])
            value = value + (1 - tf.reduce_mean((2 * intersection + 1) / (sizes + 1)))
        return value
    return loss


def pixel_accuracy(channels):
    """The share of pixels whose most likely class is the true one (LayerLab's live accuracy)."""
    def pixel_accuracy(y_true, y_pred):
        if channels == 1:
            return tf.reduce_mean(tf.cast(tf.equal(y_pred >= 0.5, y_true >= 0.5), tf.float32))
        return tf.reduce_mean(tf.cast(tf.equal(tf.argmax(y_pred, -1), tf.argmax(y_true, -1)), tf.float32))
    return pixel_accuracy`;

/** Python: LayerLab's detection loss as a Keras loss (y_true from encode_detection_targets, y_pred raw scores). */
export const PY_KERAS_DETECTION_LOSS = `def detection_loss(classes):
    """LayerLab's detection loss for a grid with \`classes\` classes, summed over the cells and
    averaged over the images: objectness binary cross-entropy with logits (weight 1 where an
    object is, 0.5 elsewhere), 5 × the squared error of the sigmoid of the box scores in object
    cells, and the softmax cross-entropy of the class scores in object cells."""
    def loss(y_true, y_pred):
        y_true = tf.cast(y_true, y_pred.dtype)
        t_object, t_box, t_class = tf.split(y_true, [1, 4, classes], axis=-1)
        p_object, p_box, p_class = tf.split(y_pred, [1, 4, classes], axis=-1)
        bce = tf.nn.relu(p_object) - p_object * t_object + tf.math.log1p(tf.exp(-tf.abs(p_object)))
        weight = t_object * (LOSS_WEIGHTS['object'] - LOSS_WEIGHTS['no_object']) + LOSS_WEIGHTS['no_object']
        object_loss = tf.reduce_sum(bce * weight)
        box_loss = tf.reduce_sum(tf.square(tf.sigmoid(p_box) - t_box) * t_object) * LOSS_WEIGHTS['box']
        class_loss = -tf.reduce_sum(t_class * tf.nn.log_softmax(p_class, axis=-1) * t_object) * LOSS_WEIGHTS['class']
        return (object_loss + box_loss + class_loss) / tf.cast(tf.shape(y_pred)[0], y_pred.dtype)
    return loss`;

export interface KerasTaskOptions {
  task: 'segmentation' | 'detection';
  saveName: string;
  /** Output shape, height × width × channels. */
  outputShape: readonly number[];
}

/** Docstring lines of the task's Keras file: how it reads data and what it prints. */
export function kerasTaskDoc(task: 'segmentation' | 'detection'): string[] {
  return task === 'segmentation'
    ? [
        'DIR holds images/ and masks/: one PNG mask per image with the same name (sub-folders too), each pixel\'s value its ' +
          'class index (0 = background), and optionally classes.txt (one class name per line). Images are stretched to the ' +
          'input size (bilinear), masks with nearest neighbours. Needs NumPy and Pillow.',
        "The loss is LayerLab's per-pixel cross-entropy of the output's probabilities, clipped to [1e-7, 1 - 1e-7] before " +
          'the log as TensorFlow.js does, plus soft Dice with --segmentation-loss cross-entropy+dice. After each epoch the ' +
          'script prints the mean IoU and pixel accuracy of the held-out images: "epoch N val_mean_iou X val_pixel_accuracy Y".',
      ]
    : [
        'DIR holds images/ and labels/ in the YOLO layout (labels/a.txt for images/a.jpg, one object per line "class cx cy w h", ' +
          'fractions of the image; an image without a label file has no objects) and optionally classes.txt. Images are ' +
          'stretched to the input size. Needs NumPy and Pillow.',
        "The loss is LayerLab's detection loss on the grid's raw scores (objectness, box, class; a cell learns at most one " +
          'object, the larger box when two centres share a cell). After each epoch the script prints the mAP at IoU 0.5 of ' +
          'the held-out images (all-point, as PASCAL VOC): "epoch N val_map50 X".',
      ];
}

/** Everything after build_model() and make_optimizer() in the Keras file of a segmentation or detection graph. */
export function kerasTaskText({ task, saveName, outputShape }: KerasTaskOptions): string {
  const seg = task === 'segmentation';
  const channels = outputShape.length === 3 ? outputShape[2]! : 0;
  const numClasses = outputShape.length !== 3 ? 0 : seg ? (channels === 1 ? 2 : channels) : Math.max(0, channels - 5);
  const problem =
    outputShape.length !== 3
      ? `The network's output is not a map: ${seg ? "a segmentation network ends with a 1×1 Conv 2D of one filter per class and softmax, on a map of the input's size." : 'a detection network ends with a 1×1 Conv 2D of 5 + classes filters and a linear activation (a grid).'}`
      : seg
        ? null
        : channels < 6
          ? `The output grid has ${channels} channels per cell; a detection grid needs 5 + classes (objectness, 4 box values, at least one class score).`
          : null;
  return `TASK = ${pyStr(task)}
EPSILON = 1e-7  # TensorFlow.js' clipping of probabilities before a log
${seg ? `NUM_CLASSES = ${numClasses}  # ${channels === 1 ? 'two classes from one sigmoid channel' : 'one channel per class'}` : `NUM_CLASSES = ${numClasses}  # object classes: the grid's channels - 5\nLOSS_WEIGHTS = {'object': 1.0, 'no_object': 0.5, 'box': 5.0, 'class': 1.0}`}
OUTPUT_PROBLEM = ${problem ? pyStr(problem) : 'None'}


${seg ? PY_KERAS_SEGMENTATION_LOSS : PY_KERAS_DETECTION_LOSS}


# ---------------------------------------------------------------------------------------------
# Data (NumPy arrays channels last)

${PY_TASK_READERS}


${PY_TASK_METRICS}


def held_out_scores(model, images, truths):
    """The task's scores of the held-out images (LayerLab's definitions)."""
    outputs = model.predict(images, batch_size=64, verbose=0)
${
  seg
    ? `    confusion = sum(confusion_matrix(mask_of_output(o), m, NUM_CLASSES) for o, m in zip(outputs, truths))
    mean_iou, per_class, accuracy = segmentation_scores(confusion)
    return {'val_mean_iou': mean_iou, 'val_pixel_accuracy': accuracy, 'per_class': per_class}`
    : `    height, width = INPUT_SHAPE[:2]
    detections = [decode_detections(o, width, height, score_threshold=0.01, iou=0.5) for o in outputs]
    mean_ap, per_class = evaluate_detections(detections, truths, NUM_CLASSES, 0.5)
    return {'val_map50': mean_ap, 'per_class': per_class}`
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\\n')[0])
    parser.add_argument('--data', help='${seg ? 'folder with images/ and masks/' : 'folder with images/ and labels/ (YOLO)'}, optionally classes.txt')
    parser.add_argument('--epochs', type=int, default=SETTINGS['epochs'])
    parser.add_argument('--batch-size', type=int, default=SETTINGS['batch_size'])
    parser.add_argument('--lr', type=float, default=SETTINGS['learning_rate'], help='learning rate')
    parser.add_argument('--optimizer', default=SETTINGS['optimizer'], choices=${PY_OPTIMIZER_CHOICES})
    parser.add_argument('--validation-split', type=float, default=SETTINGS['validation_split'])
    parser.add_argument('--seed', type=int, default=SETTINGS['seed'])
${PY_SCHEDULE_ARGS}
${seg ? "    parser.add_argument('--segmentation-loss', default=SETTINGS['segmentation_loss'], choices=['cross-entropy', 'cross-entropy+dice'])\n" : ''}    parser.add_argument('--limit', type=int, help='use only N images (a seeded random choice)')
    parser.add_argument('--out', default=${pyStr(saveName)}, help='where to save the trained model')
    parser.add_argument('--summary', action='store_true', help='only build the model and print its layers')
    args = parser.parse_args()

    keras.utils.set_random_seed(args.seed)
    model = build_model()
    model.summary()
    if args.summary:
        return
    if OUTPUT_PROBLEM:
        raise SystemExit(OUTPUT_PROBLEM)
    if not args.data or not os.path.isdir(args.data):
        raise SystemExit(f"This graph was trained on LayerLab's {SETTINGS['dataset']!r} data, which Keras does not have: "
                         'pass --data DIR, a folder with ${seg ? 'images/ and masks/ (PNG, pixel value = class index)' : 'images/ and labels/ (YOLO .txt files)'}.')
    height, width, channels = INPUT_SHAPE
${
  seg
    ? `    images, truths, names = load_segmentation_folder(args.data, height, width, channels, NUM_CLASSES)
    # One-hot targets N×H×W×K, or the mask itself (0/1) for one sigmoid channel.
    targets = truths[..., None].astype(np.float32) if model.output_shape[-1] == 1 else np.eye(NUM_CLASSES, dtype=np.float32)[truths]`
    : `    images, truths, names = load_detection_folder(args.data, height, width, channels, NUM_CLASSES)
    rows, cols = model.output_shape[1:3]
    targets = encode_detection_targets(truths, rows, cols, NUM_CLASSES, height, width)`
}
    images = images.astype(np.float32) / 255.0
    print('classes:', ', '.join(names))
    # Hold out a seeded share of the images (their truths are kept for the scores).
    order = np.random.default_rng(args.seed).permutation(len(images))
    if args.limit:
        order = order[:args.limit]
    held_out = int(len(order) * args.validation_split)
    val, train = order[:held_out], order[held_out:]

    model.compile(optimizer=make_optimizer(args.optimizer, args.lr, args.weight_decay),
                  loss=${seg ? "segmentation_loss(model.output_shape[-1], args.segmentation_loss == 'cross-entropy+dice')" : 'detection_loss(NUM_CLASSES)'},
                  metrics=[${seg ? 'pixel_accuracy(model.output_shape[-1])' : ''}])

    class HeldOutScores(keras.callbacks.Callback):
        """Prints the task's scores of the held-out images after each epoch."""

        def __init__(self):
            super().__init__()
            self.scores = None

        def on_epoch_end(self, epoch, logs=None):
            if not held_out:
                return
            self.scores = held_out_scores(self.model, images[val], [truths[i] for i in val])
            print(f'epoch {epoch + 1} ' + ' '.join(f'{k} {v:.4f}' for k, v in self.scores.items() if k != 'per_class'), flush=True)

    scores = HeldOutScores()
    model.fit(images[train], targets[train], batch_size=args.batch_size, epochs=args.epochs, shuffle=True,
              validation_data=(images[val], targets[val]) if held_out else None,
              callbacks=[scores, *make_callbacks(args, held_out)])
    if scores.scores is not None:
        per_class = ', '.join(f'{name} {"-" if v is None else f"{v:.3f}"}' for name, v in zip(names, scores.scores['per_class']))
        print(f'held-out ${seg ? 'IoU' : 'AP at IoU 0.5'} per class: {per_class}')
    model.save(args.out)
    print('saved', args.out)


if __name__ == '__main__':
    main()
`;
}
