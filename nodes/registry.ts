/**
 * Every node type LayerLab knows, in palette order. Adding a layer type means adding one
 * definition file (plus its test) and one line here.
 */
import add from './add';
import conv2d from './conv2d';
import dense from './dense';
import input from './input';
import type { NodeDef } from './types';

export const NODE_DEFS: readonly NodeDef[] = [input, conv2d, dense, add] as unknown as NodeDef[];

const byType = new Map<string, NodeDef>(NODE_DEFS.map((d) => [d.type, d]));

/** The definition for a type name, or undefined (safe for hostile names such as "__proto__"). */
export function getNodeDef(type: string): NodeDef | undefined {
  return byType.get(type);
}

export const NODE_TYPES: readonly string[] = NODE_DEFS.map((d) => d.type);
