import { describe, expect, it } from 'vitest';
import {
  filePath,
  filesFromEntries,
  fitRect,
  groupByClass,
  inputAdvice,
  isColourful,
  isImageFile,
  loadImageFolder,
  rgbaToPixels,
  summariseImages,
  type Decoder,
  type EntryLike,
} from './images';

/** A Node File with the path a folder input would give it. */
function file(path: string, content = 'x', type = ''): File {
  const f = new File([content], path.split('/').at(-1)!, { type });
  Object.defineProperty(f, 'webkitRelativePath', { value: path });
  return f;
}

/** Fake decoder: a uniform RGBA image whose grey level is the file's first byte; "bad" fails. */
const fakeDecode: Decoder = async (f, w, h) => {
  const text = await f.text();
  if (text === 'bad') throw new Error('broken JPEG');
  const v = text.charCodeAt(0);
  const out = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) out.set([v, v, v, 255], i * 4);
  return out;
};

describe('grouping files into classes', () => {
  it('uses the first sub-folder under the chosen folder as the class', () => {
    const g = groupByClass([
      { path: 'pets/cat/a.png' },
      { path: 'pets/cat/deep/b.JPG' },
      { path: 'pets/dog/c.webp' },
      { path: 'pets/readme.txt' },
      { path: 'pets/top.png' },
      { path: 'pets/dog/.DS_Store' },
      { path: 'pets/dog/notes.txt', type: 'text/plain' },
      { path: 'pets/dog/logo.svg', type: 'image/svg+xml' },
      { path: 'pets/dog/noext', type: 'image/png' },
    ]);
    expect(g.root).toBe('pets');
    expect(g.items.map((i) => [i.cls, i.path])).toEqual([
      ['cat', 'pets/cat/a.png'],
      ['cat', 'pets/cat/deep/b.JPG'],
      ['dog', 'pets/dog/c.webp'],
      ['dog', 'pets/dog/noext'],
    ]);
    expect(Object.fromEntries(g.skipped.map((s) => [s.name, s.reason]))).toEqual({
      'pets/readme.txt': 'not inside a class sub-folder',
      'pets/top.png': 'not inside a class sub-folder',
      'pets/dog/.DS_Store': 'hidden or system file',
      'pets/dog/notes.txt': 'not an image (text/plain)',
      'pets/dog/logo.svg': 'not an image (image/svg+xml)',
    });
  });

  it('treats dropped sibling folders (and Windows or drop paths) as the classes', () => {
    const g = groupByClass([{ path: '/cat/a.png' }, { path: 'dog\\b.png' }, { path: 'loose.png' }]);
    expect(g.root).toBe('');
    expect(g.items.map((i) => i.cls)).toEqual(['cat', 'dog']);
    expect(g.skipped).toEqual([{ name: 'loose.png', reason: 'not inside a class sub-folder' }]);
  });

  it('recognises image files and paths', () => {
    expect(isImageFile('a.jpeg')).toBe(true);
    expect(isImageFile('a', 'image/gif')).toBe(true);
    expect(isImageFile('a.txt')).toBe(false);
    expect(isImageFile('a.svg')).toBe(false);
    expect(filePath({ name: 'a.png', webkitRelativePath: '' })).toBe('a.png');
    expect(filePath(file('r/c/a.png'))).toBe('r/c/a.png');
  });
});

