import { describe, expect, it } from 'vitest';
import { checkMask, pairDataset, type DecodedMask } from './masks.ts';

const mask = (width: number, height: number, values: number[]): DecodedMask => ({ width, height, data: Uint8Array.from(values) });
const img = (width: number, height: number) => ({ name: 'images/a.jpg', width, height });

describe('checking a mask', () => {
  it('accepts a mask of the image size with values below the class count, and counts values', () => {
    const r = checkMask('masks/a.png', mask(3, 2, [0, 1, 2, 2, 1, 0]), img(3, 2), 3);
    expect(r.errors).toEqual([]);
    expect(r.histogram.slice(0, 4)).toEqual([2, 2, 2, 0]);
  });

  it('reports a size that differs from the image', () => {
    expect(checkMask('masks/a.png', mask(2, 3, [0, 0, 0, 0, 0, 0]), img(3, 2), 2).errors).toEqual([
      'masks/a.png is 2×3 pixels but its image images/a.jpg is 3×2; a mask must have the same size as its image.',
    ]);
  });

  it('names the file, the value and the first pixel of a value out of range', () => {
    // 4 wide: index 6 is x 2, y 1
    const r = checkMask('masks/a.png', mask(4, 2, [0, 1, 1, 0, 0, 1, 3, 0]), img(4, 2), 3);
    expect(r.errors).toEqual(['masks/a.png: pixel (x 2, y 1) has value 3, but there are only 3 classes (values 0 to 2).']);
    const many = checkMask('masks/b.png', mask(3, 1, [7, 2, 9]), img(3, 1), 2);
    expect(many.errors).toEqual(['masks/b.png: pixel (x 0, y 0) has value 7, but there are only 2 classes (values 0 to 1). 3 pixels have values out of range (2, 7, 9).']);
    const one = checkMask('m.png', mask(1, 1, [1]), { name: 'i.png', width: 1, height: 1 }, 1);
    expect(one.errors).toEqual(['m.png: pixel (x 0, y 0) has value 1, but there is only 1 class (value 0).']);
  });

  it('recognises a black-and-white mask', () => {
    expect(checkMask('masks/bw.png', mask(2, 2, [0, 255, 255, 0]), img(2, 2), 2).errors).toEqual([
      'masks/bw.png: pixel (x 1, y 0) has value 255, but there are only 2 classes (values 0 to 1). 2 pixels have values out of range (255). The mask looks black-and-white (0 and 255): each pixel must hold its class index, e.g. 0 for the background and 1 for the object.',
    ]);
  });

  it('reports both a wrong size and bad values, and a wrong data length', () => {
    expect(checkMask('m.png', mask(1, 1, [5]), img(2, 2), 2).errors).toHaveLength(2);
    expect(checkMask('m.png', mask(2, 2, [0, 0, 0]), img(2, 2), 2).errors).toEqual(['m.png: could not be read as a 2×2 mask (3 values for 4 pixels).']);
  });
});

