import { describe, expect, it } from 'vitest';
import { crc32, inflateSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { loadImageFolder } from '../training/data/images';
import { buildRecordedDataset, classNameProblem, encodePng, expandZips, filesFromZip, nextClassName, recordedZip, recordingProblem, type RecordedClass } from './recorded-dataset';

/** Frames whose every pixel holds a value that says which class and frame it is (so each can be traced). */
function recorded(counts: Record<string, number>, shape: [number, number, number]): RecordedClass[] {
  const size = shape[0] * shape[1] * shape[2];
  return Object.entries(counts).map(([name, n], k) => ({
    name,
    frames: Array.from({ length: n }, (_, i) => Float32Array.from({ length: size }, (_, p) => ((k * 50 + i * 3 + (p % 7)) % 256) / 255)),
  }));
}

/** An independent PNG reader (node's zlib, not fflate): 8-bit grey or RGB, filter 0 rows, CRCs checked → RGBA. */
function decodePng(png: Uint8Array): { width: number; height: number; rgba: Uint8Array; channels: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  let at = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  while (at < png.length) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    expect(view.getUint32(at + 8 + len)).toBe(crc32(png.subarray(at + 4, at + 8 + len)));
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      expect(data[8]).toBe(8);
      channels = data[9] === 0 ? 1 : data[9] === 2 ? 3 : 0;
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * channels);
    expect(raw[row]).toBe(0);
    for (let x = 0; x < width; x++) {
      const p = raw.subarray(row + 1 + x * channels, row + 1 + (x + 1) * channels);
      rgba.set(channels === 1 ? [p[0]!, p[0]!, p[0]!, 255] : [p[0]!, p[1]!, p[2]!, 255], (y * width + x) * 4);
    }
  }
  return { width, height, rgba, channels };
}

