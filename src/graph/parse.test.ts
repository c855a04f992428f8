import { describe, expect, it } from 'vitest';
import { BAD_GRAPHS, chainText, graphText } from '../../fixtures/bad-graphs';
import { analyzeGraph } from './analyze';
import { migrate } from './migrate';
import { parseGraph, parseGraphText } from './parse';

describe('the corpus of bad files', () => {
  it.each(BAD_GRAPHS.map((b) => [b.name, b] as const))('%s gives its clear message', (_name, bad) => {
    const parsed = parseGraphText(bad.text());
    if (bad.exit === 2) {
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(bad.message);
      return;
    }
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const analysis = analyzeGraph(parsed.doc);
    expect(analysis.ok).toBe(false);
    const hit = analysis.diagnostics.find((d) => bad.message.test(d.message));
    expect(hit, analysis.diagnostics.map((d) => d.message).join('\n')).toBeDefined();
    expect(hit!.severity).toBe('error');
    expect(hit!.code).toBe(bad.code);
    expect(hit!.nodeId).toBe(bad.nodeId);
  });

  it('never pollutes Object.prototype', () => {
    for (const bad of BAD_GRAPHS.filter((b) => /__proto__|constructor/.test(b.name))) parseGraphText(bad.text());
    const text = '{"format":"layerlab-graph","version":1,"nodes":[{"id":"a","type":"input","params":{"__proto__":{"polluted":true}}}],"edges":[]}';
    parseGraph(JSON.parse(text));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('names the offending path of structural errors', () => {
    const r = parseGraphText(graphText([{ id: 'image', type: 'input', position: ['left', 0] as never }], []));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/nodes\[0\]\.position\[0\]/);
  });

  it('accepts a large graph under the limits and analyses it without recursion limits', () => {
    const r = parseGraphText(chainText(4_000));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const a = analyzeGraph(r.doc);
    expect(a.ok).toBe(true);
    expect(a.order).toHaveLength(4_000);
    expect(a.outputId).toBe('n3999');
  });
});

describe('parse', () => {
  it('fills in defaults for optional envelope fields and copies nothing it does not know', () => {
    const r = parseGraphText('{"format":"layerlab-graph","version":2,"nodes":[{"id":"image","type":"input"}],"edges":[]}');
    expect(r).toEqual({
      ok: true,
      doc: { format: 'layerlab-graph', version: 2, name: 'Untitled', description: '', nodes: [{ id: 'image', type: 'input', params: {} }], edges: [] },
    });
  });

  it('opens a version 1 file unchanged as version 2 (blocks and locks came with version 2)', () => {
    const v1 = '{"format":"layerlab-graph","version":1,"nodes":[{"id":"image","type":"input"}],"edges":[]}';
    expect(parseGraphText(v1)).toEqual({
      ok: true,
      migratedFrom: 1,
      doc: { format: 'layerlab-graph', version: 2, name: 'Untitled', description: '', nodes: [{ id: 'image', type: 'input', params: {} }], edges: [] },
    });
    const bad = parseGraphText('{"format":"layerlab-graph","version":1,"nodes":[],"edges":[],"blocks":[]}');
    expect(bad).toMatchObject({ ok: false, message: expect.stringMatching(/version 1 graph file cannot have "blocks"/) });
  });

  it('migrates older versions forward through every step', () => {
    // A hypothetical history: version 1 named the input param "size", version 2 "shape".
    const migrations = {
      1: (doc: Record<string, unknown>) => ({
        ...doc,
        nodes: (doc.nodes as { params?: Record<string, unknown> }[]).map((n) => {
          const { size, ...rest } = n.params ?? {};
          return { ...n, params: size === undefined ? rest : { ...rest, shape: size } };
        }),
      }),
    };
    const old = { format: 'layerlab-graph', version: 1, nodes: [{ id: 'image', type: 'input', params: { size: [8, 8, 1] } }], edges: [] };
    const up = migrate(old, migrations, 2);
    expect(up).toEqual({ ok: true, from: 1, doc: { ...old, version: 2, nodes: [{ id: 'image', type: 'input', params: { shape: [8, 8, 1] } }] } });
    expect(migrate({ version: 3 }, migrations, 2)).toMatchObject({ ok: false, message: expect.stringMatching(/newer LayerLab/) });
    expect(migrate({ version: 0 }, migrations, 2)).toMatchObject({ ok: false });
  });
});