describe('pairing images with masks', () => {
  it('pairs by the name below images/ and masks/, whatever the image extension', () => {
    const r = pairDataset(
      ['set/images/a.jpg', 'set/masks/a.png', 'set/images/sub/b.PNG', 'set/masks/sub/b.png', 'set/classes.txt', 'set/README.md', 'set/.DS_Store', '__MACOSX/set/images/._a.jpg'],
      'segmentation',
    );
    expect(r.pairs).toEqual([
      { key: 'set/a', image: 'set/images/a.jpg', target: 'set/masks/a.png' },
      { key: 'set/sub/b', image: 'set/images/sub/b.PNG', target: 'set/masks/sub/b.png' },
    ]);
    expect(r.classesFile).toBe('set/classes.txt');
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual([]);
  });

  it('reports images without masks, masks without images, and names differing only by extension', () => {
    const r = pairDataset(
      ['images/a.png', 'masks/a.png', 'images/b.png', 'masks/c.png', 'images/d.png', 'images/d.jpg', 'masks/d.png', 'images/e.png', 'masks/e.jpg'],
      'segmentation',
    );
    expect(r.pairs).toEqual([{ key: 'a', image: 'images/a.png', target: 'masks/a.png' }]);
    expect(r.problems).toEqual([
      'masks/e.jpg: masks must be PNG files (JPEG and other lossy formats change pixel values, so the class indices would blur); it is left out.',
      'images/d.jpg and images/d.png have the same name apart from the extension, so it is unclear which one is meant; they are left out (rename or remove all but one).',
      'images/b.png has no mask (expected masks/b.png); it is left out.',
      'images/e.png has no mask (expected masks/e.png); it is left out.',
      'masks/c.png has no image (expected images/c with an image extension); it is left out.',
    ]);
  });

  it('uses the innermost images/ or masks/ folder, so a chosen folder may be called masks', () => {
    expect(pairDataset(['masks/images/a.png', 'masks/masks/a.png'], 'segmentation').pairs).toEqual([
      { key: 'masks/a', image: 'masks/images/a.png', target: 'masks/masks/a.png' },
    ]);
  });

  it('says what is missing when a folder is absent', () => {
    expect(pairDataset(['masks/a.png'], 'segmentation').problems[0]).toBe(
      'No images found: the folder needs an images/ folder beside masks/, with masks of the same names.',
    );
    expect(pairDataset(['images/a.png', 'images/b.png'], 'segmentation').problems).toEqual([
      "No masks found: the folder needs a masks/ folder beside images/, holding one PNG per image with the same name, each pixel's value its class index (0 = background).",
    ]);
  });
});

describe('pairing images with YOLO labels', () => {
  it('pairs images/train with labels/train, reads a missing label file as no objects, and finds classes.txt in labels/', () => {
    const r = pairDataset(
      ['yolo/images/train/a.jpg', 'yolo/labels/train/a.txt', 'yolo/images/train/b.jpg', 'yolo/labels/classes.txt', 'yolo/labels/train.cache', 'yolo/images/val/c.webp', 'yolo/labels/val/c.txt'],
      'detection',
    );
    expect(r.pairs).toEqual([
      { key: 'yolo/train/a', image: 'yolo/images/train/a.jpg', target: 'yolo/labels/train/a.txt' },
      { key: 'yolo/train/b', image: 'yolo/images/train/b.jpg', target: null },
      { key: 'yolo/val/c', image: 'yolo/images/val/c.webp', target: 'yolo/labels/val/c.txt' },
    ]);
    expect(r.classesFile).toBe('yolo/labels/classes.txt');
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual(['1 image has no label file (yolo/images/train/b.jpg): read as image with no objects.']);
  });

  it('pairs train/images with train/labels, prefers the shallowest classes.txt, and reports strays and clashes', () => {
    const r = pairDataset(
      ['d/classes.txt', 'd/train/classes.txt', 'd/train/images/a.png', 'd/train/labels/a.txt', 'd/train/labels/z.txt', 'd/train/images/q.png', 'd/train/labels/q.txt', 'd/train/labels/q.TXT', 'd/train/images/n1.png', 'd/train/images/n2.png', 'd/train/images/n3.png', 'd/train/images/n4.png'],
      'detection',
    );
    expect(r.classesFile).toBe('d/classes.txt');
    expect(r.pairs.map((p) => [p.key, p.target])).toEqual([
      ['d/train/a', 'd/train/labels/a.txt'],
      ['d/train/n1', null],
      ['d/train/n2', null],
      ['d/train/n3', null],
      ['d/train/n4', null],
    ]);
    expect(r.problems).toEqual([
      'd/train/labels/q.TXT and d/train/labels/q.txt have the same name apart from the extension, so it is unclear which one is meant; they are left out (rename or remove all but one).',
      'd/train/images/q.png is left out: its label file is one of the ambiguous files above.',
      'd/train/labels/z.txt has no image (expected d/train/images/z with an image extension); it is left out.',
    ]);
    expect(r.notes).toEqual(['4 images have no label file (d/train/images/n1.png, d/train/images/n2.png, d/train/images/n3.png and 1 more): read as images with no objects.']);
  });
});
