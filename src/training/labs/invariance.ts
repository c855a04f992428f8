/**
 * The worker's side of the invariance lab (see context.ts): sweeps of one transform over the probe
 * image and the first N test images, for the worker's current model and for models the learner
 * pinned ("Keep this model for comparison"), all on the same images.
 *
 * A pinned model is kept as a CPU copy of its weights plus its graph; the tfjs model built from
 * them is cached for the backend it was built on and rebuilt after a backend switch (a model's
 * variables live on one backend). Nothing runs unless the page asks.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { GraphDoc } from '../../graph/types';
import { evaluationCount, sweep, type SweepPoint } from '../../labs/robustness';
import { isTransformKind, TRANSFORM_SPECS, type TransformKind } from '../../labs/transforms';
import { compileForData } from '../trainer';
import type { WorkerContext } from './context';

/** At most this many pinned models (each holds a copy of its weights). */
export const MAX_PINNED = 3;

export interface PinnedModelInfo {
  id: string;
  label: string;
  /** The dataset it was pinned with: it is compared only on that one. */
  dataset: string;
  /** Trainable parameters, for the list. */
  params: number;
}

export interface SweepSeries {
  /** 'current' for the worker's model, else the pin's id. */
  id: string;
  label: string;
  points: SweepPoint[];
}

export interface SweepResult {
  kind: TransformKind;
  values: number[];
  /** How many test images each accuracy is over. */
  count: number;
  /** The class whose probability is plotted (null without a probe image). */
  target: number | null;
  /** Where that class comes from: the probe's label, or the current model's prediction at identity (a drawing). */
  targetFrom: 'label' | 'prediction' | null;
  series: SweepSeries[];
  /** Pinned models left out, and why (another dataset). */
  skipped: { id: string; label: string; reason: string }[];
  /** The sweep was cancelled part-way: the series hold the values done. */
  cancelled: boolean;
}

export interface InvarianceApi {
  /**
   * Sweeps transform `kind` over `values` (everything else at identity, from the raw probe image)
   * for the current model of `graph` and every pinned model: the probability of the probe's true
   * class and the accuracy over the first `limit` test images (default 500).
   */
  sweepProbe(graph: GraphDoc, kind: TransformKind, values: number[], limit?: number, onProgress?: (done: number, total: number) => void): Promise<SweepResult>;
  /** Stops a sweep under way after its current value. */
  cancelSweep(): void;
  /** Keeps a copy of the current model of `graph` (weights and graph) under `label`; returns the pins. */
  pinModel(graph: GraphDoc, label: string): Promise<PinnedModelInfo[]>;
  pinnedModels(): Promise<PinnedModelInfo[]>;
  /** Forgets a pinned model and frees its memory; returns the pins left. */
  unpinModel(id: string): Promise<PinnedModelInfo[]>;
  /** The probe image as the network sees it now (the sliders' transform applied), or null. */
  transformedProbe(): Promise<Float32Array | null>;
}

interface Pin {
  info: PinnedModelInfo;
  graph: GraphDoc;
  shape: [number, number, number];
  classes: number;
  weights: { shape: number[]; values: Float32Array }[];
  /** The model built from the copy, on this backend. */
  built: { backend: string; model: tfjs.LayersModel } | null;
}

