/**
 * The losses and the live metric of segmentation and detection in TensorFlow.js (tfjs passed in,
 * so Node and the worker share them). Each is a Keras-style loss `(yTrue, yPred) → scalar` that
 * `model.compile` takes. The exported PyTorch and Keras scripts write the same formulas
 * (src/export/*), and tests check them against a brute-force TS version.
 *
 * Segmentation, per-pixel cross-entropy: mean over images and pixels of −Σ_k y_k log p_k with p
 * clipped to [1e-7, 1 − 1e-7] (as tfjs' categoricalCrossentropy); for a one-channel sigmoid
 * output, binary cross-entropy. "+ Dice" adds 1 − mean over classes of the soft Dice
 * (2 Σ p·y + 1) / (Σ p + Σ y + 1), sums over the batch's pixels, every class counted (for one
 * channel: the foreground).
 *
 * Detection (the grid of DETECTION_LAYOUT, yPred raw logits, yTrue from encodeDetectionTargets),
 * summed over cells and averaged over images:
 *   objectness   BCE(σ(o), t₀) in every cell, weighted 1 where an object is and 0.5 elsewhere;
 *   box          5 × Σ over the 4 box channels of (σ(pred) − target)², in object cells only;
 *   class        softmax cross-entropy of the class scores, in object cells only.
 */
import type * as tfjs from '@tensorflow/tfjs';

type TF = typeof tfjs;
type T = tfjs.Tensor;

export const DETECTION_LOSS_WEIGHTS = { object: 1, noObject: 0.5, box: 5, class: 1 } as const;

const EPS = 1e-7;

/** Per-pixel cross-entropy (and optionally + soft Dice) for a segmentation output of `channels` channels. */
export function segmentationLoss(tf: TF, channels: number, dice: boolean): (yTrue: T, yPred: T) => tfjs.Scalar {
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const p = tf.clipByValue(yPred, EPS, 1 - EPS);
      const ce =
        channels === 1
          ? tf.neg(tf.mean(tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p))))))
          : tf.neg(tf.mean(tf.sum(tf.mul(yTrue, tf.log(p)), -1)));
      if (!dice) return ce as tfjs.Scalar;
      const axes = [0, 1, 2];
      const inter = tf.sum(tf.mul(yPred, yTrue), axes);
      const denom = tf.add(tf.sum(yPred, axes), tf.sum(yTrue, axes));
      const d = tf.div(tf.add(tf.mul(inter, 2), 1), tf.add(denom, 1));
      return tf.add(ce, tf.sub(1, tf.mean(d))) as tfjs.Scalar;
    });
}

/** The share of pixels whose most likely class is the true one (the live "accuracy" of segmentation). */
export function pixelAccuracy(tf: TF, channels: number): (yTrue: T, yPred: T) => T {
  return (yTrue, yPred) =>
    tf.tidy(() =>
      channels === 1
        ? tf.mean(tf.cast(tf.equal(tf.greaterEqual(yPred, 0.5), tf.greaterEqual(yTrue, 0.5)), 'float32'))
        : tf.mean(tf.cast(tf.equal(tf.argMax(yPred, -1), tf.argMax(yTrue, -1)), 'float32')),
    );
}

/** The detection loss (see above) for a grid with `classes` object classes. */
export function detectionLoss(tf: TF, classes: number): (yTrue: T, yPred: T) => tfjs.Scalar {
  const w = DETECTION_LOSS_WEIGHTS;
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const n = yPred.shape[0]!;
      const [tObj, tBox, tCls] = tf.split(yTrue, [1, 4, classes], -1);
      const [pObj, pBox, pCls] = tf.split(yPred, [1, 4, classes], -1);
      // BCE with logits, stable: max(x, 0) − x·t + log(1 + e^{−|x|}).
      const bce = tf.add(tf.sub(tf.relu(pObj!), tf.mul(pObj!, tObj!)), tf.log1p(tf.exp(tf.neg(tf.abs(pObj!)))));
      const objWeight = tf.add(tf.mul(tObj!, w.object - w.noObject), w.noObject);
      const objLoss = tf.sum(tf.mul(bce, objWeight));
      const boxLoss = tf.mul(tf.sum(tf.mul(tf.square(tf.sub(tf.sigmoid(pBox!), tBox!)), tObj!)), w.box);
      const logSoftmax = tf.logSoftmax(pCls!);
      const clsLoss = tf.mul(tf.neg(tf.sum(tf.mul(tf.mul(tCls!, logSoftmax), tObj!))), w.class);
      return tf.div(tf.add(tf.add(objLoss, boxLoss), clsLoss), n) as tfjs.Scalar;
    });
}
