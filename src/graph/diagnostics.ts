/**
 * Every graph diagnostic LayerLab produces, in one coded table (xyflow style): the code is
 * stable for tools and tests, the text is written for a learner.
 */
import type { Diagnostic, Severity } from './types';

/** "a, b, c" — long lists are cut so a message stays readable. */
const list = (ids: readonly string[], max = 8) =>
  ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')} and ${ids.length - max} more`;

export const MESSAGES = {
  'duplicate-id': (id: string) => `Two nodes share the id "${id}"; every node needs its own id.`,
  'unknown-type': (id: string, type: string) => `${id}: unknown node type "${type}".`,
  'bad-param': (id: string, message: string) => `${id}: ${message}.`,
  'edge-unknown-node': (id: string, end: 'from' | 'to') =>
    `A wire ${end === 'from' ? 'comes from' : 'goes to'} "${id}", but there is no node with that id.`,
  'edge-bad-port': (id: string, port: string, title: string, ports: readonly string[]) =>
    ports.length
      ? `A wire goes into ${id}.${port}, but ${title} "${id}" only has ${ports.length === 1 ? 'the input' : 'the inputs'} ${list(ports)}.`
      : `A wire goes into ${id}, but ${title} nodes take no input.`,
  'edge-bad-output': (id: string, port: string) => `A wire leaves ${id}.${port}, but nodes have a single output "out".`,
  'duplicate-edge': (from: string, to: string) => `The wire from ${from} to ${to} is drawn twice.`,
  'port-taken': (id: string, port: string, sources: readonly string[]) =>
    `${id}.${port} has ${sources.length} incoming wires (from ${list(sources)}); an input takes exactly one. Use Add or Concatenate to merge them.`,
  'dangling-input': (id: string, port: string, title: string, single: boolean) =>
    single ? `${id}: this ${title} node's input is not connected.` : `${id}: input ${port} of this ${title} node is not connected.`,
  'no-input': () => 'The graph has no Input node: add one so the network knows the image size.',
  'several-inputs': (ids: readonly string[]) => `Only one Input node is allowed, but there are ${ids.length}: ${list(ids)}.`,
  'several-outputs': (ids: readonly string[]) =>
    `The graph has ${ids.length} outputs (${list(ids)}): a model needs exactly one node that feeds nothing. Connect or delete the others.`,
  'no-output': () => 'The graph has no output: every node feeds another one, so there is nowhere for the prediction to come out.',
  cycle: (path: readonly string[]) =>
    `These nodes form a cycle: ${path.join(' → ')}. Data must flow one way from the input to the output.`,
  shape: (id: string, message: string) => `${id}: ${message}`,
  'tensor-too-large': (id: string, shape: string) => `${id}: the output ${shape} is too large to hold in a browser.`,
  'model-too-large': (count: string) => `The model has ${count} weights, too many for a browser.`,
  lint: (id: string, message: string) => `${id}: ${message}`,
  'softmax-inside': (id: string, next: readonly string[]) =>
    `${id}: softmax turns values into probabilities, which belongs at the output; here it feeds ${list(next)}. Use relu inside the network.`,
  'output-not-vector': (id: string, shape: string) =>
    `The output ${id} is ${shape}; a classifier ends with one score per class. Add Flatten (or global pooling) and a Dense layer.`,
  /** `hasActivation`: the node has an activation param that can be set to softmax; otherwise a layer must be added. */
  'output-no-softmax': (id: string, title: string, hasActivation: boolean) =>
    hasActivation
      ? `The output ${id} has no softmax, so its values are not class probabilities. Set its activation to softmax.`
      : `The output ${id} has no softmax, so its values are not class probabilities. A ${title} node has no activation of its own: ` +
        `add a Dense layer after it with one unit per class and activation softmax (or an Activation node set to softmax).`,
  /** `size`: the input's height×width; `ends`: what the output is, in words ("10 numbers", "a 14×14×2 map"). */
  'segmentation-output-size': (id: string, size: string, ends: string) =>
    `A segmentation network must end in a map the size of its input (${size}) with one channel per class; this one ends in ${ends} (${id}). ` +
    `Bring the map back to ${size} (Up Sampling 2D or Conv 2D Transpose, no Flatten or Dense at the end) and finish with a 1×1 Conv 2D of one filter per class.`,
  /** `settable`: the node has an activation param; otherwise an Activation node must be added. */
  'segmentation-output-activation': (id: string, channels: number, activation: string, settable: boolean) => {
    const wanted = channels === 1 ? 'sigmoid' : 'softmax';
    const fix = settable ? `Set it to ${wanted}.` : `Add an Activation node set to ${wanted} after it.`;
    return channels === 1
      ? `The output ${id} has one channel, so it can tell two classes apart (object or background) only through sigmoid, but its activation is ${activation}. ${fix}`
      : `The output ${id} gives ${channels} scores per pixel, one per class; softmax turns them into each pixel's class probabilities, but its activation is ${activation}. ${fix}`;
  },
  'detection-output-grid': (id: string, ends: string) =>
    `A detection network must end in a grid: a rows×columns map with 5 + K channels per cell (objectness, the box's centre x, y, width and height, then one score per class); ` +
    `this one ends in ${ends} (${id}). Finish with a Conv 2D of 5 + K filters and no Flatten or Dense at the end.`,
  'detection-output-activation': (id: string, activation: string) =>
    `The output ${id} has activation ${activation}, but a detection grid gives raw scores: the loss turns objectness and the box into fractions and the class scores into probabilities itself. Set it to linear.`,
  internal: (id: string, message: string) => `${id}: LayerLab could not work this node out (${message}).`,
} as const;

export type DiagnosticCode = keyof typeof MESSAGES;

export function diagnostic(
  code: DiagnosticCode,
  severity: Severity,
  nodeIds: readonly string[],
  message: string,
  param?: string,
): Diagnostic {
  return {
    code,
    severity,
    ...(nodeIds[0] !== undefined ? { nodeId: nodeIds[0] } : {}),
    nodeIds: [...nodeIds],
    ...(param !== undefined ? { param } : {}),
    message,
  };
}
