import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './e2e/chromium';

const PORT = Number(process.env.E2E_PORT ?? 4273);
/** The dev server (`npm run dev`, React StrictMode running every effect twice) for the startup specs. */
const DEV_PORT = Number(process.env.E2E_DEV_PORT ?? PORT + 1);
/** Each port builds into its own folder, so two runs (or two developers' runs) never share a dist/. */
const OUT_DIR = `.cache/e2e-dist-${PORT}`;
const ARGS = CHROMIUM_ARGS;
/** Runs only in the 'webgpu' project, whose Chromium has WebGPU switched on. */
const WEBGPU_SPEC = '**/webgpu.spec.ts';
/** Runs in the 'chromium' project (what `npm start` serves) and again on the dev server. */
const STARTUP_SPEC = '**/first-hour.spec.ts';

/**
 * e2e tests run against what `npm start` serves — the production build under `vite preview` — in
 * Debian's Chromium (/usr/bin/chromium); Playwright never downloads a browser. The startup specs
 * also run against the dev server, where React StrictMode runs every effect twice.
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    headless: true,
    viewport: { width: 1400, height: 900 },
    launchOptions: { executablePath: CHROMIUM, args: ARGS },
    trace: 'off',
    screenshot: 'off',
  },
  projects: [
    { name: 'chromium', testIgnore: WEBGPU_SPEC },
    {
      // WebGPU needs a flag in Chromium on Linux; headless, the adapter is SwiftShader (slow but real).
      name: 'webgpu',
      testMatch: WEBGPU_SPEC,
      use: { launchOptions: { executablePath: CHROMIUM, args: [...ARGS, '--enable-unsafe-webgpu'] } },
    },
    { name: 'dev-server', testMatch: STARTUP_SPEC, use: { baseURL: `http://127.0.0.1:${DEV_PORT}` } },
  ],
  webServer: [
    {
      command: `npx vite build --logLevel warn --outDir ${OUT_DIR} --emptyOutDir && npx vite preview --outDir ${OUT_DIR} --port ${PORT} --strictPort --host 127.0.0.1`,
      url: `http://127.0.0.1:${PORT}`,
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
    },
    {
      command: `npx vite --port ${DEV_PORT} --strictPort --host 127.0.0.1`,
      url: `http://127.0.0.1:${DEV_PORT}`,
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
    },
  ],
});
