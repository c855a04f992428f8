/**
 * ONNX Runtime (onnxruntime-web, WASM, one thread) in the browser, for the Export dialog's check of
 * an exported model.onnx. Browser only (`?url` is a Vite feature), and loaded with a dynamic import
 * so that neither this module nor ONNX Runtime's ~75 kB of JavaScript and ~14 MB of WASM reach the
 * page before someone asks for the check. Vite serves the .wasm file as an asset of the build.
 */
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';

type Ort = typeof import('onnxruntime-web');

let loading: Promise<Ort> | null = null;

/** ONNX Runtime's WASM build, configured once: our served .wasm file, one thread, no proxy worker. */
export function loadOrt(): Promise<Ort> {
  loading ??= import('onnxruntime-web/wasm')
    .then((ort) => {
      ort.env.wasm.wasmPaths = { wasm: new URL(ortWasmUrl, window.location.href).href };
      ort.env.wasm.numThreads = 1;
      ort.env.wasm.proxy = false;
      return ort as unknown as Ort;
    })
    .catch((e: unknown) => {
      loading = null; // a network hiccup: let a second click try again
      throw e;
    });
  return loading;
}

/** Runs an ONNX model once on one float32 input; returns its first output's values and dimensions. */
export async function runOnnx(model: Uint8Array, input: { name: string; data: Float32Array; dims: readonly number[] }): Promise<{ data: Float32Array; dims: number[] }> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(model);
  try {
    const results = await session.run({ [input.name]: new ort.Tensor('float32', input.data, input.dims) });
    const out = results[session.outputNames[0]!]!;
    if (out.type !== 'float32') throw new Error(`the model's output is ${out.type}, not float32`);
    return { data: out.data as Float32Array, dims: [...out.dims] };
  } finally {
    await session.release();
  }
}
