/** esbuild options shared by the benchmark's browser bundles (one minified IIFE, kept in memory). */
export const BROWSER_BUNDLE = {
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  logLevel: 'silent',
} as const;
