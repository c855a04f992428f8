/**
 * ONNX export: `model.onnx`, the graph as an ONNX model (opset 13, IR version 8) with its weights.
 *
 * The model's input is named "input", float32 N×C×H×W with a dynamic batch ("N"); its output
 * "output", N×C×H×W for maps and N×C for vectors. Each operator is named after the graph node it
 * comes from (the one writing the node's result carries the id itself, helpers "<id>/<op>"), and
 * the graph file travels in the model's metadata_props ("layerlab.graph", plus
 * "layerlab.version", the graph format version), so the model can be opened in LayerLab again.
 *
 * Each node type describes its own operators (NodeDef.onnx, see nodes/types.ts and
 * nodes/onnx-ops.ts); this module walks the graph in order, converts the weights and writes the
 * protobuf with onnx-proto (ONNX's own schema). Pure TypeScript: runs in the browser and in Node.
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import type { OnnxAttr, OnnxContext, OnnxOp, OnnxTensorSpec, Shape } from '../../nodes/types';
import { serializeGraph } from '../graph/serialize';
import type { GraphDoc } from '../graph/types';
import { codeGraph, type CodeNode } from './codegraph';
import { checkPoolUsed, fmtShape, takeWeight, weightPool } from './take-weight';
import type { ExportFile, NamedWeight } from './types';

const { onnx } = onnxProto;

export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 8;
export const ONNX_FILE = 'model.onnx';
/** metadata_props keys. */
export const ONNX_GRAPH_KEY = 'layerlab.graph';
export const ONNX_VERSION_KEY = 'layerlab.version';
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'output';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;


/** The ONNX (NCHW) shape of a per-sample TensorFlow shape, batch first. */
export function onnxShape(s: Shape): (number | 'N')[] {
  return ['N', ...(s.length === 3 ? [s[2]!, s[0]!, s[1]!] : s)];
}

function attribute(name: string, v: OnnxAttr): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`internal: ONNX attribute ${name} = ${v} is not an integer (write { float: ${v} })`);
    return { name, type: T.INT, i: v };
  }
  if (Array.isArray(v)) return { name, type: T.INTS, ints: [...(v as number[])] };
  return { name, type: T.FLOAT, f: (v as { float: number }).float };
}

function valueInfo(name: string, shape: (number | 'N')[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => (d === 'N' ? { dimParam: 'N' } : { dimValue: d })) } } },
  };
}

const bytesOf = (a: Float32Array | BigInt64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** One initializer from a node's tensor spec, reading (and consuming) its tfjs weight from `byName`. */
function initializer(n: CodeNode, spec: OnnxTensorSpec, byName: Map<string, NamedWeight>): OnnxTypes.ITensorProto {
  if ('int64' in spec) {
    return { name: spec.name, dataType: INT64, dims: spec.shape, rawData: bytesOf(BigInt64Array.from(spec.int64, (x) => BigInt(x))) };
  }
  if ('float' in spec) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = typeof spec.float === 'number' ? new Float32Array(size).fill(spec.float) : Float32Array.from(spec.float);
    if (data.length !== size) throw new Error(`internal: constant ${spec.name} has ${data.length} values for shape ${fmtShape(spec.shape)}`);
    return { name: spec.name, dataType: FLOAT, dims: spec.shape, rawData: bytesOf(data) };
  }
  const layout = n.def.weights?.(n.ctx.inputs, n.params as never).find((w) => w.name === spec.tf);
  if (!layout) throw new Error(`internal: ${n.def.type}'s ONNX tensor ${spec.name} reads tfjs weight "${spec.tf}", which its layout lacks`);
  const t = takeWeight(n, { tf: spec.tf, shape: layout.shape, permute: spec.permute, reshape: spec.reshape }, byName, 'ONNX');
  // rawData is little-endian float32, as Float32Array is on every platform LayerLab runs on; encoding
  // copies it, so the model never aliases the caller's arrays.
  return { name: spec.name, dataType: FLOAT, dims: t.shape, rawData: bytesOf(t.data) };
}

