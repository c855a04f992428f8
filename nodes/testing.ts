/**
 * Test helpers for node definitions (used by nodes/*.test.ts only). Each case is checked
 * against TensorFlow.js itself as the independent reference:
 *  - our inferShape vs tf.layers.<type>(params).computeOutputShape(...)
 *  - our paramCount vs the weights of the reference layer once built
 *  - our build() gives a layer with the same output shape and weights, laid out as our `weights` says.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { resolveParams } from './params';
import { formatShape } from './shape';
import { tfWeights } from './weight-layout';
import { ShapeError, type LayerNodeDef, type NodeDef, type Shape } from './types';

export interface TfjsCase {
  /** Params exactly as a graph file would hold them (tfjs camelCase). */
  params: Record<string, unknown>;
  /** Per-sample input shapes, one per input port. */
  inputs: Shape[];
}

type AnyLayer = tf.layers.Layer;

function weightCounts(layer: AnyLayer) {
  const size = (ws: tf.LayerVariable[]) => ws.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 0), 1), 0);
  return { trainable: size(layer.trainableWeights), nonTrainable: size(layer.nonTrainableWeights) };
}

function applyTo(layer: AnyLayer, inputs: Shape[], merge: boolean) {
  const symbolic = inputs.map((s) => tf.input({ shape: [...s] }));
  const out = layer.apply(merge ? symbolic : symbolic[0]!) as tf.SymbolicTensor;
  return out.shape;
}

/** The tfjs args for a case: our params minus the ones that only LayerLab knows (merge `inputs`). */
function tfArgs(def: NodeDef, params: Record<string, unknown>): Record<string, unknown> {
  const { inputs: _inputs, ...rest } = params;
  return def.role === 'merge' ? rest : params;
}

export function describeAgainstTfjs(
  anyDef: NodeDef,
  cases: TfjsCase[],
  /** Builds the reference layer; by default `tf.layers[def.type](params)`. */
  reference: (params: Record<string, unknown>) => AnyLayer = (params) =>
    (tf.layers as unknown as Record<string, (a: unknown) => AnyLayer>)[anyDef.type]!(tfArgs(anyDef, params)),
) {
  if (anyDef.role === 'input') throw new Error('describeAgainstTfjs is for layer nodes; test input nodes against tf.input');
  const def: LayerNodeDef = anyDef;
  describe(`${def.type} agrees with tf.layers.${def.type}`, () => {
    it.each(cases.map((c) => [`${JSON.stringify(c.params)} on ${c.inputs.map((s) => formatShape(s)).join(' + ')}`, c] as const))(
      '%s',
      (_name, c) => {
        const { params, problems } = resolveParams(def, c.params);
        expect(problems).toEqual([]);
        const merge = def.role === 'merge';
        const ours = def.inferShape(c.inputs, params);

        const ref = reference(c.params);
        const batched = c.inputs.map((s) => [null, ...s]);
        const refShape = ref.computeOutputShape(merge ? batched : batched[0]!);
        expect([null, ...ours]).toEqual(refShape);

        applyTo(ref, c.inputs, merge);
        expect(def.paramCount(c.inputs, params)).toEqual(weightCounts(ref));

        const built = def.build(tf, params, `${def.type}_under_test`, c.inputs);
        expect(applyTo(built, c.inputs, merge)).toEqual([null, ...ours]);
        // Real tensors through the built layer: tfjs' symbolic shape is not always what it computes
        // (graphs only hold per-sample ranks 1 and 3; tfjs cannot run some layers on higher ranks).
        if (c.inputs.every((s) => s.length <= 3)) {
          const real = tf.tidy(() => {
            const xs = c.inputs.map((s, i) => tf.randomUniform([2, ...s], -1, 1, 'float32', i + 1));
            return (built.apply(merge ? xs : xs[0]!) as tf.Tensor).shape.map((d) => d + 0); // -0 for an empty map
          });
          expect(real).toEqual([2, ...ours]);
        }
        expect(weightCounts(built)).toEqual(weightCounts(ref));
        expect(built.name).toBe(`${def.type}_under_test`);
        // The definition's weight layout (names, shapes, trainability, order) is the built layer's.
        const suffix = (v: tf.LayerVariable) => v.originalName.slice(v.originalName.lastIndexOf('/') + 1);
        expect(tfWeights(def, c.inputs, params)).toEqual(built.weights.map((v) => ({ name: suffix(v), shape: v.shape, trainable: v.trainable })));
      },
    );
  });
}

/** Expects inferShape to refuse these inputs with a message matching `message`. */
export function expectShapeError(def: NodeDef, rawParams: Record<string, unknown>, inputs: Shape[], message: RegExp) {
  const { params } = resolveParams(def, rawParams);
  let thrown: unknown;
  try {
    def.inferShape(inputs, params);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ShapeError);
  expect((thrown as Error).message).toMatch(message);
}
