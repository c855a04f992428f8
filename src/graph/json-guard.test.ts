import { describe, expect, it } from 'vitest';
import { BAD_GRAPHS } from '../../fixtures/bad-graphs';
import { checkJson, findJsonHazard, jsonHazardMessage, jsonPathText } from './json-guard';
import { LIMITS } from './limits';
import { parseGraphText } from './parse';

const nest = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

describe('the JSON guard shared by graph files and model files', () => {
  it('finds __proto__, constructor and prototype keys anywhere, with the path of their object', () => {
    expect(findJsonHazard(JSON.parse('{"a":[{"b":{"__proto__":{"x":1}}}]}'), 32)).toEqual({ kind: 'forbidden-key', key: '__proto__', path: ['a', 0, 'b'] });
    expect(findJsonHazard(JSON.parse('{"constructor":1}'), 32)).toEqual({ kind: 'forbidden-key', key: 'constructor', path: [] });
    expect(findJsonHazard(JSON.parse('[[{"prototype":null}]]'), 32)).toMatchObject({ key: 'prototype', path: [0, 0] });
    // Such words as values, or as parts of keys, are fine.
    expect(findJsonHazard(JSON.parse('{"name":"__proto__","constructors":["prototype"]}'), 32)).toBeUndefined();
    for (const primitive of [null, 1, 'x', true]) expect(findJsonHazard(primitive, 0)).toBeUndefined();
  });

  it('measures depth as the number of keys on the way: the top level is 0', () => {
    expect(findJsonHazard(nest(5), 5)).toBeUndefined();
    const h = findJsonHazard(nest(6), 4);
    expect(h).toEqual({ kind: 'too-deep', maxDepth: 4, path: [0, 'a', 0, 'a', 0] }); // nest(6) is [{a: [{a: [{a: 1}]}]}]
    expect(findJsonHazard({}, 0)).toBeUndefined();
    expect(findJsonHazard({ a: {} }, 0)).toMatchObject({ kind: 'too-deep', path: ['a'] });
    // Primitives do not count as a level.
    expect(findJsonHazard({ a: 1 }, 0)).toBeUndefined();
  });

  it('walks 100,000 levels without recursion, quickly', () => {
    const text = `{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const t = performance.now();
    expect(findJsonHazard(JSON.parse(text), 64)?.kind).toBe('too-deep');
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('writes one wording for every reader', () => {
    expect(jsonPathText(['nodes', 0, 'params', 'shape', 1])).toBe('nodes[0].params.shape[1]');
    expect(jsonPathText([])).toBe('');
    expect(jsonHazardMessage({ kind: 'forbidden-key', key: '__proto__', path: ['modelTopology'] }, 'model.json', 'model')).toBe(
      'Refusing the key "__proto__" at modelTopology of model.json: model files may not contain __proto__, constructor or prototype keys.',
    );
    expect(jsonHazardMessage({ kind: 'forbidden-key', key: 'constructor', path: [] }, 'the file', 'graph')).toBe(
      'Refusing the key "constructor" at the top level of the file: graph files may not contain __proto__, constructor or prototype keys.',
    );
    expect(jsonHazardMessage({ kind: 'too-deep', maxDepth: 32, path: ['a', 0] }, 'the file', 'graph')).toBe('The file is nested more than 32 levels deep (at a[0]).');
    expect(jsonHazardMessage({ kind: 'too-deep', maxDepth: 64, path: ['x'] }, 'model.json', 'model')).toBe('model.json is nested more than 64 levels deep (at x).');
    expect(checkJson({ ok: [1, 2] }, { maxDepth: 4, file: 'the file', kind: 'graph' })).toBeUndefined();
  });

  it('is what the graph parser refuses with: the hostile fixtures keep their messages', () => {
    const hostile = BAD_GRAPHS.filter((b) => /__proto__|constructor|deep/.test(b.name));
    expect(hostile.length).toBeGreaterThanOrEqual(3);
    for (const bad of hostile) {
      const r = parseGraphText(bad.text());
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.message).toMatch(bad.message);
        expect(r.message).toBe(checkJson(JSON.parse(bad.text()), { maxDepth: LIMITS.maxDepth, file: 'the file', kind: 'graph' }));
      }
    }
  });
});