/** The ONNX ModelProto of the graph with these weights (tfjs names and layouts). */
export function onnxModelProto(doc: GraphDoc, weights: NamedWeight[]): OnnxTypes.ModelProto {
  const g = codeGraph(doc, 'ONNX');
  const byName = weightPool(weights, 'ONNX');
  // Tensor names: the input node's is "input", the output node's "output", every other node's
  // its id (ids are [A-Za-z0-9_-]+, so "<id>/…" names never clash with them), unless the id
  // itself is one of the two reserved names.
  const tensorOf = new Map<string, string>();
  for (const n of g.nodes) {
    tensorOf.set(n.id, n === g.input ? ONNX_INPUT : n === g.output ? ONNX_OUTPUT : n.id === ONNX_INPUT || n.id === ONNX_OUTPUT ? `${n.id}/out` : n.id);
  }
  const nodes: OnnxTypes.INodeProto[] = [];
  const inits: OnnxTypes.ITensorProto[] = [];
  for (const n of g.nodes) {
    if (n.def.role === 'input') continue;
    const ctx: OnnxContext = {
      ...n.ctx,
      args: n.sources.map((s) => tensorOf.get(s)!),
      out: tensorOf.get(n.id)!,
      name: (suffix) => `${n.id}/${suffix}`,
    };
    const spec = n.def.onnx(n.params as never, ctx);
    const last = spec.ops.findLastIndex((op) => op.outputs.includes(ctx.out));
    if (last < 0) throw new Error(`internal: ${n.def.type}'s ONNX operators never write ${ctx.out}`);
    const used = new Map<string, number>();
    spec.ops.forEach((op: OnnxOp, i) => {
      let name = n.id;
      if (i !== last) {
        const k = (used.get(op.op) ?? 0) + 1;
        used.set(op.op, k);
        name = `${n.id}/${op.op}${k > 1 ? `_${k}` : ''}`;
      }
      nodes.push({
        name,
        opType: op.op,
        input: [...op.inputs],
        output: [...op.outputs],
        attribute: Object.entries(op.attrs ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [attribute(k, v)])),
      });
    });
    for (const t of spec.tensors ?? []) inits.push(initializer(n, t, byName));
  }
  // A graph that is only its input (the model passes the image through).
  if (g.output === g.input) nodes.push({ name: g.input.id, opType: 'Identity', input: [ONNX_INPUT], output: [ONNX_OUTPUT], attribute: [] });
  checkPoolUsed(byName, 'ONNX');
  return onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'LayerLab',
    producerVersion: String(doc.version),
    docString: doc.description,
    graph: {
      name: doc.name || 'layerlab',
      node: nodes,
      initializer: inits,
      input: [valueInfo(ONNX_INPUT, onnxShape(g.input.ctx.output))],
      output: [valueInfo(ONNX_OUTPUT, onnxShape(g.output.ctx.output))],
    },
    metadataProps: [
      { key: ONNX_GRAPH_KEY, value: serializeGraph(doc) },
      { key: ONNX_VERSION_KEY, value: String(doc.version) },
    ],
  });
}

/** The model.onnx bytes of the graph with these weights (tfjs names and layouts, e.g. "c1/kernel"). */
export function onnxModel(doc: GraphDoc, weights: NamedWeight[]): Uint8Array {
  return onnx.ModelProto.encode(onnxModelProto(doc, weights)).finish();
}

/** The ONNX export's files: [{ name: 'model.onnx', data }]. */
export function onnxFiles(doc: GraphDoc, weights: NamedWeight[]): ExportFile[] {
  return [{ name: ONNX_FILE, data: onnxModel(doc, weights) }];
}

/** The graph file stored in an exported model's metadata_props, or null when it has none. */
export function onnxGraphText(bytes: Uint8Array): string | null {
  const m = onnx.ModelProto.decode(bytes);
  return m.metadataProps.find((p) => p.key === ONNX_GRAPH_KEY)?.value ?? null;
}
