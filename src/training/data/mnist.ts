/**
 * MNIST (and any data set stored like it: four IDX files) as a `Dataset`. The file reader is
 * injected: Node reads node_modules (see node-readers.ts), the browser fetches URLs served by
 * the Vite datasets plugin (see browser-readers.ts).
 */
import { parseIdx } from './idx.ts';
import type { Dataset, Split } from './types.ts';

/** Reads one of the four files by name. */
export type FileReader = (file: string) => Promise<ArrayBuffer | Uint8Array>;

/** The file names of an MNIST-style data set (no .gz: the files are stored unpacked). */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export const IDX_FILE_NAMES: readonly string[] = Object.values(IDX_FILES);

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export interface LoadOptions {
  /** Keep only the first N images of each split (handy for tests and quick runs). */
  limit?: { train?: number; test?: number };
}

/** Load MNIST: 60,000 training and 10,000 test images of 28×28×1, classes '0'…'9'. */
export function loadMnist(read: FileReader, opts: LoadOptions = {}): Promise<Dataset> {
  return loadIdxDataset(read, { name: 'MNIST', classes: MNIST_CLASSES, ...opts });
}

/** Load any data set laid out as MNIST's four IDX files (images N×h×w, labels N). */
export async function loadIdxDataset(
  read: FileReader,
  opts: LoadOptions & { name: string; classes: string[] },
): Promise<Dataset> {
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    [IDX_FILES.trainImages, IDX_FILES.trainLabels, IDX_FILES.testImages, IDX_FILES.testLabels].map(async (f) => ({
      file: f,
      bytes: await read(f),
    })),
  );
  const train = toSplit(opts, trainImages!, trainLabels!, opts.limit?.train);
  const test = toSplit(opts, testImages!, testLabels!, opts.limit?.test);
  if (train.h !== test.h || train.w !== test.w) {
    throw new Error(`${opts.name}: training images are ${train.h}×${train.w} but test images ${test.h}×${test.w}.`);
  }
  return { name: opts.name, classes: [...opts.classes], shape: [train.h, train.w, 1], train: train.split, test: test.split };
}

type Named = { file: string; bytes: ArrayBuffer | Uint8Array };

function toSplit(
  opts: { name: string; classes: string[] },
  imagesFile: Named,
  labelsFile: Named,
  limit: number | undefined,
): { split: Split; h: number; w: number } {
  const images = parseIdx(imagesFile.bytes, `${opts.name} ${imagesFile.file}`);
  const labels = parseIdx(labelsFile.bytes, `${opts.name} ${labelsFile.file}`);
  if (images.dims.length !== 3) throw new Error(`${opts.name} ${imagesFile.file}: expected 3 dimensions (N×h×w), got ${images.dims.length}.`);
  if (labels.dims.length !== 1) throw new Error(`${opts.name} ${labelsFile.file}: expected 1 dimension (N), got ${labels.dims.length}.`);
  const [n, h, w] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) throw new Error(`${opts.name}: ${imagesFile.file} has ${n} images but ${labelsFile.file} has ${labels.dims[0]} labels.`);
  const count = limit === undefined ? n : Math.max(0, Math.min(n, Math.floor(limit)));
  const size = h * w;
  const out = new Float32Array(count * size);
  const src = images.data;
  for (let i = 0; i < out.length; i++) out[i] = src[i]! / 255;
  const lab = labels.data.slice(0, count);
  for (let i = 0; i < count; i++) {
    if (lab[i]! >= opts.classes.length) throw new Error(`${opts.name} ${labelsFile.file}: label ${lab[i]} at ${i} is not a class (there are ${opts.classes.length}).`);
  }
  return { split: { images: out, labels: lab, count }, h, w };
}
