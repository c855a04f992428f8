import { kerasLayer, pyNum, torchDim } from './codegen';
import { describeInputs, formatShape } from './shape';
import { defineNode, ShapeError, type Shape } from './types';
import { onnxAxis } from './onnx-ops';

/** Name of a per-sample axis for messages: height/width/channels on maps, else "axis n". */
function axisName(axis: number, rank: number): string {
  if (rank === 3) return ['height', 'width', 'channels'][axis]!;
  if (axis === rank - 1) return 'the last axis';
  return `axis ${axis + 1}`;
}

/**
 * The per-sample index of tfjs' `axis`, which counts the batch axis as 0: negative values count
 * from the end (-1 = channels), positive ones from the batch axis (1 = height on a map).
 */
function perSampleAxis(axis: number, rank: number): number | null {
  const i = axis < 0 ? rank + axis : axis - 1;
  return axis === 0 || i < 0 || i >= rank ? null : i;
}

export default defineNode({
  type: 'concatenate',
  role: 'merge',
  title: 'Concatenate',
  shortTitle: 'Concat',
  category: 'merge',
  summary: 'Joins tensors side by side, usually stacking their channels.',
  explain:
    'Concatenate puts its inputs next to each other along one axis; by default it stacks the channels, so a 14×14×16 and a ' +
    '14×14×6 map become one 14×14×22 map. Unlike Add, the inputs keep their own channels and the next layer learns how to ' +
    'combine them. Inception modules join parallel branches this way, and U-Net and DenseNet use it to bring earlier ' +
    'features back in. All other axes must match.',
  params: {
    inputs: { kind: 'int', default: 2, min: 2, max: 16, doc: 'Number of tensors to join (input ports).' },
    axis: {
      kind: 'int',
      default: -1,
      min: -3,
      max: 3,
      doc: 'Axis to join along: -1 channels (the default), -2 width, -3 height; as in tfjs, 1, 2, 3 count from the batch axis.',
    },
  },
  inferShape(inputs, p, sources) {
    const first: Shape = inputs[0]!;
    const rank = first.length;
    if (inputs.some((s) => s.length !== rank)) {
      throw new ShapeError(
        `Concatenate needs inputs with the same number of axes: ${describeInputs(inputs, sources)}. ` +
          `Flatten the maps (or globally pool them) before joining them with vectors.`,
      );
    }
    const axis = perSampleAxis(p.axis, rank);
    if (axis === null) {
      throw new ShapeError(
        p.axis === 0
          ? 'Concatenate cannot join along axis 0, the batch axis (which image in the batch); use -1 to stack channels.'
          : `Concatenate axis ${p.axis} does not exist for ${formatShape(first)} inputs; use -1 to join along the last axis.`,
      );
    }
    const mismatch = inputs.some((s) => s.some((d, i) => i !== axis && d !== first[i]));
    if (mismatch) {
      throw new ShapeError(
        `Concatenate joins along ${axisName(axis, rank)}, so every other axis must match: ${describeInputs(inputs, sources)}. ` +
          `Resize the inputs (pooling, padding or strides) so they agree.`,
      );
    }
    const out = [...first];
    out[axis] = inputs.reduce((n, s) => n + s[axis]!, 0);
    return out;
  },
  paramCount: () => ({ trainable: 0, nonTrainable: 0 }),
  receptive: (inputs, p) => ({ kind: 'concat', axis: perSampleAxis(p.axis, inputs[0]!.length)! }),
  // tfjs 4.22 infers the right symbolic shape for a negative axis other than -1 but then joins the
  // real tensors along the last axis: hand it the same axis counted from the batch axis instead.
  build: (tf, p, name, inputs) => tf.layers.concatenate({ name, axis: p.axis < -1 ? inputs[0]!.length + 1 + p.axis : p.axis }),
  // Keras counts axes like tfjs (the batch axis is 0), so the value carries over.
  keras: (p, { id }) => kerasLayer('Concatenate', id, [], [['axis', p.axis === -1 ? undefined : pyNum(p.axis)]]),
  pytorch: {
    module: () => null,
    forward(p, { inputs, args }) {
      const rank = inputs[0]!.length;
      const dim = torchDim(perSampleAxis(p.axis, rank)!, rank);
      return [`torch.cat([${args.join(', ')}], dim=${dim})`];
    },
  },
  onnx: (p, ctx) => {
    const rank = ctx.inputs[0]!.length;
    return { ops: [{ op: 'Concat', inputs: [...ctx.args], outputs: [ctx.out], attrs: { axis: onnxAxis(perSampleAxis(p.axis, rank)!, rank) } }] };
  },
});