describe('pixels and geometry', () => {
  it('converts RGBA to luma or RGB, compositing alpha on black', () => {
    const rgba = Uint8Array.from([255, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255, 51]);
    const grey = rgbaToPixels(rgba, 1, new Float32Array(4));
    expect(grey[0]).toBeCloseTo(0.299);
    expect(grey[1]).toBe(0); // transparent → black
    expect(grey[2]).toBeCloseTo(0.114);
    expect(grey[3]).toBeCloseTo(0.2);
    const rgb = rgbaToPixels(rgba, 3, new Float32Array(13), 1);
    expect([...rgb.subarray(1, 4)]).toEqual([1, 0, 0]);
    expect([...rgb.subarray(7, 10)]).toEqual([0, 0, 1]);
  });

  it('fits by cover (centre crop), contain (letterbox) or stretch', () => {
    expect(fitRect(200, 100, 28, 28, 'cover')).toEqual({ sx: 50, sy: 0, sw: 100, sh: 100, dx: 0, dy: 0, dw: 28, dh: 28 });
    expect(fitRect(200, 100, 28, 28, 'contain')).toEqual({ sx: 0, sy: 0, sw: 200, sh: 100, dx: 0, dy: 7, dw: 28, dh: 14 });
    expect(fitRect(200, 100, 28, 28, 'stretch')).toEqual({ sx: 0, sy: 0, sw: 200, sh: 100, dx: 0, dy: 0, dw: 28, dh: 28 });
    expect(fitRect(56, 56, 28, 28, 'cover')).toEqual({ sx: 0, sy: 0, sw: 56, sh: 56, dx: 0, dy: 0, dw: 28, dh: 28 });
  });
});

