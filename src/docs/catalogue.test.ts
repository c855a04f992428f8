import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../nodes/params';
import { NODE_DEFS } from '../../nodes/registry';
import type { NodeDef, OnnxNodeSpec } from '../../nodes/types';
import { analyzeGraph } from '../graph/analyze';
import { parseGraphText } from '../graph/parse';
import { catalogueMarkdown, withCatalogue } from './catalogue';

const README = () => readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** A node's section of the catalogue: from its <details> line to the next </details>. */
function section(md: string, type: string): string {
  const start = md.indexOf(`(<code>${type}</code>)</summary>`);
  expect(start, `section of ${type}`).toBeGreaterThan(-1);
  return md.slice(start, md.indexOf('</details>', start));
}

/**
 * The node's ONNX operators at its default params, asked of the definition directly (not through
 * the catalogue's code): on an N×16 vector when the node takes one, else on an 8×8×3 map.
 */
function defaultOnnx(def: NodeDef): OnnxNodeSpec {
  const { params } = resolveParams(def, {});
  const n = def.role === 'merge' ? (params.inputs as number) : def.role === 'input' ? 0 : 1;
  for (const shape of [[16], [8, 8, 3]]) {
    const inputs = Array.from({ length: n }, () => shape);
    let output;
    try {
      output = def.inferShape(inputs, params as never);
    } catch {
      continue;
    }
    const args = Array.from({ length: n }, (_, i) => `a${i}`);
    return def.onnx(params as never, { id: 'q', inputs, output, args, out: 'out', name: (s) => `q/${s}` });
  }
  throw new Error(`${def.type} takes neither probe input`);
}

describe('the node catalogue in the README', () => {
  it('is generated from the current node definitions (run `npx tsx scripts/gen-docs.ts`)', () => {
    const readme = README();
    expect(withCatalogue(readme)).toBe(readme);
  });

  it("states each node's ONNX operators as its onnx() writes them at the defaults, in the README", () => {
    const readme = README();
    for (const d of NODE_DEFS) {
      const ops = defaultOnnx(d).ops.map((o) => `\`${o.op}\``).join(' → ') || 'no operator';
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${d.type}\` | ${d.title} |`));
      expect(row, `table row of ${d.type}`).toBeDefined();
      expect(row!.split('|').at(-2)!.trim(), `ONNX column of ${d.type}`).toBe(ops);
      const line = section(readme, d.type).split('\n').find((l) => l.startsWith('- ONNX: '));
      expect(line, `ONNX line of ${d.type}`).toBeDefined();
      // The op types of the line, in order, are the definition's (attributes in parentheses skipped).
      const listed = line!.replace(/;.*$/, '').replace(/\([^)]*\)/g, '').match(/`(\w+)`/g) ?? [];
      expect(listed.join(' → ') || 'no operator', `ONNX line of ${d.type}`).toBe(ops);
    }
  });

  it("goes stale when a node's ONNX operators change, so the README check above catches an unregenerated catalogue", () => {
    const readme = README();
    const changed = NODE_DEFS.map((d): NodeDef =>
      d.type !== 'flatten'
        ? d
        : { ...d, onnx: (p, ctx) => ({ ops: [{ op: 'Flatten', inputs: [ctx.args[0]!], outputs: [ctx.out], attrs: { axis: 1 } }] }) },
    );
    const md = catalogueMarkdown(changed);
    expect(md).not.toBe(catalogueMarkdown());
    expect(readme).toContain(catalogueMarkdown());
    expect(readme).not.toContain(md);
    expect(section(md, 'flatten')).not.toContain('Transpose');
  });

  it('names the ONNX traps where the definitions write them: uneven "same" pads, count_include_pad, the NHWC transpose', () => {
    const md = catalogueMarkdown();
    for (const d of NODE_DEFS) {
      const text = section(md, d.type);
      const ops = defaultOnnx(d).ops;
      expect(text.includes('`count_include_pad` 0: padded cells'), d.type).toBe(ops.some((o) => o.attrs?.count_include_pad === 0));
      if (ops.some((o) => o.op === 'Transpose' && JSON.stringify(o.attrs?.perm) === '[0,2,3,1]')) expect(text, d.type).toContain('channels-last N×H×W×C');
      const padding = d.params.padding;
      const same = padding?.kind === 'enum' && padding.options.includes('same');
      const example = text.match(/with strides (\d+) on an input of (\d+)×\d+, `(\w+)` pads \[([\d, ]+)\]/);
      if (same && d.type !== 'conv2dTranspose') {
        // A window op: TensorFlow's "same" by its formula, the extra row at the bottom (independent of nodes/codegen.ts).
        expect(example, `${d.type} shows an uneven "same" example`).not.toBeNull();
        const [s, n] = [Number(example![1]), Number(example![2])];
        const spec = (d.params.kernelSize ?? d.params.poolSize)!;
        const k = spec.default as number;
        const total = Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
        const top = Math.floor(total / 2);
        expect(example![4]!.split(', ').map(Number), d.type).toEqual([top, top, total - top, total - top]);
        expect(total % 2, d.type).toBe(1);
      }
      if (!same) expect(example, d.type).toBeNull();
    }
  });

  it('lists every node type and every parameter', () => {
    const md = catalogueMarkdown();
    for (const d of NODE_DEFS) {
      expect(md).toContain(`| \`${d.type}\` | ${d.title} |`);
      for (const p of Object.keys(d.params)) expect(md).toContain(`| \`${p}\` |`);
    }
  });
});

describe('the preset table in the README', () => {
  it('quotes each preset with its real parameter count', () => {
    const root = join(__dirname, '..', '..');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const file of readdirSync(join(root, 'presets')).filter((f) => f.endsWith('.json'))) {
      const r = parseGraphText(readFileSync(join(root, 'presets', file), 'utf8'));
      if (!r.ok) throw new Error(r.message);
      const total = analyzeGraph(r.doc).totals.params.toLocaleString('en-US');
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${file.replace(/\.json$/, '')}\` |`));
      expect(row, `README row for ${file}`).toBeDefined();
      expect(row!.split('|').at(-2)!.trim().split(' ')[0]).toBe(total);
    }
  });
});
