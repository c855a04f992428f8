// Tests for vite-plugins/datasets.ts (kept here, where Vitest looks) together with fetchReader.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFiles, datasetsMiddleware, datasets } from '../../../vite-plugins/datasets';
import { datasetUrl, fetchReader } from './browser-readers';
import { loadFashionMnist } from './fashion';
import { loadMnist } from './mnist';
import { mnistDataDir } from './node-readers';

let server: http.Server;
let origin = '';

beforeAll(async () => {
  const mw = datasetsMiddleware('/');
  server = http.createServer((req, res) =>
    mw(req, res, () => {
      res.statusCode = 200; // like Vite's SPA fallback: HTML for anything unknown
      res.setHeader('Content-Type', 'text/html');
      res.end('<!doctype html><title>app</title>');
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('datasets plugin', () => {
  it('streams the MNIST files with the right headers', async () => {
    const res = await fetch(`${origin}/datasets/mnist/t10k-labels-idx1-ubyte?v=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('cache-control')).toMatch(/max-age/);
    expect(res.headers.get('content-length')).toBe('10008');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(await readFile(path.join(mnistDataDir(), 't10k-labels-idx1-ubyte')))).toBe(true);
    const head = await fetch(`${origin}/datasets/mnist/train-images-idx3-ubyte`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('47040016');
  });

  it('answers 404 for unknown files under /datasets/ and leaves other URLs alone', async () => {
    expect((await fetch(`${origin}/datasets/mnist/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${origin}/datasets/mnist/secret`)).status).toBe(404);
    expect((await fetch(`${origin}/datasets/cifar/train-images-idx3-ubyte`)).status).toBe(404);
    expect(await (await fetch(`${origin}/index.html`)).text()).toMatch(/doctype/);
  });

  it('lets fetchReader load MNIST and Fashion-MNIST over HTTP', { timeout: 180_000 }, async () => {
    const mnist = await loadMnist(fetchReader(`${origin}/datasets/mnist/`), { limit: { train: 10, test: 10 } });
    expect(mnist.train.labels[0]).toBe(5);
    const fashion = await loadFashionMnist(fetchReader(`${origin}/datasets/fashion-mnist`), { limit: { train: 10 } });
    expect(fashion.test.count).toBe(10_000);
  });

  it('lists all eight files and is a named Vite plugin', async () => {
    const files = await datasetFiles();
    expect(files.map(([u]) => u)).toContain('datasets/fashion-mnist/t10k-images-idx3-ubyte');
    expect(files).toHaveLength(8);
    const p = datasets();
    expect(p.name).toBe('layerlab-datasets');
    expect(typeof p.configureServer).toBe('function');
    expect(typeof p.configurePreviewServer).toBe('function');
  });
});

describe('fetchReader', () => {
  it('explains a non-200 answer and an HTML page', async () => {
    await expect(fetchReader(`${origin}/datasets/mnist`)('nope')).rejects.toThrow(/answered 404/);
    await expect(fetchReader(`${origin}/elsewhere`)('train-images-idx3-ubyte')).rejects.toThrow(/web page instead of the data file/);
    const failing = (() => Promise.reject(new TypeError('network down'))) as typeof fetch;
    await expect(fetchReader('/x', failing)('f')).rejects.toThrow(/Could not fetch \/x\/f: network down/);
  });

  it('builds URLs under the base', () => {
    expect(datasetUrl('mnist', '/')).toBe('/datasets/mnist');
    expect(datasetUrl('fashion-mnist', '/app')).toBe('/app/datasets/fashion-mnist');
  });
});
