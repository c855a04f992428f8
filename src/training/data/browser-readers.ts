/**
 * Browser file reader for the loaders: fetches the IDX files that the Vite datasets plugin
 * (vite-plugins/datasets.ts) serves in dev and preview and copies into dist/datasets/ at build.
 */
import type { FileReader } from './mnist.ts';

/** Where the plugin serves each data set (relative to the app's base URL). */
export const DATASET_URLS = {
  mnist: 'datasets/mnist',
  'fashion-mnist': 'datasets/fashion-mnist',
} as const;

/** The URL folder of a built-in data set under the app's base URL (Vite's BASE_URL, '/' by default). */
export function datasetUrl(name: keyof typeof DATASET_URLS, base: string = import.meta.env?.BASE_URL ?? '/'): string {
  return `${base.endsWith('/') ? base : `${base}/`}${DATASET_URLS[name]}`;
}

/** Reads `${base}/${file}` with fetch; rejects with a clear message on a non-200 answer or an HTML page. */
export function fetchReader(base: string, fetchImpl: typeof fetch = (...a) => fetch(...a)): FileReader {
  const root = base.replace(/\/+$/, '');
  return async (file) => {
    const url = `${root}/${file}`;
    let res: Response;
    try {
      res = await fetchImpl(url);
    } catch (e) {
      throw new Error(`Could not fetch ${url}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (res.status !== 200) throw new Error(`Could not load ${url}: the server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`);
    if ((res.headers.get('content-type') ?? '').includes('text/html')) {
      throw new Error(`Could not load ${url}: the server sent a web page instead of the data file (is the datasets plugin registered in vite.config.ts?).`);
    }
    return res.arrayBuffer();
  };
}
