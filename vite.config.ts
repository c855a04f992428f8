import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { datasets } from './vite-plugins/datasets.ts';

export default defineConfig({
  plugins: [react(), datasets()],
  // Test builds (.cache/e2e-dist-*) and reports must not make the dev server reload its pages.
  server: { port: 5173, strictPort: false, watch: { ignored: ['**/.cache/**', '**/.reports/**', '**/test-results/**', '**/bench/results/**'] } },
  // The training worker imports these backends dynamically, so the dev server's dependency scan
  // misses them: found on the first visit, they were bundled then and the page reloaded under the
  // learner (and under the start-up tests). Bundle them up front.
  optimizeDeps: { include: ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu'] },
  preview: { port: 4173 },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});
