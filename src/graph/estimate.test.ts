import { loadPreset } from '../../fixtures/presets';
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from './analyze';
import { estimateSizes, formatBytes } from './estimate';

describe('estimateSizes', () => {
  const a = analyzeGraph(loadPreset('lenet5'));

  it('counts the weights of LeNet-5 as 61,706 floats', () => {
    expect(estimateSizes(a, 64).modelBytes).toBe(61_706 * 4);
  });

  it('adds gradients, Adam moments and activations (hand-computed for LeNet-5)', () => {
    // Activations per sample: 784 + 4704 + 1176 + 1600 + 400 + 400 + 120 + 84 + 10 = 9,278 values.
    const e = estimateSizes(a, 64, 'adam');
    expect(e.activationsPerSample).toBe(9_278);
    expect(e.trainingBytes).toBe(61_706 * 4 * 4 + 9_278 * 64 * 4 * 2);
    expect(estimateSizes(a, 64, 'sgd').trainingBytes).toBe(61_706 * 4 * 2 + 9_278 * 64 * 4 * 2);
  });

  it('formats bytes for people', () => {
    expect(formatBytes(246_824)).toBe('241.0 KB');
    expect(formatBytes(5 * 1024 ** 2)).toBe('5.00 MB');
    expect(formatBytes(102.5 * 1024 ** 2)).toBe('102.5 MB');
  });
});