describe('recorded classes → dataset', () => {
  it('holds out 20% of every class for the test set (at least one), keeps every frame exactly once with its label', () => {
    const shape: [number, number, number] = [4, 3, 1];
    const classes = recorded({ thumbs: 10, fist: 2, palm: 7 }, shape);
    const d = buildRecordedDataset(classes, shape, { name: 'camera', seed: 1 });
    expect(d.classes).toEqual(['fist', 'palm', 'thumbs']); // sorted as the Train tab sorts folders
    expect(d.shape).toEqual([4, 3, 1]);
    expect(d.train.count + d.test.count).toBe(19);
    const count = (s: typeof d.train, k: number) => [...s.labels].filter((l) => l === k).length;
    // round(n × 0.2), at least 1 and at most n − 1: fist 2 → 1, palm 7 → 1, thumbs 10 → 2.
    expect([0, 1, 2].map((k) => count(d.test, k))).toEqual([1, 1, 2]);
    expect([0, 1, 2].map((k) => count(d.train, k))).toEqual([1, 6, 8]);
    // Every source frame appears once, under its class.
    const seen = new Map<string, number>();
    for (const s of [d.train, d.test])
      for (let i = 0; i < s.count; i++) {
        const img = s.images.subarray(i * 12, (i + 1) * 12);
        const cls = d.classes[s.labels[i]!]!;
        const src = classes.find((c) => c.name === cls)!.frames.findIndex((f) => f.every((v, p) => v === img[p]));
        expect(src).toBeGreaterThanOrEqual(0);
        const key = `${cls}/${src}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    expect(seen.size).toBe(19);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it('is seeded: the same seed gives the same split, another seed another one', () => {
    const shape: [number, number, number] = [2, 2, 1];
    const classes = recorded({ a: 20, b: 20 }, shape);
    const one = buildRecordedDataset(classes, shape, { name: 'x', seed: 3 });
    const again = buildRecordedDataset(classes, shape, { name: 'x', seed: 3 });
    const other = buildRecordedDataset(classes, shape, { name: 'x', seed: 4 });
    expect([...again.test.images]).toEqual([...one.test.images]);
    expect([...other.test.images]).not.toEqual([...one.test.images]);
  });

  it('says what is missing before it can train, and checks class names', () => {
    expect(recordingProblem(recorded({ a: 3 }, [1, 1, 1]))).toBe('Add at least two classes.');
    expect(recordingProblem(recorded({ a: 3, b: 1 }, [1, 1, 1]))).toMatch(/at least 2 frames of "b"/);
    expect(recordingProblem(recorded({ a: 2, b: 2 }, [1, 1, 1]))).toBeNull();
    expect(() => buildRecordedDataset(recorded({ a: 2, b: 0 }, [1, 1, 1]), [1, 1, 1], { name: 'x', seed: 1 })).toThrow(/frames of "b"/);
    expect(() => buildRecordedDataset(recorded({ a: 2, b: 2 }, [2, 2, 1]), [1, 1, 1], { name: 'x', seed: 1 })).toThrow(/has 4 values/);
    expect(classNameProblem('a/b', [])).toMatch(/folder name/);
    expect(classNameProblem('.git', [])).toMatch(/dot/);
    expect(classNameProblem(' ', [])).toMatch(/needs a name/);
    expect(classNameProblem('Cat', ['cat'])).toMatch(/already/);
    expect(classNameProblem('cat', ['dog'])).toBeNull();
    expect(nextClassName(['Class 1', 'Class 3'])).toBe('Class 4');
    expect(nextClassName(['Class 2'])).toBe('Class 3');
    expect(nextClassName([])).toBe('Class 1');
  });
});

describe('the zip of class folders', () => {
  it('PNGs decode (node zlib, CRCs checked) to the frames, rounded to 8 bits, grey and colour', () => {
    for (const shape of [
      [5, 7, 1],
      [3, 4, 3],
    ] as [number, number, number][]) {
      const [h, w, c] = shape;
      const img = Float32Array.from({ length: h * w * c }, (_, i) => ((i * 37) % 256) / 255 + 0.001);
      const png = decodePng(encodePng(img, shape));
      expect(png).toMatchObject({ width: w, height: h, channels: c });
      for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) expect(png.rgba[p * 4 + k]).toBe(Math.round(img[p * c + k]! * 255));
    }
  });

  it('holds class/NNN.png entries and opens again through the Train tab’s folder reader as the same dataset', async () => {
    const shape: [number, number, number] = [6, 6, 1];
    const classes = recorded({ up: 6, down: 5 }, shape);
    const zip = recordedZip(classes, shape);
    const names = Object.keys(unzipSync(zip)).sort();
    expect(names).toEqual([...['000', '001', '002', '003', '004'].map((n) => `down/${n}.png`), ...['000', '001', '002', '003', '004', '005'].map((n) => `up/${n}.png`)]);

    const files = filesFromZip(zip, 'camera.zip');
    expect(files.map((f) => f.webkitRelativePath)).toContain('camera/up/005.png');
    expect(files.every((f) => f.type === 'image/png')).toBe(true);
    const decode = async (file: File) => decodePng(new Uint8Array(await file.arrayBuffer())).rgba;
    const { dataset } = await loadImageFolder(files, { shape, validationShare: 0.2, seed: 9 }, decode);
    const direct = buildRecordedDataset(classes, shape, { name: 'camera', seed: 9 });
    expect(dataset.name).toBe('camera');
    expect(dataset.classes).toEqual(direct.classes);
    for (const split of ['train', 'test'] as const) {
      expect([...dataset[split].labels]).toEqual([...direct[split].labels]);
      const a = dataset[split].images;
      const b = direct[split].images;
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
    }
  });

  it('a zip holding one folder of class folders keeps its own root; expandZips leaves other files alone', async () => {
    const classes = recorded({ a: 2, b: 2 }, [1, 1, 1]);
    const inner = recordedZip(classes, [1, 1, 1]);
    // Re-zip under a top folder "mine/".
    const { zipSync } = await import('fflate');
    const nested = zipSync(Object.fromEntries(Object.entries(unzipSync(inner)).map(([p, d]) => [`mine/${p}`, d])));
    expect(filesFromZip(nested, 'whatever.zip').map((f) => f.webkitRelativePath).sort()).toEqual(['mine/a/000.png', 'mine/a/001.png', 'mine/b/000.png', 'mine/b/001.png']);
    const plain = new File([new Uint8Array([1])], 'x.png', { type: 'image/png' });
    const out = await expandZips([plain, new File([inner as Uint8Array<ArrayBuffer>], 'rec.zip', { type: 'application/zip' })]);
    expect(out[0]).toBe(plain);
    expect(out.slice(1).map((f) => f.webkitRelativePath).sort()).toEqual(['rec/a/000.png', 'rec/a/001.png', 'rec/b/000.png', 'rec/b/001.png']);
  });

  it('is read with the defensive zip reader: too large a declared size is refused before unpacking, a damaged zip says so', async () => {
    const { zipSync } = await import('fflate');
    // 4 MB of zeros deflate to a few KB: what a zip bomb looks like, in small.
    const bomb = zipSync({ 'a/big.png': new Uint8Array(4 * 1024 * 1024), 'b/x.png': new Uint8Array([1]) });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(() => filesFromZip(bomb, 'bomb.zip', { maxEntries: 10, maxBytes: 1024 * 1024 })).toThrow(/bomb\.zip would unpack to 4\.00 MB; .* did not unpack it/);
    expect(() => filesFromZip(bomb, 'bomb.zip', { maxEntries: 1, maxBytes: 1024 ** 3 })).toThrow('bomb.zip holds 2 files; LayerLab reads zips of images (at most 1).');
    expect(filesFromZip(bomb, 'bomb.zip').map((f) => [f.webkitRelativePath, f.size])).toEqual([['bomb/a/big.png', 4 * 1024 * 1024], ['bomb/b/x.png', 1]]);
    expect(() => filesFromZip(bomb.subarray(0, bomb.length - 30), 'cut.zip')).toThrow(/cut\.zip is damaged/);
    // Folders and macOS' resource-fork copies are skipped.
    const mac = zipSync({ 'a/': new Uint8Array(0), 'a/1.png': new Uint8Array([1]), '__MACOSX/a/._1.png': new Uint8Array([2]), 'a/._2.png': new Uint8Array([3]) });
    expect(filesFromZip(mac, 'mac.zip').map((f) => f.webkitRelativePath)).toEqual(['mac/a/1.png']);
  });
});
