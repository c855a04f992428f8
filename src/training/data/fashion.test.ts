import { describe, expect, it } from 'vitest';
import { FASHION_CLASSES, fashionSplit } from './fashion';

describe('fashionSplit', () => {
  it('sends exactly testPerClass of each class to test, the rest to training, interleaved', () => {
    const plan = fashionSplit([7000, 7000, 7000, 7000, 7000, 7000, 7000, 7000, 7000, 7000]);
    expect(plan.trainClass.length).toBe(60_000);
    expect(plan.testClass.length).toBe(10_000);
    const hist = (c: Uint8Array) => c.reduce((h, k) => (h[k]!++, h), new Array<number>(10).fill(0));
    expect(hist(plan.trainClass)).toEqual(new Array(10).fill(6000));
    expect(hist(plan.testClass)).toEqual(new Array(10).fill(1000));
    // each (class, index) is used once across both splits
    const seen = new Set<number>();
    plan.trainClass.forEach((c, i) => seen.add(c * 10_000 + plan.trainIndex[i]!));
    plan.testClass.forEach((c, i) => seen.add(c * 10_000 + plan.testIndex[i]!));
    expect(seen.size).toBe(70_000);
    // shuffled, not grouped by class
    expect(new Set(plan.trainClass.subarray(0, 50)).size).toBeGreaterThan(5);
  });

  it('is fixed for its seed', () => {
    const a = fashionSplit([30, 20], 'fashion-mnist-split', 5);
    expect(fashionSplit([30, 20], 'fashion-mnist-split', 5)).toEqual(a);
    expect(fashionSplit([30, 20], 'other', 5)).not.toEqual(a);
    expect(a.testClass.length).toBe(10);
  });

  it('names the classes in the official order', () => {
    expect(FASHION_CLASSES).toHaveLength(10);
    expect(FASHION_CLASSES[0]).toBe('T-shirt/top');
    expect(FASHION_CLASSES[9]).toBe('Ankle boot');
  });
});