describe('loadImageFolder (with a fake decoder)', () => {
  const folder = () => [
    ...Array.from({ length: 10 }, (_, i) => file(`set/cats/c${i}.png`, 'A')),
    ...Array.from({ length: 5 }, (_, i) => file(`set/dogs/d${i}.png`, 'B')),
    file('set/dogs/broken.jpg', 'bad'),
    file('set/dogs/info.txt', 'hello', 'text/plain'),
  ];

  it('builds a stratified, seeded dataset and lists what it skipped', async () => {
    const progress: number[] = [];
    const { dataset, skipped } = await loadImageFolder(folder(), { shape: [4, 4, 1], validationShare: 0.2, seed: 1, onProgress: (d) => progress.push(d) }, fakeDecode);
    expect(dataset.name).toBe('set');
    expect(dataset.classes).toEqual(['cats', 'dogs']);
    expect(dataset.shape).toEqual([4, 4, 1]);
    expect(dataset.test.count).toBe(3); // 2 cats + 1 dog
    expect(dataset.train.count).toBe(12);
    expect([...dataset.test.labels].sort()).toEqual([0, 0, 1]);
    expect(dataset.train.images.length).toBe(12 * 16);
    // pixels travel with labels: cats are 'A' (65), dogs 'B' (66)
    dataset.train.labels.forEach((l, i) => expect(dataset.train.images[i * 16]).toBeCloseTo((65 + l) / 255, 5));
    expect(skipped.map((s) => s.name).sort()).toEqual(['set/dogs/broken.jpg', 'set/dogs/info.txt']);
    expect(skipped.find((s) => s.name.endsWith('broken.jpg'))!.reason).toMatch(/could not be decoded \(broken JPEG\)/);
    expect(progress.at(-1)).toBe(16);
    const again = await loadImageFolder(folder(), { shape: [4, 4, 1], validationShare: 0.2, seed: 1 }, fakeDecode);
    expect(again.dataset.test.labels).toEqual(dataset.test.labels);
  });

  it('makes RGB images and sorts classes naturally', async () => {
    const files = ['r/10/a.png', 'r/2/b.png', 'r/1/c.png'].map((p) => file(p, 'C'));
    const { dataset } = await loadImageFolder(files, { shape: [2, 3, 3], validationShare: 0, seed: 1 }, fakeDecode);
    expect(dataset.classes).toEqual(['1', '2', '10']);
    expect(dataset.train.images.length).toBe(3 * 2 * 3 * 3);
    expect(dataset.test.count).toBe(0);
  });

  it('fails clearly with fewer than two usable classes or bad shapes', async () => {
    await expect(loadImageFolder([file('r/a/x.png', 'bad'), file('r/b/y.png', 'bad')], { shape: [4, 4, 1], validationShare: 0.2, seed: 1 }, fakeDecode)).rejects.toThrow(/No usable images among 2 files \(2 skipped/);
    await expect(loadImageFolder([file('r/a/x.png'), file('r/b/y.png', 'bad')], { shape: [4, 4, 1], validationShare: 0.2, seed: 1 }, fakeDecode)).rejects.toThrow(/only one class \(a\)/);
    await expect(loadImageFolder([file('r/a/x.png')], { shape: [4, 4, 2], validationShare: 0.2, seed: 1 }, fakeDecode)).rejects.toThrow(/1 \(greyscale\) or 3 \(RGB\)/);
  });
});

describe('filesFromEntries', () => {
  it('walks dropped folders (in batches) and sets relative paths', async () => {
    const fileEntry = (fullPath: string): EntryLike => ({
      isFile: true,
      isDirectory: false,
      fullPath,
      file: (ok) => ok(new File(['A'], fullPath.split('/').at(-1)!)),
    });
    const dir = (fullPath: string, children: EntryLike[]): EntryLike => ({
      isFile: false,
      isDirectory: true,
      fullPath,
      createReader: () => {
        const batches = [children.slice(0, 1), children.slice(1), []];
        return { readEntries: (ok) => ok(batches.shift() ?? []) };
      },
    });
    const root = dir('/pets', [dir('/pets/cat', [fileEntry('/pets/cat/a.png')]), dir('/pets/dog', [fileEntry('/pets/dog/b.png'), fileEntry('/pets/dog/c.png')])]);
    const files = await filesFromEntries([root]);
    expect(files.map(filePath)).toEqual(['pets/cat/a.png', 'pets/dog/b.png', 'pets/dog/c.png']);
    const { dataset } = await loadImageFolder(files, { shape: [2, 2, 1], validationShare: 0, seed: 1 }, fakeDecode);
    expect(dataset.classes).toEqual(['cat', 'dog']);
  });
});

/** RGBA bytes of n pixels, each [r, g, b, a]. */
const rgba = (px: number[][]) => Uint8ClampedArray.from(px.flat());

describe('colour and size of the originals', () => {
  it('tells colour from grey (and from grey saved with a little chroma noise)', () => {
    expect(isColourful(rgba(Array.from({ length: 100 }, (_, i) => [i, i, i, 255])))).toBe(false);
    // JPEG greys: channels a few levels apart
    expect(isColourful(rgba(Array.from({ length: 100 }, (_, i) => [i + 5, i, i + 3, 255])))).toBe(false);
    // one clearly red pixel in 100 (1%) is colour; a red pixel that is transparent is not
    expect(isColourful(rgba([[200, 30, 30, 255], ...Array.from({ length: 99 }, () => [9, 9, 9, 255])]))).toBe(true);
    expect(isColourful(rgba([[200, 30, 30, 0], ...Array.from({ length: 99 }, () => [9, 9, 9, 255])]))).toBe(false);
    expect(isColourful(rgba([[200, 30, 30, 255], ...Array.from({ length: 199 }, () => [9, 9, 9, 255])]))).toBe(false); // 0.5%
  });

  it('sums up sizes (median) and colour', () => {
    const facts = summariseImages([
      { width: 96, height: 96, colour: true },
      { width: 100, height: 90, colour: false },
      { width: 96, height: 96, colour: true },
      { width: 0, height: 0, colour: true }, // size unknown: counted, not in the median
    ]);
    expect(facts).toEqual({ count: 4, colour: 3, width: 96, height: 96, mixedSizes: true });
    expect(summariseImages([])).toEqual({ count: 0, colour: 0, width: 0, height: 0, mixedSizes: false });
  });

  it('says when colour or size is lost and suggests a fitting Input shape', () => {
    const colour96 = { count: 30, colour: 30, width: 96, height: 96, mixedSizes: false };
    const a = inputAdvice(colour96, [28, 28, 1])!;
    expect(a.message).toBe('These images are 96×96 in colour; your network sees 28×28 grey.');
    expect(a).toMatchObject({ colourLost: true, shrunk: true, shape: [64, 64, 3] }); // capped at 64
    // 48×48 colour fits as it is
    expect(inputAdvice({ ...colour96, width: 48, height: 48 }, [28, 28, 1])!.shape).toEqual([48, 48, 3]);
    // already fitting: nothing to say
    expect(inputAdvice({ ...colour96, width: 48, height: 48 }, [48, 48, 3])).toBeNull();
    // grey 28×28 originals on a 28×28 grey Input: nothing lost
    expect(inputAdvice({ count: 5, colour: 0, width: 28, height: 28, mixedSizes: false }, [28, 28, 1])).toBeNull();
    // grey but larger: the size only, still grey; wide images keep their aspect (multiples of 4)
    const wide = inputAdvice({ count: 5, colour: 0, width: 200, height: 100, mixedSizes: true }, [28, 28, 1])!;
    expect(wide.message).toBe('These images are typically 200×100; your network sees 28×28 grey.');
    expect(wide).toMatchObject({ colourLost: false, shrunk: true, shape: [32, 64, 1] });
    // colour but small: the Input keeps its size and becomes colour
    const small = inputAdvice({ count: 10, colour: 4, width: 20, height: 20, mixedSizes: false }, [28, 28, 1])!;
    expect(small.message).toBe('These images are 20×20 (4 of 10 in colour); your network sees 28×28 grey.');
    expect(small).toMatchObject({ colourLost: true, shrunk: false, shape: [28, 28, 3] });
    // larger than a colour Input: only the size, reported as colour
    expect(inputAdvice({ ...colour96 }, [32, 32, 3])).toMatchObject({ message: 'These images are 96×96 in colour; your network sees 32×32 in colour.', shape: [64, 64, 3] });
    // the Input is already bigger than the cap: never suggest shrinking it
    expect(inputAdvice({ ...colour96, width: 300, height: 300 }, [128, 128, 3])).toBeNull();
  });

  it('loadImageFolder keeps the facts and a few examples from the decoder', async () => {
    const colourDecode: Decoder = async (f, w, h) => {
      const red = (await f.text()) === 'R';
      const out = new Uint8ClampedArray(w * h * 4);
      for (let i = 0; i < w * h; i++) out.set(red ? [220, 20, 20, 255] : [90, 90, 90, 255], i * 4);
      return { rgba: out, width: 48, height: red ? 48 : 40 };
    };
    const files = [file('f/a/1.png', 'R'), file('f/a/2.png', 'R'), file('f/b/3.png', 'G'), file('f/c/4.png', 'R'), file('f/c/5.png', 'G')];
    const { facts, examples, dataset } = await loadImageFolder(files, { shape: [8, 8, 1], validationShare: 0, seed: 1 }, colourDecode);
    expect(facts).toEqual({ count: 5, colour: 3, width: 48, height: 48, mixedSizes: true });
    // one per class first (a, b, c), then the next
    expect(examples.map((e) => [e.cls, e.file.name])).toEqual([
      ['a', '1.png'],
      ['b', '3.png'],
      ['c', '4.png'],
      ['a', '2.png'],
    ]);
    expect(examples[0]!.pixels.length).toBe(8 * 8);
    expect(examples[0]!.pixels[0]).toBeCloseTo((0.299 * 220 + 0.587 * 20 + 0.114 * 20) / 255, 5);
    expect(dataset.shape).toEqual([8, 8, 1]);
    // a decoder that returns bare bytes leaves the size unknown
    const bare = await loadImageFolder(folderOf2(), { shape: [2, 2, 1], validationShare: 0, seed: 1 }, fakeDecode);
    expect(bare.facts).toMatchObject({ count: 2, colour: 0, width: 0, height: 0 });
  });
});

const folderOf2 = () => [file('r/a/x.png', 'A'), file('r/b/y.png', 'B')];
