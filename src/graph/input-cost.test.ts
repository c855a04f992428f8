import { loadPreset } from '../../fixtures/presets';
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from './analyze';
import { estimateSizes } from './estimate';
import { forwardMacs, inputChangeCost, withInputShape } from './input-cost';

describe('the cost of a new Input shape', () => {
  const lenet = loadPreset('lenet5');

  it('counts LeNet-5 forward multiply-adds by hand', () => {
    // c1 28·28·(5·5·6+6) + s2 14·14·6 + c3 10·10·(5·5·6·16+16) + s4 400 + flatten 400
    // + f5 400·120+120 + f6 120·84+84 + output 84·10+10
    expect(forwardMacs(analyzeGraph(lenet))).toBe(122_304 + 1_176 + 241_600 + 400 + 400 + 48_120 + 10_164 + 850);
  });

  it('changes only the Input node', () => {
    const d = withInputShape(lenet, [48, 48, 3]);
    expect(d.nodes.find((n) => n.id === 'image')!.params.shape).toEqual([48, 48, 3]);
    expect(d.nodes.filter((n) => n.id !== 'image')).toEqual(lenet.nodes.filter((n) => n.id !== 'image'));
    expect(lenet.nodes.find((n) => n.id === 'image')!.params.shape).toEqual([28, 28, 1]); // not mutated
  });

  it('gives parameters, memory and time before and after (48×48 colour LeNet-5, by hand)', () => {
    const { before, after } = inputChangeCost(lenet, [48, 48, 3], 1000, 1e6);
    expect(before.params).toBe(61_706);
    // c1 456, c3 2,416, f5 (10·10·16)·120+120, f6 10,164, output 850
    expect(after.params).toBe(456 + 2_416 + 192_120 + 10_164 + 850);
    expect(after.ok).toBe(true);
    const a = analyzeGraph(withInputShape(lenet, [48, 48, 3]));
    expect(after.trainingBytes).toBe(estimateSizes(a, 64, 'adam').trainingBytes);
    expect(after.trainingBytes).toBeGreaterThan(before.trainingBytes);
    // 1,000 images at 1e6 multiply-adds per second
    expect(before.epochSeconds).toBeCloseTo((1000 * 425_014) / 1e6, 6);
    expect(after.epochSeconds).toBeCloseTo((1000 * forwardMacs(a)) / 1e6, 6);
    expect(after.epochSeconds / before.epochSeconds).toBeGreaterThan(3);
  });
});
