/// <reference lib="webworker" />
/**
 * A follower of data-parallel training (data-parallel.ts), started by the training worker
 * (worker.ts) when WASM runs in a cross-origin isolated page with several cores. It holds its own
 * TensorFlow.js (WASM), a copy of the training images and of the model, and trains its share of
 * every batch the leader posts through the shared buffer (trainer.ts' followTraining).
 *
 * Messages (FollowerMessage): 'init' starts WASM with the leader's threads per worker; 'data' hands
 * it the training split; 'run' one run's graph, settings, starting weights and buffer. Each is
 * answered with { ok: true, … } or { ok: false, error }.
 */
import * as tf from '@tensorflow/tfjs';
import type { GraphDoc } from '../graph/types';
import { initBackend } from './backend';
import { GradientExchange, type ExchangeSpec } from './data-parallel';
import { compileForData, followTraining, type TrainData, type TrainSettings } from './trainer';

export type FollowerData = Pick<TrainData, 'train' | 'shape' | 'task' | 'classes'>;

export type FollowerMessage =
  | { kind: 'init'; threads: number }
  | { kind: 'data'; version: number; data: FollowerData }
  | { kind: 'run'; graph: GraphDoc; settings: TrainSettings; weights: Float32Array[]; buffer: SharedArrayBuffer; spec: ExchangeSpec; rank: number };

/** Every message gets one reply; 'run' gets a 'ready' first, when the follower waits for steps. */
export type FollowerReply = { ok: true; kind: FollowerMessage['kind'] | 'ready'; threads?: number; images?: number } | { ok: false; kind: FollowerMessage['kind']; error: string };

let data: FollowerData | null = null;

async function handle(m: FollowerMessage): Promise<FollowerReply> {
  switch (m.kind) {
    case 'init': {
      const info = await initBackend(['wasm'], { wasmThreads: m.threads });
      if (info.name !== 'wasm') return { ok: false, kind: m.kind, error: `WASM did not start in the second training worker (${info.tried.map((t) => t.reason).filter(Boolean).join('; ')})` };
      return { ok: true, kind: m.kind, threads: info.wasmThreads?.threads ?? 1 };
    }
    case 'data':
      data = m.data;
      return { ok: true, kind: m.kind };
    case 'run': {
      if (!data) return { ok: false, kind: m.kind, error: 'no training data' };
      const compiled = compileForData(m.graph, data);
      try {
        const ws = compiled.model.getWeights();
        if (ws.length !== m.weights.length) throw new Error('the leader sent weights for another model');
        const tensors = ws.map((w, i) => tf.tensor(m.weights[i]!, w.shape, 'float32'));
        compiled.model.setWeights(tensors);
        tf.dispose(tensors);
        const exchange = new GradientExchange(m.buffer, m.spec, m.rank);
        // Ready: the leader starts posting steps after this answer.
        postMessage({ ok: true, kind: 'ready' } satisfies FollowerReply);
        const images = await followTraining(tf, compiled, data, m.settings, exchange);
        return { ok: true, kind: m.kind, images };
      } finally {
        compiled.model.dispose();
      }
    }
  }
}

self.onmessage = (e: MessageEvent<FollowerMessage>) => {
  handle(e.data).then(
    (reply) => postMessage(reply),
    (err: unknown) => postMessage({ ok: false, kind: e.data.kind, error: err instanceof Error ? err.message : String(err) } satisfies FollowerReply),
  );
};
