/**
 * The node catalogue as Markdown, generated from the node definitions (README "Node catalogue").
 * `npx tsx scripts/gen-docs.ts` writes it into README.md; a test checks the README is current.
 */
import { resolveParams } from '../../nodes/params';
import { NODE_DEFS } from '../../nodes/registry';
import type { NodeDef, OnnxAttr, OnnxContext, OnnxNodeSpec, OnnxOp, ParamSpec, Shape } from '../../nodes/types';

function range(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'int':
      return `whole number ${spec.min}–${spec.max}`;
    case 'float':
      return `number ${spec.minExclusive ? '>' : '≥'} ${spec.min}, ${spec.maxExclusive ? '<' : '≤'} ${spec.max}`;
    case 'bool':
      return 'true / false';
    case 'enum':
      return spec.options.map((o) => `\`${o}\``).join(', ');
    case 'pair':
      return `n or [h, w], ${spec.min}–${spec.max}${spec.nullable ? ', or null' : ''}`;
    case 'shape':
      return `[h, w, c] up to [${spec.max.join(', ')}]`;
    case 'padding2d':
      return `n, [h, w] or [[top, bottom], [left, right]], ${spec.min}–${spec.max}`;
  }
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

// ---------------------------------------------------------------------------------------------
// How each node type is exported, derived by running its own `keras`, `pytorch` and `onnx` members
// on a probe: its default parameters on a small input (a vector when the node takes one, else a
// map), then each choice of its option and true/false parameters, and the other input rank.

export const PROBE_ID = 'n';
export const PROBE_VECTOR: Shape = [16];
export const PROBE_MAP: Shape = [8, 8, 3];

export interface Probe {
  params: Record<string, unknown>;
  inputs: Shape[];
  output: Shape;
}

/** The node with these raw params on inputs of this per-sample shape, or null when it rejects them. */
export function probe(def: NodeDef, raw: Record<string, unknown>, shape: Shape): Probe | null {
  const { params, problems } = resolveParams(def, raw);
  if (problems.length) return null;
  const n = def.role === 'merge' ? (params.inputs as number) : def.role === 'input' ? 0 : 1;
  const inputs = Array.from({ length: n }, () => shape);
  try {
    return { params, inputs, output: def.inferShape(inputs, params as never) };
  } catch {
    return null;
  }
}

/** The node's default probe: on a vector when it takes one, else on a map. */
export function defaultProbe(def: NodeDef): Probe | null {
  return probe(def, {}, PROBE_VECTOR) ?? probe(def, {}, PROBE_MAP);
}

const args = (n: number) => (n === 1 ? ['x'] : Array.from({ length: n }, (_, i) => `x${i}`));
const exportCtx = (pr: Probe) => ({ id: PROBE_ID, inputs: pr.inputs, output: pr.output });

