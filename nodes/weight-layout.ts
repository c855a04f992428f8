/**
 * Weight layouts, derived from the one statement in each node definition (`def.weights`, tfjs
 * layout): the tfjs weights of a node, checked against its parameter count, and its PyTorch
 * tensors with the tfjs shapes filled in. Pure TypeScript (no tfjs).
 */
import { product } from './shape';
import type { ExportContext, NodeDef, Shape, TfWeight, TorchWeight } from './types';

/**
 * The node's tfjs weights for these input shapes and (resolved) params, in the order tfjs creates
 * them; [] for a node without weights. Throws when the layout disagrees with the node's
 * `paramCount`, so a definition whose two statements drift apart fails loudly.
 */
export function tfWeights(def: NodeDef, inputs: readonly Shape[], params: Record<string, unknown>): TfWeight[] {
  const count = def.paramCount(inputs, params as never);
  const total = count.trainable + count.nonTrainable;
  if (!def.weights) {
    if (total !== 0) throw new Error(`LayerLab does not know the weight layout of ${def.title} (it counts ${total} parameters).`);
    return [];
  }
  const weights = def.weights(inputs, params as never);
  const sum = (trainable: boolean) => weights.filter((w) => w.trainable === trainable).reduce((s, w) => s + product(w.shape), 0);
  if (sum(true) !== count.trainable || sum(false) !== count.nonTrainable) {
    throw new Error(
      `The weight layout of ${def.title} gives ${sum(true)} trainable and ${sum(false)} non-trainable values but the node counts ` +
        `${count.trainable} and ${count.nonTrainable}.`,
    );
  }
  return weights;
}

/**
 * The node's PyTorch tensors in state_dict order, each from its definition's `pytorch.weights`
 * with the tfjs shape taken from `def.weights` (a constant keeps its own PyTorch shape).
 */
export function torchWeights(def: NodeDef, params: Record<string, unknown>, ctx: ExportContext): TorchWeight[] {
  const specs = def.pytorch.weights?.(params as never, ctx) ?? [];
  if (!specs.length) return [];
  const tf = new Map((def.weights?.(ctx.inputs, params as never) ?? []).map((w) => [w.name, w]));
  return specs.map((spec) => {
    if ('fill' in spec) return { torch: spec.torch, shape: [...spec.shape], fill: spec.fill };
    const w = tf.get(spec.tf);
    if (!w) throw new Error(`internal: ${def.type}'s PyTorch weight ${spec.torch} reads tfjs weight "${spec.tf}", which its layout lacks`);
    return { tf: spec.tf, torch: spec.torch, shape: [...w.shape], ...(spec.permute && { permute: spec.permute }), ...(spec.reshape && { reshape: spec.reshape }) };
  });
}
