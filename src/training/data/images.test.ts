import { describe, expect, it } from 'vitest';
import { filePath, filesFromEntries, fitRect, groupByClass, isImageFile, loadImageFolder, rgbaToPixels, type Decoder, type EntryLike } from './images';

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