/** The node's ONNX form for a probe (what src/export/onnx.ts writes), or the error it raises. */
export function probeOnnx(def: NodeDef, pr: Probe): OnnxNodeSpec | Error {
  const ctx: OnnxContext = { ...exportCtx(pr), args: args(pr.inputs.length), out: 'y', name: (s) => `${PROBE_ID}/${s}` };
  try {
    return def.onnx(pr.params as never, ctx);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

const fmtAttr = (v: OnnxAttr): string =>
  typeof v === 'number' ? String(v) : typeof v === 'string' ? `"${v}"` : Array.isArray(v) ? `[${v.join(', ')}]` : String((v as { float: number }).float);
const attrEntries = (op: OnnxOp) => Object.entries(op.attrs ?? {}).filter((e): e is [string, OnnxAttr] => e[1] !== undefined);
const sameAttr = (a: OnnxAttr | undefined, b: OnnxAttr | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** The op types in order, e.g. "`Conv` → `Relu`" ("no operator" for none). */
export function onnxOpTypes(spec: OnnxNodeSpec): string {
  return spec.ops.length ? spec.ops.map((o) => `\`${o.op}\``).join(' → ') : 'no operator';
}

/** The ops with their attributes; with `base`, only the attributes that differ from its op at the same place. */
function onnxOpsText(spec: OnnxNodeSpec, base?: OnnxNodeSpec): string {
  if (!spec.ops.length) return 'no operator';
  return spec.ops
    .map((op, i) => {
      const b = base?.ops[i]?.op === op.op ? base.ops[i] : undefined;
      const attrs = attrEntries(op).filter(([k, v]) => !b || !sameAttr(v, b.attrs?.[k]));
      return `\`${op.op}\`${attrs.length ? ` (${attrs.map(([k, v]) => `${k} ${fmtAttr(v)}`).join(', ')})` : ''}`;
    })
    .join(' → ');
}

const sameOnnx = (a: OnnxNodeSpec, b: OnnxNodeSpec) =>
  a.ops.length === b.ops.length && a.ops.every((op, i) => op.op === b.ops[i]!.op && JSON.stringify(op.attrs ?? {}) === JSON.stringify(b.ops[i]!.attrs ?? {}));

/** Where the node's constants come from: its tfjs weights (axes moved, reshaped) or fixed values. */
function constantsText(spec: OnnxNodeSpec): string {
  return (spec.tensors ?? [])
    .map((t) => {
      const name = `\`${t.name.replace(`${PROBE_ID}/`, '')}\``;
      if ('tf' in t) {
        return `${name} ← tfjs \`${t.tf}\`${t.permute ? ` with axes [${t.permute.join(', ')}]` : ''}${t.reshape ? ` reshaped to [${t.reshape.join(', ')}]` : ''}`;
      }
      const v = 'int64' in t ? t.int64 : t.float;
      return `${name} = ${typeof v === 'number' ? v : `[${v.join(', ')}]`}${'int64' in t ? ' (int64)' : ''}`;
    })
    .join('; ');
}

/** A 'same' padding whose pads are uneven (the odd one at the end), found by trying small inputs and strides. */
function unevenSamePads(def: NodeDef): { size: number; strides: number; op: OnnxOp; pads: readonly number[] } | null {
  const padding = def.params.padding;
  if (padding?.kind !== 'enum' || !padding.options.includes('same')) return null;
  const stridesList = def.params.strides?.kind === 'pair' ? [2, 1] : [undefined];
  for (const size of [8, 7]) {
    for (const strides of stridesList) {
      const pr = probe(def, { padding: 'same', ...(strides && { strides }) }, [size, size, 3]);
      const spec = pr && probeOnnx(def, pr);
      if (!spec || spec instanceof Error) continue;
      for (const op of spec.ops) {
        const pads = op.attrs?.pads as readonly number[] | undefined;
        if (pads && (pads[0] !== pads[2] || pads[1] !== pads[3])) return { size, strides: (pr.params.strides as number[] | null)?.[0] ?? 0, op, pads };
      }
    }
  }
  return null;
}

/** The ONNX lines of a node's catalogue entry (Markdown list items). */
export function onnxMarkdown(def: NodeDef): string[] {
  const base = defaultProbe(def);
  const spec = base && probeOnnx(def, base);
  if (!base || !spec) return ['- ONNX: no default form (the node rejects both probe inputs).'];
  if (spec instanceof Error) return [`- ONNX: not exported at the defaults (${cell(spec.message)}).`];
  if (!spec.ops.length) return ["- ONNX: no operator (an input node's tensor is the model's input, N×C×H×W float32 with a dynamic batch)."];
  const out: string[] = [];
  const consts = constantsText(spec);
  out.push(`- ONNX: ${onnxOpsText(spec)}${consts ? `; constants: ${consts}` : ''}`);
  const seen: OnnxNodeSpec[] = [spec];
  const shape = base.inputs[0]!;
  for (const [key, p] of Object.entries(def.params)) {
    const values = p.kind === 'enum' ? p.options.filter((o) => o !== p.default) : p.kind === 'bool' ? [!p.default] : [];
    const items: string[] = [];
    for (const v of values) {
      const pr = probe(def, { [key]: v }, shape);
      if (!pr) continue;
      const s = probeOnnx(def, pr);
      if (s instanceof Error) items.push(`\`${v}\`: not exported (${cell(s.message)})`);
      else if (!sameOnnx(s, spec)) {
        seen.push(s);
        const baseNames = new Set((spec.tensors ?? []).map((t) => t.name));
        const consts = constantsText({ ops: [], tensors: (s.tensors ?? []).filter((t) => !baseNames.has(t.name)) });
        items.push(`\`${v}\` → ${onnxOpsText(s, spec)}${consts ? ` (constants: ${consts})` : ''}`);
      }
    }
    if (items.length) out.push(`  - \`${key}\`: ${items.join('; ')}`);
  }
  const other = shape.length === 1 ? PROBE_MAP : PROBE_VECTOR;
  const op = probe(def, {}, other);
  const os = op && probeOnnx(def, op);
  if (os && !(os instanceof Error) && !sameOnnx(os, spec)) {
    seen.push(os);
    out.push(`  - on a ${other.length === 1 ? 'vector (N×C)' : 'map (N×C×H×W)'}: ${onnxOpsText(os)}`);
  }
  const uneven = unevenSamePads(def);
  if (uneven) {
    out.push(
      `  - \`padding\` "same" is written as explicit \`pads\` [top, left, bottom, right] (no auto_pad), the odd one at the bottom/right as ` +
        `TensorFlow does: e.g. with strides ${uneven.strides} on an input of ${uneven.size}×${uneven.size}, \`${uneven.op.op}\` pads [${uneven.pads.join(', ')}].`,
    );
  }
  const ops = seen.flatMap((s) => s.ops);
  if (ops.some((o) => o.attrs?.count_include_pad === 0)) {
    out.push('  - `count_include_pad` 0: padded cells do not count in an average, as in TensorFlow (ONNX counts them by default).');
  }
  const perm = (p: number[]) => ops.some((o) => o.op === 'Transpose' && sameAttr(o.attrs?.perm, p));
  if (perm([0, 2, 3, 1])) {
    out.push(
      "  - `Transpose` perm [0, 2, 3, 1] turns the N×C×H×W map into TensorFlow's channels-last N×H×W×C, so what follows sees TensorFlow's (height, width, channels) order" +
        (perm([0, 3, 1, 2]) ? '; perm [0, 3, 1, 2] turns the result back to channels first.' : '.'),
    );
  }
  return out;
}

/** The Keras and PyTorch lines of a node's catalogue entry, at its defaults. */
function codeMarkdown(def: NodeDef, pr: Probe): string[] {
  const ctx = exportCtx(pr);
  const module = def.pytorch.module(pr.params as never, ctx);
  const forward = def.pytorch
    .forward(pr.params as never, { ...ctx, args: args(pr.inputs.length), module: `self.${PROBE_ID}`, out: 'y' })
    .filter((f) => !f.startsWith('#'));
  return [
    `- Keras: \`${def.keras(pr.params as never, ctx)}\``,
    `- PyTorch: ${module ? `module \`${module}\`` : 'no module'}${forward.length ? `; forward ${forward.map((f) => `\`y = ${f}\``).join(', ')}` : ''}`,
  ];
}

const leading = (code: string) => code.match(/^[\w.]+(?=\()/)?.[0];

/** The top table's export columns: the Keras class, the PyTorch module class, the ONNX op types. */
function exportColumns(def: NodeDef): string[] {
  const pr = defaultProbe(def);
  if (!pr) return ['', '', ''];
  const ctx = exportCtx(pr);
  const keras = leading(def.keras(pr.params as never, ctx));
  const module = def.pytorch.module(pr.params as never, ctx);
  const torch = module ? leading(module) : undefined;
  const spec = probeOnnx(def, pr);
  return [keras ? `\`${keras}\`` : '', torch ? `\`${torch}\`` : 'in forward', spec instanceof Error ? 'not exported' : onnxOpTypes(spec)];
}

function probeText(def: NodeDef, pr: Probe): string {
  if (def.role === 'input') return '';
  const s = pr.inputs[0]!;
  const one = s.length === 1 ? `an N×${s[0]} vector` : `an N×${s[2]}×${s[0]}×${s[1]} map`;
  return ` on ${pr.inputs.length > 1 ? `${pr.inputs.length} inputs, each ${one.replace(/^an? /, '')}` : one}`;
}

export function catalogueMarkdown(defs: readonly NodeDef[] = NODE_DEFS): string {
  const out: string[] = [];
  out.push(
    '| type | node | category | what it does | Keras | PyTorch | ONNX (defaults) |',
    '|---|---|---|---|---|---|---|',
  );
  for (const d of defs) {
    out.push(`| \`${d.type}\` | ${d.title} | ${d.category} | ${cell(d.summary)} | ${exportColumns(d).map(cell).join(' | ')} |`);
  }
  out.push('');
  for (const d of defs) {
    out.push(`<details><summary><b>${d.title}</b> (<code>${d.type}</code>)</summary>`, '', cell(d.explain), '');
    const params = Object.entries(d.params);
    if (params.length) {
      out.push('| param | values | default | meaning |', '|---|---|---|---|');
      for (const [name, spec] of params) {
        out.push(`| \`${name}\` | ${cell(range(spec))} | \`${JSON.stringify(spec.default)}\` | ${cell(spec.doc)} |`);
      }
    } else {
      out.push('No parameters.');
    }
    if (d.role === 'merge') out.push('', 'Input ports `in0`, `in1`, … (one per `inputs`); operand order is port order.');
    const pr = defaultProbe(d);
    if (pr) {
      out.push('', `Export, at the defaults${probeText(d, pr)} (derived from the definition's \`keras\`, \`pytorch\` and \`onnx\`; ONNX maps are N×C×H×W):`, '');
      out.push(...codeMarkdown(d, pr), ...onnxMarkdown(d));
    }
    out.push('', '</details>', '');
  }
  return out.join('\n').trimEnd() + '\n';
}

export const CATALOGUE_START = '<!-- node-catalogue:start (generated by scripts/gen-docs.ts from nodes/; do not edit by hand) -->';
export const CATALOGUE_END = '<!-- node-catalogue:end -->';

/** README text with the catalogue section replaced by the current one. */
export function withCatalogue(readme: string): string {
  const start = readme.indexOf(CATALOGUE_START);
  const end = readme.indexOf(CATALOGUE_END);
  if (start < 0 || end < start) throw new Error('README.md has no node-catalogue markers');
  return readme.slice(0, start + CATALOGUE_START.length) + '\n' + catalogueMarkdown() + readme.slice(end);
}
