/**
 * Graphs the ONNX tests add to fixtures/export-graphs.ts (which already covers every node type and
 * the options that change exported code): odd and even sizes with "same" padding at several
 * strides, pooling windows whose "same" pads fall on both sides, up-sampling of odd sizes,
 * batch norm with both center and scale off, and nodes called "input" and "output" (the model's
 * own tensor names), and a graph that is only its input (a valid segmentation graph). Tests only.
 */
import { graphText } from '../../fixtures/bad-graphs';
import { parseGraphText } from '../graph/parse';
import type { GraphDoc } from '../graph/types';

type Node = { id: string; type: string; params?: Record<string, unknown> };

export interface OnnxCase {
  name: string;
  doc: GraphDoc;
  /** Input values are uniform in [-scale, scale]. */
  inputScale?: number;
}

function chain(name: string, shape: [number, number, number], nodes: Node[], extra: Record<string, unknown> = {}): OnnxCase {
  const all: Node[] = [{ id: 'image', type: 'input', params: { shape } }, ...nodes];
  const edges = all.slice(1).map((n, i) => ({ from: [all[i]!.id, 'out'] as [string, string], to: [n.id, 'in'] as [string, string] }));
  const r = parseGraphText(graphText(all, edges, extra));
  if (!r.ok) throw new Error(`${name}: ${r.message}`);
  return { name, doc: { ...r.doc, name } };
}

const conv = (id: string, params: Record<string, unknown>): Node => ({ id, type: 'conv2d', params: { filters: 3, ...params } });

export const ONNX_EXTRA_CASES: OnnxCase[] = [
  chain('only an input: the model passes the image through', [3, 4, 2], [], { training: { task: 'segmentation' } }),
  chain('nodes called input and output; leaky ReLU (default alpha); Dense on a map without bias, softmax over channels', [5, 4, 2], [
    conv('input', { kernelSize: 3, padding: 'same' }),
    { id: 'output', type: 'activation', params: { activation: 'leakyRelu' } },
    { id: 'last', type: 'dense', params: { units: 4, useBias: false, activation: 'softmax' } },
  ]),
  chain('conv2d: even sizes, same padding at strides 2 and 3, dilated valid', [8, 6, 2], [
    conv('c1', { kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    conv('c2', { filters: 4, kernelSize: [2, 3], strides: 3, padding: 'same' }),
    { id: 'pad', type: 'zeroPadding2d', params: { padding: [[2, 3], [3, 2]] } },
    conv('c3', { kernelSize: 2, dilationRate: 2, useBias: false, activation: 'relu' }),
  ]),
  chain('pooling: same padding at stride 1 (pads on both sides), even and odd windows', [6, 7, 2], [
    { id: 'max1', type: 'maxPooling2d', params: { poolSize: 4, strides: 1, padding: 'same' } },
    { id: 'avg1', type: 'averagePooling2d', params: { poolSize: [3, 4], strides: 1, padding: 'same' } },
    { id: 'avg2', type: 'averagePooling2d', params: { poolSize: 2, strides: [1, 2], padding: 'same' } },
  ]),
  chain('upSampling2d: odd sizes, both interpolations; depthwise stride 2 valid on an even map', [5, 3, 2], [
    { id: 'up1', type: 'upSampling2d', params: { size: 3, interpolation: 'bilinear' } },
    { id: 'up2', type: 'upSampling2d', params: { size: [1, 2] } },
    { id: 'dw', type: 'depthwiseConv2d', params: { kernelSize: 3, strides: 2, depthMultiplier: 2, activation: 'tanh' } },
  ]),
  chain('batchNormalization with center and scale both off, on a map and a vector', [4, 3, 3], [
    { id: 'bn1', type: 'batchNormalization', params: { center: false, scale: false, epsilon: 0.1 } },
    { id: 'gap', type: 'globalMaxPooling2d' },
    { id: 'bn2', type: 'batchNormalization', params: { center: false, scale: false } },
  ]),
];
