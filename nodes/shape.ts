/** Small shape helpers shared by the node definitions (same arithmetic as tfjs' conv_utils). */
import { ShapeError, type Shape } from './types';

/** "28×28×6" — how shapes are shown to people. */
export function formatShape(shape: Shape | null | undefined): string {
  if (!shape) return '?';
  if (shape.length === 0) return 'scalar';
  return shape.join('×');
}

export const product = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** Output length of a convolution / pooling along one axis, as tfjs computes it. */
export function convOutputLength(length: number, kernel: number, stride: number, padding: 'valid' | 'same', dilation = 1): number {
  const effective = (kernel - 1) * dilation + 1;
  const span = padding === 'same' ? length : length - effective + 1;
  // tfjs' formula, floor((n + s - 1) / s): the same as ceil(n / s), but never -0 (which would not
  // equal tfjs' 0 in tests when a pooling window is larger than the map).
  return Math.floor((span + stride - 1) / stride);
}

/** Output length of a transposed convolution along one axis (tfjs deconvLength, no output padding). */
export function deconvOutputLength(length: number, kernel: number, stride: number, padding: 'valid' | 'same'): number {
  return padding === 'valid' ? length * stride + Math.max(kernel - stride, 0) : length * stride;
}

/** Requires a feature map [h, w, c]; the message tells the learner what to change. */
export function requireMap(input: Shape | undefined, title: string): [number, number, number] {
  if (!input || input.length !== 3) {
    throw new ShapeError(
      `${title} needs a feature map (height×width×channels) but gets ${formatShape(input)}` +
        (input && input.length === 1 ? ': it cannot come after Flatten, Dense or global pooling' : ''),
    );
  }
  return [input[0]!, input[1]!, input[2]!];
}

/**
 * Spatial output size of a window op. A negative size is an error (the window does not fit);
 * a zero size is left for lint to warn about, as tfjs builds such a layer.
 */
export function windowOutput(
  title: string,
  [h, w]: readonly [number, number, ...number[]],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  padding: 'valid' | 'same',
  dilation: readonly [number, number] = [1, 1],
  what = 'kernel',
): [number, number] {
  const oh = convOutputLength(h, kernel[0], strides[0], padding, dilation[0]);
  const ow = convOutputLength(w, kernel[1], strides[1], padding, dilation[1]);
  if (oh < 0 || ow < 0) {
    throw new ShapeError(
      `${title}: the ${kernel[0]}×${kernel[1]} ${what} does not fit in the ${h}×${w} input with padding "valid". ` +
        `Use padding "same", a smaller ${what}, or less downsampling before this node.`,
    );
  }
  return [oh, ow];
}

/** Warning text for a spatial size that shrank to nothing. */
export function zeroSizeLint(title: string, input: Shape, output: Shape): string[] {
  if (output.length === 3 && (output[0] === 0 || output[1] === 0)) {
    return [
      `${title} shrinks the ${formatShape(input.slice(0, 2))} map to zero (${formatShape(output)}): nothing reaches the next layer. ` +
        `Use padding "same" or remove some downsampling.`,
    ];
  }
  return [];
}

export function sameShapes(shapes: readonly Shape[]): boolean {
  const first = shapes[0]!;
  return shapes.every((s) => s.length === first.length && s.every((d, i) => d === first[i]));
}

/** "c3 gives 14×14×16, s2 gives 14×14×6" (or "input 1 gives …" without source names). */
export function describeInputs(inputs: readonly Shape[], sources?: readonly string[]): string {
  return inputs.map((s, i) => `${sources?.[i] ?? `input ${i + 1}`} gives ${formatShape(s)}`).join(', ');
}
