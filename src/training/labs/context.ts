/**
 * What the training worker lends to its lab modules (src/training/labs/*): the loaded dataset, the
 * compiled model of a graph (the trained one when the worker has it), and the probe image. Each lab
 * module exports `xxxApi(ctx)` returning its worker methods; worker.ts spreads them into the
 * TrainerApi, and protocol.ts adds each module's interface to it.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { CompiledGraph } from '../../compiler/compile';
import type { GraphDoc } from '../../graph/types';
import type { ProbeTransform } from '../../labs/transforms';
import type { TrainData } from '../trainer';

export interface WorkerContext {
  tf: typeof tfjs;
  /** The loaded dataset, or null before one is chosen. */
  data(): TrainData | null;
  /** The dataset's name (mnist, fashion-mnist, shapes, or the folder's name). */
  dataName(): string;
  /** The compiled model of this graph: the worker's current (trained or loaded) weights when it is the same network; throws without a dataset. */
  compiled(graph: GraphDoc): CompiledGraph;
  /** The probe image as the network sees it (with the invariance lab's transform applied), or null. */
  probeImage(): Float32Array | null;
  /** The probe image before the lab's transform. */
  rawProbeImage(): Float32Array | null;
  /** The probe's true class when it is a dataset image, else null (a drawing, a file, the camera). */
  probeLabel(): number | null;
  /** The invariance lab's transform of the probe (identity by default). */
  probeTransform(): ProbeTransform;
}
