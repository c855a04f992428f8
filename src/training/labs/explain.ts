/**
 * The worker's side of "What the network looks at" (see context.ts and src/labs/explain.ts):
 * saliency or Grad-CAM on the probe image as the network sees it (with the invariance lab's
 * transform), and a channel's favourite input. Nothing runs until the page asks.
 */
import type { GraphDoc } from '../../graph/types';
import { explainImage, favouriteInput as findFavourite, type ExplainMethod, type ExplainResult, type FavouriteInput } from '../../labs/explain';
import type { WorkerContext } from './context';

export interface ExplainProbeResult extends ExplainResult {
  /** The image explained (h×w×c floats 0–1): the probe as the network saw it. */
  image: Float32Array;
  shape: [number, number, number];
}

export interface ExplainApi {
  /** Saliency or Grad-CAM (on `nodeId`, default the last conv) of the probe image, for `classIndex` (default: the predicted class). */
  explainProbe(graph: GraphDoc, opts: { method: ExplainMethod; nodeId?: string | null; classIndex?: number | null }): Promise<ExplainProbeResult>;
  /** The image that most excites channel `channel` of `nodeId` (gradient ascent from seeded noise). */
  favouriteInput(graph: GraphDoc, nodeId: string, channel: number, opts?: { steps?: number; seed?: number }): Promise<FavouriteInput>;
}

export function explainApi(ctx: WorkerContext): ExplainApi {
  return {
    async explainProbe(graph, opts) {
      const data = ctx.data();
      if (!data) throw new Error('Choose a dataset first.');
      const image = ctx.probeImage();
      if (!image) throw new Error('No image to look at.');
      const compiled = ctx.compiled(graph);
      const r = await explainImage(ctx.tf, compiled, image, data.shape, opts);
      return { ...r, image: image.slice(), shape: [...data.shape] as [number, number, number] };
    },
    async favouriteInput(graph, nodeId, channel, opts = {}) {
      const data = ctx.data();
      if (!data) throw new Error('Choose a dataset first.');
      return findFavourite(ctx.tf, ctx.compiled(graph), data.shape, { nodeId, channel, steps: opts.steps, seed: opts.seed });
    },
  };
}
