/**
 * The "plain TensorFlow.js script" baseline of the training benchmark: LeNet-5 built with plain
 * tf.layers (not LayerLab's compiler) and trained with trainOnBatch on MNIST batches, as anyone
 * would write it from the tfjs tutorials. Runs in the browser (a bench worker, see
 * train-worker.ts); nothing here imports LayerLab except, when asked, its convolution gradients
 * (src/training/conv-grad.ts), without which the WASM backend of tfjs 4.22 cannot train a
 * convolution at all (it has no Conv2DBackpropFilter kernel).
 *
 * The architecture is presets/lenet5.json's (and bench/lenet_torch.py's): conv 6@5×5 'same' relu,
 * max pool 2, conv 16@5×5 'valid' relu, max pool 2, flatten, dense 120 relu, dense 84 relu,
 * dense 10 softmax; Adam 1e-3, categorical cross-entropy, accuracy metric (as LayerLab compiles).
 */
import type * as tfjs from '@tensorflow/tfjs';

type TF = typeof tfjs;

/** MNIST training images as floats in [0, 1] (N×28×28) and their labels. */
export interface PlainMnist {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

/** Reads an IDX file (big-endian header: 0, 0, type 0x08, number of dims, then the dims). */
function idx(buffer: ArrayBuffer): { dims: number[]; data: Uint8Array } {
  const view = new DataView(buffer);
  if (view.getUint8(2) !== 0x08) throw new Error('not an unsigned-byte IDX file');
  const n = view.getUint8(3);
  const dims = Array.from({ length: n }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, data: new Uint8Array(buffer, 4 + 4 * n) };
}

/** Fetches MNIST's training split from `base` (the app serves it at /datasets/mnist/). */
export async function fetchMnistTrain(base = '/datasets/mnist/'): Promise<PlainMnist> {
  const get = async (f: string) => {
    const res = await fetch(base + f);
    if (!res.ok) throw new Error(`GET ${base + f}: ${res.status}`);
    return res.arrayBuffer();
  };
  const [img, lab] = await Promise.all([get('train-images-idx3-ubyte'), get('train-labels-idx1-ubyte')]);
  const images = idx(img);
  const labels = idx(lab);
  const count = images.dims[0]!;
  const out = new Float32Array(images.data.length);
  for (let i = 0; i < out.length; i++) out[i] = images.data[i]! / 255;
  return { images: out, labels: labels.data.slice(0, count), count };
}

export function plainLeNet5(tf: TF): tfjs.Sequential {
  const model = tf.sequential({ name: 'plain_lenet5' });
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'valid', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 120, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 84, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/**
 * Trains `model` batch by batch on shuffled MNIST batches of `batchSize` until `keepGoing`
 * says stop; calls `onBatch` after each batch (once trainOnBatch has resolved, i.e. the loss was
 * read back, as in any training loop that reports progress).
 */
export async function trainPlain(
  tf: TF,
  model: tfjs.LayersModel,
  data: PlainMnist,
  batchSize: number,
  onBatch: (loss: number) => boolean,
): Promise<void> {
  const size = 28 * 28;
  const order = Uint32Array.from({ length: data.count }, (_, i) => i);
  let seed = 42;
  for (let i = order.length - 1; i > 0; i--) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const x = new Float32Array(batchSize * size);
  const y = new Int32Array(batchSize);
  for (let start = 0; ; start = (start + batchSize) % (data.count - batchSize)) {
    for (let i = 0; i < batchSize; i++) {
      const k = order[start + i]!;
      x.set(data.images.subarray(k * size, (k + 1) * size), i * size);
      y[i] = data.labels[k]!;
    }
    const xs = tf.tensor4d(x, [batchSize, 28, 28, 1]);
    const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(y, 'int32'), 10));
    const out = (await model.trainOnBatch(xs, ys)) as number[];
    tf.dispose([xs, ys]);
    if (!onBatch(out[0]!)) return;
  }
}
