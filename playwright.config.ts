import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 4273);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--disable-dev-shm-usage'];
/** Runs only in the 'webgpu' project, whose Chromium has WebGPU switched on. */
const WEBGPU_SPEC = '**/webgpu.spec.ts';

/**
 * e2e tests run against the production build in Debian's Chromium (/usr/bin/chromium);
 * Playwright never downloads a browser here.
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
  ],
  webServer: {
    command: `npx vite build --logLevel warn && npx vite preview --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
  },
});
