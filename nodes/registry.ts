/**
 * Every node type LayerLab knows, in palette order. Adding a layer type means adding one
 * definition file (plus its test) and one line here.
 */
import activation from './activation';
import add from './add';
import averagePooling2d from './averagePooling2d';
import batchNormalization from './batchNormalization';
import concatenate from './concatenate';
import conv2d from './conv2d';
import conv2dTranspose from './conv2dTranspose';
import cropping2d from './cropping2d';
import dense from './dense';
import depthwiseConv2d from './depthwiseConv2d';
import dropout from './dropout';
import flatten from './flatten';
import globalAveragePooling2d from './globalAveragePooling2d';
import globalMaxPooling2d from './globalMaxPooling2d';
import input from './input';
import maxPooling2d from './maxPooling2d';
import upSampling2d from './upSampling2d';
import zeroPadding2d from './zeroPadding2d';
import type { NodeDef } from './types';

export const NODE_DEFS: readonly NodeDef[] = [
  input,
  conv2d,
  depthwiseConv2d,
  conv2dTranspose,
  maxPooling2d,
  averagePooling2d,
  globalAveragePooling2d,
  globalMaxPooling2d,
  zeroPadding2d,
  cropping2d,
  upSampling2d,
  batchNormalization,
  activation,
  dropout,
  flatten,
  dense,
  add,
  concatenate,
];

const byType = new Map<string, NodeDef>(NODE_DEFS.map((d) => [d.type, d]));

/** The definition for a type name, or undefined (safe for hostile names such as "__proto__"). */
export function getNodeDef(type: string): NodeDef | undefined {
  return byType.get(type);
}

export const NODE_TYPES: readonly string[] = NODE_DEFS.map((d) => d.type);
