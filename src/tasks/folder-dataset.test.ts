import { describe, expect, it } from 'vitest';
import { encode } from 'fast-png';
import { readTaskDataset, taskLayoutOf, type TaskFile } from './folder-dataset.ts';

/** A grey PNG whose pixel (x, y) is f(x, y). */
const grey = (w: number, h: number, f: (x: number, y: number) => number) =>
  encode({ width: w, height: h, channels: 1, depth: 8, data: Uint8Array.from({ length: w * h }, (_, i) => f(i % w, Math.floor(i / w))) });

const filesOf = (tree: Record<string, Uint8Array | string>): TaskFile[] =>
  Object.entries(tree).map(([path, v]) => ({ path, bytes: async () => (typeof v === 'string' ? new TextEncoder().encode(v) : v) }));

/** An 8×8 image with a bright square at (x0, y0) of side s, and its mask (class `cls` inside). */
function square(x0: number, y0: number, s: number, cls: number) {
  const inside = (x: number, y: number) => x >= x0 && x < x0 + s && y >= y0 && y < y0 + s;
  return { image: grey(8, 8, (x, y) => (inside(x, y) ? 200 : 20)), mask: grey(8, 8, (x, y) => (inside(x, y) ? cls : 0)) };
}

function segFolder(n: number, extra: Record<string, Uint8Array | string> = {}) {
  const tree: Record<string, Uint8Array | string> = { 'cells/classes.txt': 'background\nround\nsquare\n' };
  for (let i = 0; i < n; i++) {
    const { image, mask } = square(i % 5, (i * 3) % 5, 3, 1 + (i % 2));
    tree[`cells/images/im${i}.png`] = image;
    tree[`cells/masks/im${i}.png`] = mask;
  }
  return { ...tree, ...extra };
}

describe('taskLayoutOf', () => {
  it('tells masks, labels, both and class folders apart', () => {
    expect(taskLayoutOf(['d/images/a.png', 'd/masks/a.png'])).toBe('segmentation');
    expect(taskLayoutOf(['d/images/a.jpg', 'd/labels/a.txt', 'd/classes.txt'])).toBe('detection');
    expect(taskLayoutOf(['d/images/a.png', 'd/masks/a.png', 'd/labels/a.txt'])).toBe('mixed');
    expect(taskLayoutOf(['pets/cat/a.png', 'pets/dog/b.png'])).toBeNull();
    expect(taskLayoutOf(['d/images/a.jpg', 'd/masks/a.jpg'])).toBe('segmentation');
    expect(taskLayoutOf(['d/images/a.png', 'd/labels/classes.txt'])).toBeNull();
  });
});

