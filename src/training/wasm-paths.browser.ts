/**
 * Browser-only set-up of @tensorflow/tfjs-backend-wasm: the URLs of its three binaries, emitted as
 * assets by Vite, and a fix that lets its threaded binary start from a bundle. Node must never
 * import this module (`?url` and `?raw` are Vite features); backend.ts loads it with a dynamic
 * import on the browser path and uses the package directory in Node.
 */
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as threadedFactoryModule from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
import threadedFactorySource from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?raw';

/** The file map `setWasmPaths` takes: binary name -> URL. */
export const WASM_PATHS: Record<string, string> = {
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': simdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdUrl,
};

/**
 * tfjs starts each WASM thread (an Emscripten pthread worker) from a Blob holding
 * `threadedFactory.toString()`: the factory's source, expected to stand alone. Bundled (Vite's
 * build minifies it, its dev server wraps it), the function refers to names outside itself, and
 * every thread dies with "ReferenceError: e is not defined" before it starts. Give tfjs the
 * package's own file instead, evaluated to the same factory. The import is the same module
 * instance tfjs uses (Vite's dependency optimiser bundles both, see vite.config.ts).
 */
const threadedFactory = ((threadedFactoryModule as { default?: unknown }).default ?? threadedFactoryModule) as object;
Object.defineProperty(threadedFactory, 'toString', {
  value: () => `(function () {\n${threadedFactorySource}\nreturn WasmBackendModuleThreadedSimd;\n})()`,
  configurable: true,
});