export function invarianceApi(ctx: WorkerContext): InvarianceApi {
  const { tf } = ctx;
  let pins: Pin[] = [];
  let nextId = 1;
  let cancel = false;
  const infos = () => pins.map((p) => ({ ...p.info }));

  const dispose = (p: Pin) => {
    try {
      p.built?.model.dispose();
    } catch {
      /* a lost GPU cannot free its memory */
    }
    p.built = null;
  };

  /** The pin's model on the current backend (built from the weights' copy when needed). */
  const modelOf = (p: Pin): tfjs.LayersModel => {
    const backend = tf.getBackend();
    if (p.built?.backend === backend) return p.built.model;
    dispose(p);
    const data = ctx.data()!;
    const c = compileForData(p.graph, data);
    const tensors = p.weights.map((w) => tf.tensor(w.values, w.shape));
    try {
      c.model.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
    p.built = { backend, model: c.model };
    return c.model;
  };

  const fits = (p: Pin): string | null => {
    const data = ctx.data()!;
    if (p.info.dataset !== ctx.dataName()) return `pinned with ${p.info.dataset}, the dataset now is ${ctx.dataName()}`;
    if (p.shape.join('×') !== data.shape.join('×') || p.classes !== data.classes.length) return 'its input or classes do not fit the dataset now';
    return null;
  };

  return {
    async sweepProbe(graph, kind, values, limit = 500, onProgress) {
      const data = ctx.data();
      if (!data) throw new Error('Choose a dataset first.');
      if (!isTransformKind(kind)) throw new Error(`Unknown transform "${String(kind)}".`);
      const spec = TRANSFORM_SPECS[kind];
      const vals = values.filter((v) => Number.isFinite(v) && (kind !== 'scale' || v > 0));
      if (!vals.length) throw new Error(`Give at least one ${spec.label.toLowerCase()} value${kind === 'scale' ? ' above 0' : ''}.`);
      const current = ctx.compiled(graph).model;
      const count = evaluationCount(data, limit);

      // The probe: its true class, or for a drawing (no label) the current model's prediction at identity.
      const raw = ctx.rawProbeImage();
      let target: number | null = ctx.probeLabel();
      let targetFrom: SweepResult['targetFrom'] = target === null ? null : 'label';
      if (raw && target === null) {
        const p = tf.tidy(() => (current.predict(tf.tensor4d(raw, [1, ...data.shape])) as tfjs.Tensor).argMax(1));
        target = (await p.data())[0]!;
        p.dispose();
        targetFrom = 'prediction';
      }
      const probe = raw && target !== null ? { image: raw, label: target } : undefined;

      const skipped: SweepResult['skipped'] = [];
      const models: { id: string; label: string; model: tfjs.LayersModel }[] = [{ id: 'current', label: `${graph.name} (now)`, model: current }];
      for (const p of pins) {
        const why = fits(p);
        if (why) skipped.push({ id: p.info.id, label: p.info.label, reason: why });
        else models.push({ id: p.info.id, label: p.info.label, model: modelOf(p) });
      }

      cancel = false;
      const total = vals.length * models.length;
      let done = 0;
      const series: SweepSeries[] = models.map((m) => ({ id: m.id, label: m.label, points: [] }));
      // One value at a time for every model, yielding in between (a Cancel can be read), so the
      // curves grow together and progress is honest.
      outer: for (const value of vals) {
        for (let i = 0; i < models.length; i++) {
          if (cancel) break outer;
          const [point] = await sweep(tf, models[i]!.model, data, kind, [value], { limit: count, probe });
          series[i]!.points.push(point!);
          done++;
          if (onProgress) void Promise.resolve(onProgress(done, total)).catch(() => undefined);
          await new Promise((r) => setTimeout(r, 0));
        }
      }
      const cancelled = cancel;
      cancel = false;
      return { kind, values: vals, count, target, targetFrom, series, skipped, cancelled };
    },

    cancelSweep() {
      cancel = true;
    },

    async pinModel(graph, label) {
      const data = ctx.data();
      if (!data) throw new Error('Choose a dataset first.');
      if (pins.length >= MAX_PINNED) throw new Error(`At most ${MAX_PINNED} models can be kept: remove one first.`);
      const model = ctx.compiled(graph).model;
      const ws = model.getWeights();
      const weights = await Promise.all(ws.map(async (w) => ({ shape: w.shape.slice(), values: Float32Array.from((await w.data()) as Float32Array) })));
      const params = model.countParams();
      const name = label.trim() || `${graph.name} #${nextId}`;
      pins.push({
        info: { id: `pin-${nextId++}`, label: name, dataset: ctx.dataName(), params },
        graph: structuredClone(graph),
        shape: [...data.shape],
        classes: data.classes.length,
        weights,
        built: null,
      });
      return infos();
    },

    async pinnedModels() {
      return infos();
    },

    async unpinModel(id) {
      const gone = pins.filter((p) => p.info.id === id);
      gone.forEach(dispose);
      pins = pins.filter((p) => p.info.id !== id);
      return infos();
    },

    async transformedProbe() {
      return ctx.probeImage();
    },
  };
}
