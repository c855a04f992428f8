/**
 * The ONNX check's arithmetic: the layout transposes against tf.transpose, the seeded inputs, and the
 * tolerance rule (max |difference| ≤ 1e-4 × the output's scale) on both sides of its edge.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelsFirst, channelsLast, compareWithTfjs, describeOnnxCheck, ONNX_TOLERANCE, onnxLayout, randomInputs } from './onnx-check';
import { randomValues } from './python-testing';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('layout', () => {
  it('channelsFirst is tf.transpose to channels second, for ranks 3, 4 and 5; channelsLast undoes it', async () => {
    const cases: [number[], number[]][] = [
      [[2, 5, 3], [0, 2, 1]],
      [[2, 4, 3, 5], [0, 3, 1, 2]],
      [[1, 3, 2, 4, 2], [0, 4, 1, 2, 3]],
    ];
    for (const [shape, perm] of cases) {
      const data = randomValues(shape.reduce((a, b) => a * b, 1), shape.length, -1, 1);
      const want = tf.transpose(tf.tensor(data, shape), perm);
      const got = channelsFirst(data, shape);
      expect(got.shape).toEqual(want.shape);
      expect(Array.from(got.data)).toEqual(Array.from(await want.data()));
      const back = channelsLast(got.data, got.shape);
      expect(back.shape).toEqual(shape);
      expect(Array.from(back.data)).toEqual(Array.from(data));
      want.dispose();
    }
  });

  it('leaves vectors [N, C] as they are and refuses a shape that does not fit the data', () => {
    const v = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(channelsFirst(v, [2, 3])).toEqual({ data: v, shape: [2, 3] });
    expect(() => channelsFirst(v, [2, 2, 2])).toThrow(/6 values cannot have the shape 2×2×2/);
  });

  it('onnxLayout writes a shape channels second, batch first', () => {
    expect(onnxLayout([28, 28, 1])).toBe('N×1×28×28');
    expect(onnxLayout([32, 32, 5])).toBe('N×5×32×32');
    expect(onnxLayout([7, 3])).toBe('N×3×7');
    expect(onnxLayout([10])).toBe('N×10');
  });

  it('randomInputs gives the same seeded values in both layouts, in [0, 1)', async () => {
    const a = randomInputs([6, 5, 3], 2, 9);
    const b = randomInputs([6, 5, 3], 2, 9);
    expect(a.nhwcShape).toEqual([2, 6, 5, 3]);
    expect(a.nchwShape).toEqual([2, 3, 6, 5]);
    expect(Array.from(a.nhwc)).toEqual(Array.from(b.nhwc));
    expect(Array.from(randomInputs([6, 5, 3], 2, 10).nhwc)).not.toEqual(Array.from(a.nhwc));
    expect(Math.min(...a.nhwc)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a.nhwc)).toBeLessThan(1);
    const t = tf.transpose(tf.tensor(a.nhwc, a.nhwcShape), [0, 3, 1, 2]);
    expect(Array.from(a.nchw)).toEqual(Array.from(await t.data()));
    t.dispose();
  });
});

describe('compareWithTfjs', () => {
  const shape = [2, 3, 4, 5]; // NHWC
  const tfjsData = randomValues(120, 3, -2, 2);
  const scale = Math.max(...tfjsData.map(Math.abs));
  const onnxOf = (data: Float32Array) => channelsFirst(data, shape);

  it('agrees when ONNX Runtime gives the transposed values, and reports the difference and scale', () => {
    const c = compareWithTfjs({ data: onnxOf(tfjsData).data, dims: [2, 5, 3, 4] }, { data: tfjsData, shape });
    expect(c).toEqual({ ok: true, maxDiff: 0, scale, count: 2 });
    expect(describeOnnxCheck(c)).toMatch(/^ONNX Runtime agrees: max difference 0 on 2 random inputs \(outputs up to (2|1\.9); allowed 2e-4\)\.$/);
  });

  it('the tolerance is relative: a difference just under 1e-4 × scale passes, just over fails at the value that differs', () => {
    const under = Float32Array.from(tfjsData);
    under[17] = under[17]! + 0.9 * ONNX_TOLERANCE * scale;
    const c1 = compareWithTfjs({ data: onnxOf(under).data, dims: [2, 5, 3, 4] }, { data: tfjsData, shape });
    expect(c1.ok).toBe(true);
    if (c1.ok) expect(c1.maxDiff).toBeCloseTo(0.9 * ONNX_TOLERANCE * scale, 6);

    const over = Float32Array.from(tfjsData);
    over[17] = over[17]! + 1.5 * ONNX_TOLERANCE * scale;
    const c2 = compareWithTfjs({ data: onnxOf(over).data, dims: [2, 5, 3, 4] }, { data: tfjsData, shape });
    expect(c2.ok).toBe(false);
    if (c2.ok || c2.reason !== 'values') throw new Error('expected a disagreement in values');
    // Reported at its channels-second position, with both values.
    const at = onnxOf(Float32Array.from(tfjsData.keys())).data.indexOf(17);
    expect(c2.at).toBe(at);
    expect(c2.want).toBe(tfjsData[17]);
    expect(c2.got).toBe(over[17]);
    expect(describeOnnxCheck(c2)).toMatch(/^ONNX Runtime disagrees: max difference 3e-4 on 2 random inputs \(value \d+: -?[\d.]+ against TensorFlow\.js' -?[\d.]+\), more than the 2e-4 allowed for outputs up to (2|1\.9)\.$/);
  });

  it('the same absolute error is fine on large outputs and not on small ones', () => {
    const small = Float32Array.from([0.001, 0.002, 0.003, 0.004]);
    const shifted = small.map((x) => x + 1e-6);
    expect(compareWithTfjs({ data: shifted, dims: [2, 2] }, { data: small, shape: [2, 2] }).ok).toBe(false);
    const large = small.map((x) => x * 1e4);
    expect(compareWithTfjs({ data: large.map((x) => x + 1e-6), dims: [2, 2] }, { data: large, shape: [2, 2] }).ok).toBe(true);
  });

  it('a NaN or infinity is a disagreement, said in words', () => {
    const bad = onnxOf(tfjsData).data;
    bad[3] = NaN;
    const c = compareWithTfjs({ data: bad, dims: [2, 5, 3, 4] }, { data: tfjsData, shape });
    expect(c.ok).toBe(false);
    expect(describeOnnxCheck(c)).toMatch(/^ONNX Runtime disagrees: value 3 is NaN in ONNX Runtime and .* in TensorFlow\.js/);
  });

  it('a channels-last output from the file (the transpose forgotten) is a shape disagreement', () => {
    const c = compareWithTfjs({ data: tfjsData, dims: [2, 3, 4, 5] }, { data: tfjsData, shape });
    expect(c).toEqual({ ok: false, reason: 'shape', got: [2, 3, 4, 5], want: [2, 5, 3, 4], count: 2 });
    expect(describeOnnxCheck(c)).toBe("ONNX Runtime disagrees: the file's output has the shape 2×3×4×5, but TensorFlow.js gives 2×5×3×4 (channels second).");
  });
});
