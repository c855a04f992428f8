import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { datasets } from './vite-plugins/datasets.ts';

export default defineConfig({
  plugins: [react(), datasets()],
  server: { port: 5173, strictPort: false },
  preview: { port: 4173 },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});
