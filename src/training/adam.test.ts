/**
 * The one-kernel Adam (adam.ts) against TensorFlow.js' own `tf.train.adam`, on the wasm and cpu
 * backends: the same weights and gradients, step by step (with a learning-rate change between
 * steps, as the schedules make), the moments, the saved optimizer weights, a model trained with
 * trainOnBatch, the number of kernels a step runs, and no leaked tensors.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { random, relError } from './numbers.testing';
import { ADAM_KERNEL, createLeanAdam } from './adam';
import { installConvFilterGradient, uninstallConvFilterGradient } from './conv-grad';

// The model test trains a convolution, which the wasm backend needs LayerLab's kernels for.
beforeAll(() => installConvFilterGradient(tf));
afterAll(() => uninstallConvFilterGradient(tf));



const TOL = 1e-6;
const SHAPES = [[5, 5, 1, 6], [6], [400, 120], [3, 7]];

/** Runs `steps` Adam steps on fresh variables; returns the weights after every step and the optimizer's weights. */
let runs = 0;
async function run(optimizer: tf.Optimizer, steps: number, lrAt?: (step: number) => number) {
  runs++;
  const vars = SHAPES.map((s, i) => tf.variable(tf.tensor(random(s.reduce((a, b) => a * b, 1), 10 + i), s), true, `adam_test_${runs}_w${i}`));
  const history: Float32Array[][] = [];
  for (let step = 0; step < steps; step++) {
    if (lrAt) (optimizer as unknown as { learningRate: number }).learningRate = lrAt(step);
    // Gradients of different scales per weight and step, as a list or (odd steps) a map.
    const grads = vars.map((v, i) => ({ name: v.name, tensor: tf.mul(tf.tensor(random(v.size, 100 * step + i), v.shape), 10 ** (i - 2)) }));
    optimizer.applyGradients(step % 2 ? Object.fromEntries(grads.map((g) => [g.name, g.tensor])) : grads);
    tf.dispose(grads.map((g) => g.tensor));
    history.push(vars.map((v) => v.dataSync() as Float32Array));
  }
  const weights = await optimizer.getWeights();
  const saved = await Promise.all(weights.map(async (w) => ({ name: w.name.replace(/^adam_test_\d+_/, ''), data: (await w.tensor.data()) as Float32Array })));
  tf.dispose(vars);
  return { history, saved };
}

describe.each(['wasm', 'cpu'])('lean Adam on %s', (backend) => {
  it('matches tf.train.adam step by step, moments included, with a learning-rate change', async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    const lrAt = (step: number) => (step < 3 ? 0.002 : 0.0005);
    const ref = await run(tf.train.adam(0.002), 6, lrAt);
    const lean = createLeanAdam(tf, 0.002);
    const got = await run(lean, 6, lrAt);
    expect(tf.getKernel(ADAM_KERNEL, backend)).toBeDefined();
    got.history.forEach((weights, step) => weights.forEach((w, i) => expect(relError(w, ref.history[step]![i]!), `step ${step}, weight ${i}`).toBeLessThan(TOL)));
    expect(got.saved.map((w) => w.name)).toEqual(ref.saved.map((w) => w.name));
    got.saved.forEach((w, i) => expect(relError(w.data, ref.saved[i]!.data), w.name).toBeLessThan(TOL));
    expect(lean.getClassName()).toBe('Adam');
    expect(lean.getConfig()).toEqual(tf.train.adam(0.0005).getConfig()); // the learning rate it ended with
  });

  it('runs a few kernels per weight, not ~14, and leaks nothing', async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    const count = async (optimizer: tf.Optimizer) => {
      const v = SHAPES.map((s, i) => tf.variable(tf.tensor(random(s.reduce((a, b) => a * b, 1), i), s)));
      const step = () => {
        const grads = v.map((x, i) => ({ name: x.name, tensor: tf.tensor(random(x.size, 50 + i), x.shape) }));
        optimizer.applyGradients(grads);
        tf.dispose(grads.map((g) => g.tensor));
      };
      step(); // creates the moments
      const before = tf.memory().numTensors;
      const info = await tf.profile(step);
      expect(tf.memory().numTensors).toBe(before);
      optimizer.dispose();
      tf.dispose(v);
      return info.kernels.length;
    };
    const ref = await count(tf.train.adam(0.01));
    const lean = await count(createLeanAdam(tf, 0.01));
    // One update per weight, plus the two β powers.
    expect(lean).toBeLessThanOrEqual(SHAPES.length + 2);
    expect(ref).toBeGreaterThan(10 * SHAPES.length);
  });

  it('trains a model exactly as tf.train.adam does (trainOnBatch)', async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    const train = async (optimizer: tf.Optimizer) => {
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: 'ones' }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 4, activation: 'softmax' }),
        ],
      });
      model.setWeights(model.getWeights().map((w, i) => tf.tensor(random(w.size, 200 + i), w.shape)));
      model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const x = tf.tensor(random(16 * 64, 300), [16, 8, 8, 1]);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 4), 'int32'), 4);
      for (let i = 0; i < 4; i++) await model.trainOnBatch(x, y);
      const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
      tf.dispose([x, y]);
      model.dispose();
      return weights;
    };
    const ref = await train(tf.train.adam(0.01));
    const got = await train(createLeanAdam(tf, 0.01));
    got.forEach((w, i) => expect(relError(w, ref[i]!), `weight ${i}`).toBeLessThan(TOL));
  });
});
