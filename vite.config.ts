import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { datasets } from './vite-plugins/datasets.ts';

/**
 * Cross-origin isolation: with these two headers the page may share memory with its workers
 * (SharedArrayBuffer), which tfjs' threaded WASM binary needs to train on every core. COEP
 * require-corp blocks cross-origin resources that do not opt in; the app loads none. A static host
 * must send the same headers (public/_headers does it on Netlify and Cloudflare Pages; see the
 * README); without them training still works, on one WASM thread.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react(), datasets()],
  // Test builds (.cache/e2e-dist-*) and reports must not make the dev server reload its pages.
  server: { port: 5173, strictPort: false, headers: ISOLATION_HEADERS, watch: { ignored: ['**/.cache/**', '**/.reports/**', '**/test-results/**', '**/bench/results/**'] } },
  // The training worker imports these backends dynamically, so the dev server's dependency scan
  // misses them: found on the first visit, they were bundled then and the page reloaded under the
  // learner (and under the start-up tests). Bundle them up front.
  // The threaded factory is listed too, so that src/training/wasm-paths.browser.ts gets the very
  // module instance the backend uses (the optimiser shares modules between its entries).
  optimizeDeps: {
    include: ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js', '@tensorflow/tfjs-backend-webgpu'],
  },
  preview: { port: 4173, headers: ISOLATION_HEADERS },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});
