import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import input from './input';
import { resolveParams } from './params';

describe('input agrees with tf.input', () => {
  const shapes = [[28, 28, 1], [32, 32, 3], [1, 1, 1], [7, 13, 64], [1024, 1024, 3], [5, 9, 2]];
  it.each(shapes.map((s) => [s.join('×'), s] as const))('%s', (_name, shape) => {
    const { params, problems } = resolveParams(input, { shape });
    expect(problems).toEqual([]);
    const ours = input.inferShape([], params);
    expect([null, ...ours]).toEqual(tf.input({ shape }).shape);
    expect(input.paramCount([], params)).toEqual({ trainable: 0, nonTrainable: 0 });
    if (input.role !== 'input') throw new Error('input must have role "input"');
    const built = input.buildInput(tf, params, 'input_under_test');
    expect(built.shape).toEqual([null, ...shape]);
  });
});

describe('input params', () => {
  it('defaults to a 28×28 greyscale image (MNIST)', () => {
    expect(input.inferShape([], resolveParams(input, {}).params)).toEqual([28, 28, 1]);
  });
  it('refuses shapes that are not [height, width, channels] in range', () => {
    expect(resolveParams(input, { shape: [28, 28] }).problems[0]!.message).toMatch(/\[height, width, channels\]/);
    expect(resolveParams(input, { shape: [28, 0, 1] }).problems[0]!.message).toMatch(/shape width = 0 is out of range/);
    expect(resolveParams(input, { shape: [28, 28, 65] }).problems[0]!.message).toMatch(/shape channels = 65 is out of range/);
  });
});
