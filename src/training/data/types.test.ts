import { describe, expect, it } from 'vitest';
import { splitValidation, stratifiedIndices, subset, type Split } from './types.ts';

function fakeSplit(perClass: number[], size = 2): Split {
  const labels: number[] = [];
  perClass.forEach((n, c) => labels.push(...Array<number>(n).fill(c)));
  const images = new Float32Array(labels.length * size);
  for (let i = 0; i < labels.length; i++) images.fill(i / labels.length, i * size, (i + 1) * size);
  return { images, labels: Uint8Array.from(labels), count: labels.length };
}

describe('splitValidation', () => {
  it('is stratified, disjoint, complete and seeded', () => {
    const split = fakeSplit([100, 50, 30]);
    const { train, validation } = splitValidation(split, 0.2, 7);
    expect(validation.count).toBe(20 + 10 + 6);
    expect(train.count).toBe(180 - 36);
    const hist = (s: Split) => [0, 1, 2].map((c) => s.labels.filter((l) => l === c).length);
    expect(hist(validation)).toEqual([20, 10, 6]);
    expect(hist(train)).toEqual([80, 40, 24]);
    // every image ends up exactly once (the first float of each image is unique)
    const firsts = (s: Split) => Array.from({ length: s.count }, (_, i) => s.images[i * 2]!);
    expect(new Set([...firsts(train), ...firsts(validation)]).size).toBe(180);
    // image data travels with its label
    for (let i = 0; i < validation.count; i++) expect(validation.images[i * 2]).toBe(validation.images[i * 2 + 1]);
    expect(splitValidation(split, 0.2, 7).validation.images).toEqual(validation.images);
    expect(splitValidation(split, 0.2, 8).validation.images).not.toEqual(validation.images);
  });

  it('keeps one of each side for tiny classes, and handles 0 and 1', () => {
    const { kept, held } = stratifiedIndices([0, 0, 1, 1, 1], 0.01, 1);
    expect(held.length).toBe(2);
    expect(kept.length).toBe(3);
    expect(stratifiedIndices([0, 1, 1], 0, 1).held).toEqual([]);
    expect(stratifiedIndices([0, 1, 1], 1, 1).kept).toEqual([]);
    expect(() => stratifiedIndices([0], 1.5, 1)).toThrow(/share/);
  });

  it('subset copies the chosen images in order', () => {
    const s = fakeSplit([3], 1);
    const sub = subset(s, [2, 0]);
    expect(sub.count).toBe(2);
    expect([...sub.images]).toEqual([s.images[2], s.images[0]]);
  });
});
