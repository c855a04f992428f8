/**
 * Adam with one kernel per weight instead of fourteen.
 *
 * TensorFlow.js 4.22's `AdamOptimizer.applyGradients` updates each weight with about 14 small
 * element-wise kernels (mul, add, square, div, sqrt, …) plus as many `assign`s: LeNet-5's 10
 * weights cost ~144 kernel calls per step, and on the WASM backend the engine's bookkeeping around
 * each call costs more than the arithmetic. `createLeanAdam` returns an `AdamOptimizer` (same
 * class name, config, weights and serialisation) whose `applyGradients` runs one kernel per
 * weight, `LayerLabAdamUpdate`, registered here for the 'wasm' and 'cpu' backends, that computes
 * the new weight and both moments in one loop — the same float32 operations in the same order as
 * tfjs' Adam (each intermediate rounded with Math.fround, as a float32 kernel rounds it):
 *
 *   m' = m·β1 + g·(1−β1)            v' = v·β2 + g²·(1−β2)
 *   w' = (m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε) · (−lr) + w
 *
 * On other backends (WebGL, WebGPU) it is tfjs' own Adam. adam.test.ts checks it against tfjs'
 * Adam step by step.
 */
import type * as tfjs from '@tensorflow/tfjs';

type TF = typeof tfjs;

export const ADAM_KERNEL = 'LayerLabAdamUpdate';
/** Backends that have the one-kernel update. */
export const LEAN_ADAM_BACKENDS = ['wasm', 'cpu'] as const;

interface AdamAttrs {
  beta1: number;
  beta2: number;
  learningRate: number;
  epsilon: number;
  /** The optimizer's accumulated β1ᵗ and β2ᵗ (float32 values of its accBeta variables). */
  accBeta1: number;
  accBeta2: number;
}

/** The update over flat float32 arrays (out* may not alias the inputs). */
function update(w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, outW: Float32Array, outM: Float32Array, outV: Float32Array, a: AdamAttrs): void {
  const f = Math.fround;
  const b1 = f(a.beta1);
  const c1 = f(1 - a.beta1);
  const b2 = f(a.beta2);
  const c2 = f(1 - a.beta2);
  const omb1 = f(1 - a.accBeta1);
  const omb2 = f(1 - a.accBeta2);
  const eps = f(a.epsilon);
  const nlr = f(-a.learningRate);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    const m1 = f(f(m[i]! * b1) + f(gi * c1));
    const v1 = f(f(v[i]! * b2) + f(f(gi * gi) * c2));
    outM[i] = m1;
    outV[i] = v1;
    const mh = f(m1 / omb1);
    const vh = f(v1 / omb2);
    outW[i] = f(f(f(mh / f(f(Math.sqrt(vh)) + eps)) * nlr) + w[i]!);
  }
}

type WasmBackend = {
  makeOutput(shape: number[], dtype: tfjs.DataType): tfjs.TensorInfo;
  typedArrayFromHeap(t: tfjs.TensorInfo): Float32Array;
};
type CpuBackend = {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tfjs.DataType, values: Float32Array): tfjs.TensorInfo;
};

function inputsOf(inputs: tfjs.NamedTensorInfoMap): [tfjs.TensorInfo, tfjs.TensorInfo, tfjs.TensorInfo, tfjs.TensorInfo] {
  const { value, m, v, gradient } = inputs as Record<string, tfjs.TensorInfo>;
  for (const t of [value, m, v, gradient]) {
    if (!t || t.dtype !== 'float32') throw new Error(`${ADAM_KERNEL} needs four float32 tensors (value, m, v, gradient).`);
  }
  return [value!, m!, v!, gradient!];
}

function kernels(): tfjs.KernelConfig[] {
  return [
    {
      kernelName: ADAM_KERNEL,
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const [value, m, v, g] = inputsOf(inputs);
        const b = backend as unknown as WasmBackend;
        const outs = [b.makeOutput([...value.shape], 'float32'), b.makeOutput([...value.shape], 'float32'), b.makeOutput([...value.shape], 'float32')];
        // Views only after the allocations (they may grow the heap, which detaches older views).
        const [ow, om, ov] = outs.map((o) => b.typedArrayFromHeap(o)) as [Float32Array, Float32Array, Float32Array];
        update(b.typedArrayFromHeap(value), b.typedArrayFromHeap(m), b.typedArrayFromHeap(v), b.typedArrayFromHeap(g), ow, om, ov, attrs as unknown as AdamAttrs);
        return outs;
      },
    },
    {
      kernelName: ADAM_KERNEL,
      backendName: 'cpu',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const [value, m, v, g] = inputsOf(inputs);
        const b = backend as unknown as CpuBackend;
        const n = value.shape.reduce((p, q) => p * q, 1);
        const [ow, om, ov] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
        const read = (t: tfjs.TensorInfo) => b.data.get(t.dataId).values;
        update(read(value), read(m), read(v), read(g), ow, om, ov, attrs as unknown as AdamAttrs);
        return [b.makeTensorInfo([...value.shape], 'float32', ow), b.makeTensorInfo([...value.shape], 'float32', om), b.makeTensorInfo([...value.shape], 'float32', ov)];
      },
    },
  ];
}

/** Registers the update kernel (once per backend). */
export function registerAdamKernels(tf: TF): void {
  for (const k of kernels()) if (!tf.getKernel(k.kernelName, k.backendName)) tf.registerKernel(k);
}

/** The parts of tfjs' AdamOptimizer the lean update reads and writes (private in its typings). */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tfjs.Variable;
  accBeta2: tfjs.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tfjs.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tfjs.Variable }[];
  incrementIterations(): void;
}

/**
 * An Adam optimizer as `tf.train.adam(learningRate, beta1, beta2, epsilon)` makes it, with the
 * one-kernel update on the backends that have it (see the module comment).
 */
export function createLeanAdam(tf: TF, learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tfjs.AdamOptimizer {
  registerAdamKernels(tf);
  class LeanAdam extends tf.AdamOptimizer {
    override applyGradients(variableGradients: Parameters<tfjs.AdamOptimizer['applyGradients']>[0]): void {
      if (!tf.getKernel(ADAM_KERNEL, tf.getBackend())) {
        super.applyGradients(variableGradients);
        return;
      }
      const self = this as unknown as AdamInternals;
      const list = Array.isArray(variableGradients);
      const names = list ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
      tf.tidy(() => {
        const attrs: AdamAttrs = {
          beta1: self.beta1,
          beta2: self.beta2,
          learningRate: self.learningRate,
          epsilon: self.epsilon,
          accBeta1: self.accBeta1.dataSync()[0]!,
          accBeta2: self.accBeta2.dataSync()[0]!,
        };
        names.forEach((name, i) => {
          const value = tf.engine().registeredVariables[name]!;
          // The moments are created (zeros, not trainable) and named exactly as tfjs' Adam does.
          self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
          self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
          const gradient = list ? variableGradients[i]!.tensor : variableGradients[name];
          if (gradient == null) return;
          const m = self.accumulatedFirstMoment[i]!.variable;
          const v = self.accumulatedSecondMoment[i]!.variable;
          const [w1, m1, v1] = tf.engine().runKernel(ADAM_KERNEL, { value, m, v, gradient }, attrs as unknown as tfjs.NamedAttrMap) as tfjs.Tensor[];
          m.assign(m1!);
          v.assign(v1!);
          value.assign(w1!);
        });
        self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
        self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
      });
      self.incrementIterations();
    }
  }
  return new LeanAdam(learningRate, beta1, beta2, epsilon as number);
}
