import { describe, expect, it } from 'vitest';
import { classesOfOutput, maskOfOutput, maskTargets } from './segmentation';

describe('segmentation targets and masks', () => {
  it('one-hot per pixel for K channels, the mask itself for one sigmoid channel', () => {
    const masks = Uint8Array.from([0, 2, 1, 0]);
    expect(Array.from(maskTargets(masks, 2, 2, 3))).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0]);
    expect(Array.from(maskTargets(Uint8Array.from([0, 1, 1, 0]), 1, 4, 1))).toEqual([0, 1, 1, 0]);
    expect(() => maskTargets(Uint8Array.from([3]), 1, 1, 3)).toThrow('A mask has class 3 but the output has 3 channels (classes 0 to 2).');
    expect(() => maskTargets(Uint8Array.from([2]), 1, 1, 1)).toThrow(/single channel/);
  });

  it('reads a mask back as the most likely class per pixel (ties to the lower class), or p ≥ 0.5 for one channel', () => {
    expect(Array.from(maskOfOutput([0.2, 0.7, 0.1, 0.5, 0.5, 0, 0.1, 0.1, 0.8], 3, 3))).toEqual([1, 0, 2]);
    expect(Array.from(maskOfOutput([0.49, 0.5, 0.9], 3, 1))).toEqual([0, 1, 1]);
    // Round trip: the target of a mask reads back as the mask.
    const mask = Uint8Array.from({ length: 50 }, (_, i) => (i * 7) % 4);
    expect(Array.from(maskOfOutput(maskTargets(mask, 1, 50, 4), 50, 4))).toEqual(Array.from(mask));
    expect([classesOfOutput(1), classesOfOutput(5)]).toEqual([2, 5]);
  });
});