describe('readTaskDataset: segmentation', () => {
  it('reads images and masks at the Input shape, with classes.txt and a seeded test share', async () => {
    const tree = segFolder(10);
    const got = await readTaskDataset(filesOf(tree), { shape: [8, 8, 1], seed: 3, testShare: 0.2 });
    expect(got.name).toBe('cells');
    expect(got.skipped).toEqual([]);
    const d = got.data;
    expect(d.task).toBe('segmentation');
    expect(d.classes).toEqual(['background', 'round', 'square']);
    expect(d.train.count + d.test.count).toBe(10);
    expect(d.test.count).toBe(2);
    expect(d.train.masks!.length).toBe(d.train.count * 64);
    expect(d.train.labels).toEqual(new Uint8Array(d.train.count));
    // every image lines up with its mask: bright pixels exactly where the mask is non-zero
    for (const s of [d.train, d.test]) {
      for (let k = 0; k < s.count; k++) {
        for (let p = 0; p < 64; p++) {
          const bright = s.images[k * 64 + p]! > 0.5;
          expect(bright).toBe(s.masks![k * 64 + p]! > 0);
        }
      }
    }
    // the same seed gives the same split
    const again = await readTaskDataset(filesOf(tree), { shape: [8, 8, 1], seed: 3, testShare: 0.2 });
    expect(again.data.test.images).toEqual(d.test.images);
  });

  it('resizes masks nearest (never blending classes) and images to RGB', async () => {
    const got = await readTaskDataset(filesOf(segFolder(4)), { shape: [4, 4, 3], seed: 1 });
    const d = got.data;
    expect(d.shape).toEqual([4, 4, 3]);
    expect(d.train.images.length).toBe(d.train.count * 48);
    for (const v of d.train.masks!) expect([0, 1, 2]).toContain(v);
    expect(got.warnings.join(' ')).toMatch(/4 images were resized to the Input node's 4×4 \(e\.g\. all 8×8\)/);
  });

  it('names classes from the largest mask value without classes.txt, and reads black-and-white masks as one class', async () => {
    const tree = segFolder(4);
    delete tree['cells/classes.txt'];
    const got = await readTaskDataset(filesOf(tree), { shape: [8, 8, 1] });
    expect(got.data.classes).toEqual(['background', 'class 1', 'class 2']);
    expect(got.warnings.join(' ')).toMatch(/No classes\.txt/);

    const bw: Record<string, Uint8Array> = {};
    for (let i = 0; i < 3; i++) {
      const { image } = square(i, i, 3, 1);
      bw[`images/b${i}.png`] = image;
      bw[`masks/b${i}.png`] = grey(8, 8, (x, y) => (x >= i && x < i + 3 && y >= i && y < i + 3 ? 255 : 0));
    }
    const got2 = await readTaskDataset(filesOf(bw), { shape: [8, 8, 1] });
    expect(got2.data.classes).toEqual(['background', 'class 1']);
    const all = [...got2.data.train.masks!, ...got2.data.test.masks!];
    expect(new Set(all)).toEqual(new Set([0, 1]));
    expect(all.filter((v) => v === 1).length).toBe(3 * 9);
    expect(got2.name).toBe('Custom masks');
  });

  it('leaves out broken files with their reasons and keeps the rest', async () => {
    const tree = segFolder(6, {
      'cells/images/bad.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]),
      'cells/masks/bad.png': grey(8, 8, () => 0),
      'cells/images/small.png': grey(8, 8, () => 0),
      'cells/masks/small.png': grey(4, 4, () => 0),
      'cells/images/five.png': grey(8, 8, () => 0),
      'cells/masks/five.png': grey(8, 8, (x) => (x === 2 ? 5 : 0)),
      'cells/images/lonely.png': grey(8, 8, () => 0),
      'cells/masks/orphan.png': grey(8, 8, () => 0),
    });
    const got = await readTaskDataset(filesOf(tree), { shape: [8, 8, 1] });
    expect(got.data.train.count + got.data.test.count).toBe(6);
    const reason = (name: string) => got.skipped.find((s) => s.name === name)?.reason ?? '';
    expect(reason('cells/images/bad.png')).toMatch(/damaged/);
    expect(reason('cells/masks/small.png')).toMatch(/4×4 pixels but its image cells\/images\/small\.png is 8×8/);
    expect(reason('cells/masks/five.png')).toMatch(/pixel \(x 2, y 0\) has value 5, but there are only 3 classes/);
    expect(reason('cells/images/lonely.png')).toMatch(/has no mask/);
    expect(reason('cells/masks/orphan.png')).toMatch(/has no image/);
    expect(got.skipped).toHaveLength(5);
  });

  it('uses the folder\'s own train/ and val/ split', async () => {
    const tree: Record<string, Uint8Array | string> = {};
    for (let i = 0; i < 5; i++) {
      const { image, mask } = square(i % 4, 1, 3, 1);
      const split = i < 3 ? 'train' : 'val';
      tree[`set/${split}/images/s${i}.png`] = image;
      tree[`set/${split}/masks/s${i}.png`] = mask;
    }
    const got = await readTaskDataset(filesOf(tree), { shape: [8, 8, 1] });
    expect([got.data.train.count, got.data.test.count]).toEqual([3, 2]);
    expect(got.testImages).toEqual(['set/val/images/s3.png', 'set/val/images/s4.png']);
    expect(got.trainImages).toEqual(['set/train/images/s0.png', 'set/train/images/s1.png', 'set/train/images/s2.png']);
    expect(got.warnings.join(' ')).toMatch(/own split/);
  });

  it('refuses a colour mask, an empty folder, an unknown layout and a folder with nothing usable', async () => {
    const tree = segFolder(3, {
      'cells/images/c.png': grey(2, 2, () => 0),
      'cells/masks/c.png': encode({ width: 2, height: 2, channels: 3, depth: 8, data: new Uint8Array([0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0]) }),
    });
    const got = await readTaskDataset(filesOf(tree), { shape: [8, 8, 1] });
    expect(got.skipped.find((s) => s.name === 'cells/masks/c.png')?.reason).toMatch(/colour mask/);
    await expect(readTaskDataset([], { shape: [8, 8, 1] })).rejects.toThrow(/The folder is empty\. For segmentation: an images\/ folder/);
    await expect(readTaskDataset(filesOf({ 'pets/cat/a.png': grey(2, 2, () => 0) }), { shape: [8, 8, 1] })).rejects.toThrow(/layout was not recognised/);
    await expect(
      readTaskDataset(filesOf({ 'images/a.png': new Uint8Array([1, 2, 3]), 'masks/a.png': grey(2, 2, () => 0), 'images/b.png': grey(2, 2, () => 0), 'masks/b.png': grey(3, 3, () => 0) }), { shape: [8, 8, 1] }),
    ).rejects.toThrow(/None of the 2 images could be used\. images\/a\.png: is not a PNG or JPEG/);
  });

  it('says that masks must be PNG when they are JPEGs', async () => {
    await expect(readTaskDataset(filesOf({ 'd/images/a.png': grey(4, 4, () => 0), 'd/masks/a.jpg': new Uint8Array([0xff, 0xd8, 0xff]) }), { shape: [8, 8, 1] })).rejects.toThrow(
      /No usable image and mask pairs were found\. .*d\/masks\/a\.jpg: masks must be PNG files/,
    );
  });

  it('refuses a mixed folder unless the task is given, and a task the folder does not have', async () => {
    const tree = { ...segFolder(3), 'cells/labels/im0.txt': '0 0.5 0.5 0.2 0.2\n' };
    await expect(readTaskDataset(filesOf(tree), { shape: [8, 8, 1] })).rejects.toThrow(/both masks\/ .* and labels\//);
    const seg = await readTaskDataset(filesOf(tree), { shape: [8, 8, 1], task: 'segmentation' });
    expect(seg.data.task).toBe('segmentation');
    await expect(readTaskDataset(filesOf(segFolder(3)), { shape: [8, 8, 1], task: 'detection' })).rejects.toThrow(/does detection, so the folder needs images\/ and labels\/.*It has masks\//);
  });
});

describe('readTaskDataset: detection (YOLO)', () => {
  const yolo = (extra: Record<string, Uint8Array | string> = {}) => ({
    'boxes/classes.txt': 'cat\ndog\n',
    'boxes/images/a.png': grey(16, 8, () => 50),
    'boxes/labels/a.txt': '0 0.5 0.5 0.25 0.5\n1 0.25 0.75 0.5 0.5\n',
    'boxes/images/b.png': grey(16, 8, () => 90),
    'boxes/labels/b.txt': '1 0.5 0.5 1 1\n',
    'boxes/images/empty.png': grey(16, 8, () => 10),
    ...extra,
  });

  it('reads boxes as pixels of the resized image, and an image without labels as one with no objects', async () => {
    const got = await readTaskDataset(filesOf(yolo()), { shape: [4, 8, 1], testShare: 0 });
    const d = got.data;
    expect(d.task).toBe('detection');
    expect(d.classes).toEqual(['cat', 'dog']);
    expect(d.train.count).toBe(3);
    expect(d.test.count).toBe(0);
    // a: 16×8 → 8 wide, 4 high; box 0 centred, a quarter wide and half high
    expect(d.train.boxes![0]).toEqual([
      { cls: 0, x: 3, y: 1, w: 2, h: 2 },
      { cls: 1, x: 0, y: 2, w: 4, h: 2 },
    ]);
    expect(d.train.boxes![1]).toEqual([{ cls: 1, x: 0, y: 0, w: 8, h: 4 }]);
    expect(d.train.boxes![2]).toEqual([]);
    expect(got.warnings.join(' ')).toMatch(/1 image has no label file \(boxes\/images\/empty\.png\): read as image with no objects/);
    expect(d.train.images[0]).toBeCloseTo(50 / 255, 5);
  });

  it('leaves out images whose labels are outside [0, 1] or name unknown classes', async () => {
    const got = await readTaskDataset(
      filesOf(yolo({ 'boxes/images/far.png': grey(4, 4, () => 0), 'boxes/labels/far.txt': '0 120 0.5 0.1 0.1\n', 'boxes/images/bird.png': grey(4, 4, () => 0), 'boxes/labels/bird.txt': '0 0.5 0.5 0.1 0.1\n2 0.5 0.5 0.1 0.1\n' })),
      { shape: [8, 8, 1] },
    );
    expect(got.data.train.count + got.data.test.count).toBe(3);
    const reason = (name: string) => got.skipped.find((s) => s.name === name)?.reason ?? '';
    expect(reason('boxes/labels/far.txt')).toMatch(/line 1: the x centre \(cx\) 120 is outside \[0, 1\].*Its image boxes\/images\/far\.png is left out/);
    expect(reason('boxes/labels/bird.txt')).toMatch(/line 2: class 2 is unknown: classes\.txt names 2 classes/);
  });

  it('names classes class 0… without classes.txt, and clips boxes that reach outside', async () => {
    const tree: Record<string, Uint8Array | string> = yolo({ 'boxes/labels/b.txt': '2 0.9 0.5 0.4 0.2\n' });
    delete tree['boxes/classes.txt'];
    const got = await readTaskDataset(filesOf(tree), { shape: [8, 16, 1], testShare: 0 });
    expect(got.data.classes).toEqual(['class 0', 'class 1', 'class 2']);
    const b = got.data.train.boxes![1]![0]!;
    // 0.7 … 1.1 clipped to 0.7 … 1.0 of 16 pixels
    expect(b.x).toBeCloseTo(11.2, 5);
    expect(b.w).toBeCloseTo(4.8, 5);
    expect(got.warnings.join(' ')).toMatch(/No classes\.txt/);
    expect(got.warnings.join(' ')).toMatch(/1 box reached outside its image and was clipped/);
  });

  it('refuses a damaged classes.txt and labels with no objects and no classes', async () => {
    await expect(readTaskDataset(filesOf(yolo({ 'boxes/classes.txt': 'cat\ncat\n' })), { shape: [8, 8, 1] })).rejects.toThrow(/"cat" is already named on line 1/);
    await expect(readTaskDataset(filesOf({ 'images/a.png': grey(4, 4, () => 0), 'labels/a.txt': '\n', 'images/b.png': grey(4, 4, () => 0), 'labels/b.txt': ' ' }), { shape: [8, 8, 1] })).rejects.toThrow(/No objects were found/);
  });
});
