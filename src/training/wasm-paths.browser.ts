/**
 * URLs of the three WASM binaries of @tensorflow/tfjs-backend-wasm, emitted as assets by Vite.
 * Browser only: Node must never import this module (`?url` is a Vite feature); backend.ts loads
 * it with a dynamic import on the browser path and uses the package directory in Node.
 */
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** The file map `setWasmPaths` takes: binary name -> URL. */
export const WASM_PATHS: Record<string, string> = {
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': simdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdUrl,
};
