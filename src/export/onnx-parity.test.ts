/**
 * The exported ONNX model computes what TensorFlow.js computes, run in ONNX Runtime (onnxruntime-web
 * in Node, WASM, one thread). For every preset, every graph of fixtures/export-graphs.ts (all node
 * types and the options that change exported code) and the ONNX cases of ./onnx-cases.ts: random
 * seeded weights (batch norm with random moving statistics too, as in pytorch-parity.test.ts), a
 * batch of 3 random inputs through tfjs, the export, then ONNX Runtime on the same inputs
 * transposed to NCHW, with a batch of 3 and again with a batch of 1 (the batch axis is dynamic).
 *
 * Tolerance: max |onnx − tfjs| ≤ 1e-4 · max(1, max |tfjs|) (as pytorch-parity.test.ts). For graphs
 * ending in softmax, the model with that softmax set to linear is exported and compared too: a
 * softmax alone would hide errors in its input.
 *
 * tfjs runs on its CPU backend (the reference implementation), except ResNet-50 at 224×224, which
 * runs on WASM (about 20 times faster; its layers have no padding subtleties).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_TYPES } from '../../nodes/registry';
import { compileGraph } from '../compiler/compile';
import { ONNX_EXTRA_CASES } from './onnx-cases';
import { onnxModel } from './onnx';
import { parityCases, withoutFinalSoftmax } from './parity.testing';
import { maxAbsDiff, namedWeights, randomizeWeights, randomValues } from './python-testing';
import { transposeData } from './pytorch';

const BATCH = 3;

const CASES = parityCases(ONNX_EXTRA_CASES);

/** Runs an NHWC batch through an ONNX Runtime session; returns the output in TensorFlow layout (NHWC or N×C) and its ONNX dims. */
async function runOnnx(session: ort.InferenceSession, x: Float32Array, nhwc: number[]): Promise<{ data: Float32Array; dims: number[] }> {
  const nchw = transposeData(x, nhwc, [0, 3, 1, 2]);
  const r = await session.run({ input: new ort.Tensor('float32', nchw.data, nchw.shape) });
  const y = r.output!;
  const dims = [...y.dims];
  const data = y.data as Float32Array;
  return { data: dims.length === 4 ? transposeData(data, dims, [0, 2, 3, 1]).data : data, dims };
}

/** An ONNX Runtime session of the model bytes, released after `use`. */
async function withSession<T>(bytes: Uint8Array, use: (s: ort.InferenceSession) => Promise<T>): Promise<T> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['output']);
    return await use(session);
  } finally {
    await session.release();
  }
}

const measured: string[] = [];

describe('ONNX export matches TensorFlow.js (ONNX Runtime)', () => {
  beforeAll(() => {
    ort.env.wasm.numThreads = 1;
  });
  afterAll(() => {
    if (measured.length) console.log(`max |onnx − tfjs| per graph:\n  ${measured.join('\n  ')}`);
  });

  it('covers every node type', () => {
    const covered = new Set(CASES.flatMap((c) => c.doc.nodes.map((n) => n.type)));
    expect(NODE_TYPES.filter((t) => !covered.has(t))).toEqual([]);
  });

  it.each(CASES.map((c, i) => [c.name, i] as const))(
    '%s',
    async (name, i) => {
      const c = CASES[i]!;
      expect(await tf.setBackend(c.backend)).toBe(true);
      const { model } = compileGraph(c.doc);
      try {
        randomizeWeights(tf, model, 2000 + i);
        const [h, w, ch] = model.inputs[0]!.shape.slice(1) as number[];
        const inShape = [BATCH, h!, w!, ch!];
        const xData = randomValues(BATCH * h! * w! * ch!, 11 + i, ...c.range);
        const predict = async (m: tf.LayersModel) => {
          const y = m.predict(tf.tensor(xData, inShape)) as tf.Tensor;
          const out = { data: (await y.data()) as Float32Array, shape: y.shape };
          tf.dispose(y);
          return out;
        };
        const want = await predict(model);
        const weights = namedWeights(model);
        const per = want.data.length / BATCH;
        const [got, one] = await withSession(onnxModel(c.doc, weights), async (session) => [
          await runOnnx(session, xData, inShape),
          // A batch of one (the batch axis is dynamic): the first sample alone gives the first sample's result.
          await runOnnx(session, xData.slice(0, xData.length / BATCH), [1, h!, w!, ch!]),
        ]);
        // NCHW dims for maps, N×C for vectors.
        const s = want.shape;
        expect(got.dims).toEqual(s.length === 4 ? [s[0], s[3], s[1], s[2]] : s);
        const out = maxAbsDiff(got.data, want.data);
        let text = `${name}: output ${out.diff.toExponential(2)} (max |tfjs| ${out.scale.toPrecision(3)})`;
        expect(out.diff, `${name}: output`).toBeLessThanOrEqual(1e-4 * Math.max(1, out.scale));
        expect(one.dims).toEqual([1, ...got.dims.slice(1)]);
        const single = maxAbsDiff(one.data, want.data.slice(0, per));
        expect(single.diff, `${name}: batch of 1`).toBeLessThanOrEqual(1e-4 * Math.max(1, single.scale));

        const linear = withoutFinalSoftmax(c.doc);
        if (linear) {
          const m2 = compileGraph(linear).model;
          try {
            m2.setWeights(model.getWeights());
            const wantL = await predict(m2);
            const gotL = await withSession(onnxModel(linear, weights), (session) => runOnnx(session, xData, inShape));
            const l = maxAbsDiff(gotL.data, wantL.data);
            text += `, scores before softmax ${l.diff.toExponential(2)} (max |tfjs| ${l.scale.toPrecision(3)})`;
            expect(l.diff, `${name}: scores before softmax`).toBeLessThanOrEqual(1e-4 * Math.max(1, l.scale));
          } finally {
            m2.dispose();
          }
        }
        measured.push(text);
      } finally {
        model.dispose();
      }
    },
    300_000,
  );
});
