/**
 * What changing the Input node's shape costs: the parameter count, the training memory for a
 * batch, and a rough time per epoch. Pure; the Train tab shows it beside the offer to fit the
 * Input to a folder of images ("your network sees 28×28 grey").
 */
import { product } from '../../nodes/shape';
import { analyzeGraph, type Analysis } from './analyze';
import { estimateSizes } from './estimate';
import { setParam } from './edit';
import { resolveTrainingSettings } from './training-settings';
import type { GraphDoc, TrainingSettings } from './types';

/** The document with the Input node's shape replaced (nothing else changes): the editor's own setParam. */
export function withInputShape(doc: GraphDoc, shape: readonly number[]): GraphDoc {
  const input = doc.nodes.find((n) => n.type === 'input');
  return input ? setParam(doc, input.id, 'shape', [...shape]) : doc;
}

/**
 * Multiply-adds of one forward pass for one image, roughly: a layer with weights does about
 * (its weights) × (output positions) — exact for Dense and convolutions (bias included) —
 * and a layer without weights about one operation per output value.
 */
export function forwardMacs(analysis: Analysis): number {
  let macs = 0;
  for (const n of analysis.nodes.values()) {
    if (!n.outputShape || n.def?.role === 'input') continue;
    const values = product(n.outputShape);
    const weights = n.paramCount?.trainable ?? 0;
    const positions = n.outputShape.length > 1 ? values / n.outputShape[n.outputShape.length - 1]! : 1;
    macs += weights > 0 ? weights * positions : values;
  }
  return macs;
}

/**
 * Forward multiply-adds per second while training (a training step costs about three forward
 * passes), by backend, from LeNet-5 measured in headless Chromium on a 2-core CPU (README,
 * Performance): WASM ≈ 1,500 images/s, CPU ≈ 270, WebGL on SwiftShader ≈ 180, WebGPU on
 * SwiftShader ≈ 30. A real GPU is much faster than its software stand-in; its figure is a guess.
 */
export const TRAINING_MACS_PER_SECOND: Record<string, number> = {
  wasm: 6e8,
  cpu: 1.1e8,
  webgl: 8e7,
  webgpu: 1.3e7,
  gpu: 3e9,
};

export interface InputCost {
  params: number;
  trainingBytes: number;
  /** Seconds for one epoch over `trainCount` images at `macsPerSecond`. */
  epochSeconds: number;
  /** Whether the graph still works with this shape (no errors). */
  ok: boolean;
}

export function costOf(analysis: Analysis, trainCount: number, batchSize: number, optimizer: TrainingSettings['optimizer'], macsPerSecond: number): InputCost {
  return {
    params: analysis.totals.params,
    trainingBytes: estimateSizes(analysis, batchSize, optimizer).trainingBytes,
    epochSeconds: (trainCount * forwardMacs(analysis)) / macsPerSecond,
    ok: analysis.ok,
  };
}

/** The cost of the graph as it is and with the Input node set to `shape`. */
export function inputChangeCost(doc: GraphDoc, shape: readonly number[], trainCount: number, macsPerSecond: number) {
  const { batchSize: batch, optimizer } = resolveTrainingSettings(doc.training);
  return {
    before: costOf(analyzeGraph(doc), trainCount, batch, optimizer, macsPerSecond),
    after: costOf(analyzeGraph(withInputShape(doc, shape)), trainCount, batch, optimizer, macsPerSecond),
  };
}
