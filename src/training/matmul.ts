/**
 * Matrix products with a transposed operand, made fast on TensorFlow.js 4.22's WASM backend.
 *
 * The WASM `BatchMatMul` and `_FusedMatMul` kernels are fast (XNNPACK) only when neither operand
 * is transposed; with `transposeA` or `transposeB` they are 4–10× slower (measured here on the
 * shapes of LeNet-5's dense layers: dy·Wᵀ for [64, 120]·[400, 120]ᵀ took 5.2 ms, against 1.3 ms
 * for an explicit transpose followed by the plain product). Every dense layer's backward pass asks
 * for exactly those two products (dx = dy·Wᵀ, dW = xᵀ·dy), so they cost more than the rest of
 * the dense layers together.
 *
 * `transposingMatMulKernel` wraps such a kernel: a transposed operand is transposed explicitly
 * (the backend's own `Transpose` kernel, last two axes) and the original kernel runs with both
 * flags off. The arithmetic of the product itself is unchanged.
 *
 * (Summing a bias gradient as ones[1, N] · dy[N, C] was tried and is slower in training: XNNPACK
 * packs the right operand, here the fresh dy, on every call.)
 */
import type * as tfjs from '@tensorflow/tfjs';

type TF = typeof tfjs;
type Backend = { disposeData(dataId: object, force?: boolean): boolean };

/** Marks the configs this module made (so an install can tell its own kernel from the original). */
export const MATMUL_MARK = Symbol.for('layerlab.transposingMatMul');

/** The kernels wrapped on the 'wasm' backend. */
export const TRANSPOSING_MATMUL_KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;

/** `original` (a BatchMatMul or _FusedMatMul kernel) with transposed operands transposed explicitly first. */
export function transposingMatMulKernel(tf: TF, original: tfjs.KernelConfig): tfjs.KernelConfig & { [MATMUL_MARK]: true } {
  const { backendName } = original;
  return {
    ...original, // kernelName, backendName and the WASM setupFunc that binds the C++ function
    [MATMUL_MARK]: true,
    kernelFunc: (args) => {
      const attrs = args.attrs as unknown as { transposeA?: boolean; transposeB?: boolean };
      if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
      const transpose = tf.getKernel('Transpose', backendName);
      if (!transpose) return original.kernelFunc(args);
      const backend = args.backend as unknown as Backend;
      const made: tfjs.TensorInfo[] = [];
      const swapLastTwo = (x: tfjs.TensorInfo): tfjs.TensorInfo => {
        const r = x.shape.length;
        const perm = x.shape.map((_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
        const out = transpose.kernelFunc({ inputs: { x }, attrs: { perm }, backend: args.backend }) as tfjs.TensorInfo;
        made.push(out);
        return out;
      };
      try {
        const { a, b } = args.inputs as { a: tfjs.TensorInfo; b: tfjs.TensorInfo };
        return original.kernelFunc({
          ...args,
          inputs: { ...args.inputs, a: attrs.transposeA ? swapLastTwo(a) : a, b: attrs.transposeB ? swapLastTwo(b) : b },
          attrs: { ...args.attrs, transposeA: false, transposeB: false },
        });
      } finally {
        for (const t of made) backend.disposeData(t.dataId);
      }
    },
  };
}

