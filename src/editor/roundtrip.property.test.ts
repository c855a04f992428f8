/**
 * A property of the editor: whatever a user does — training settings set to anything a control
 * takes (extremes included), name and description up to their limits, nodes added, removed,
 * wired, moved, duplicated and their params set anywhere within the params' bounds, undo and
 * redo — the document is one that serializeGraph writes and parseGraph reads back equal. (So an
 * autosave or a saved file always opens again.) Random sequences from a seeded generator; a
 * failure names the seed and the step, which replay exactly.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { NODE_TYPES, getNodeDef } from '../../nodes/registry';
import type { ParamSpec } from '../../nodes/types';
import { emptyGraph } from '../graph/edit';
import { LIMITS } from '../graph/limits';
import { parseGraph, parseGraphText } from '../graph/parse';
import { serializeGraph } from '../graph/serialize';
import type { GraphDoc } from '../graph/types';
import { mulberry32, type Rand } from '../training/data/rng';
import {
  addNodeAction,
  connectAction,
  deleteNodesAction,
  disconnectAction,
  duplicateAction,
  moveNodesAction,
  renameAction,
  setGraphInfoAction,
  setParamAction,
  setTrainingAction,
} from './actions';
import { GRAPH_TEXT_FIELDS } from './GraphInfo';
import { checkControlText, checkControlValue, controlPatch, isNumberControl, SETTING_CONTROLS } from './setting-controls';
import { useEditor } from './store';

const s = () => useEditor.getState();

/** A small seeded generator of test values. */
class Gen {
  constructor(readonly rand: Rand) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.rand() < p;
  }
  /** A number in [lo, hi], often one of the extremes. */
  num(lo: number, hi: number): number {
    const r = this.rand();
    if (r < 0.15) return lo;
    if (r < 0.3) return hi;
    return lo + this.rand() * (hi - lo);
  }
  /** Text of at most `max` UTF-16 units, often exactly `max`: any character a user could paste. */
  text(max: number): string {
    const pieces = ['a', 'Z', '0', ' ', '\n', '\t', '"', '\\', '/', '<b>', '&amp;', 'é', '中', '😀', '\u2028', '\u0000', '\u007f', '\ud800', '\udfff', '{"x":1}', '__proto__'];
    const target = this.chance(0.3) ? max : this.int(0, Math.min(max, 300));
    let out = '';
    while (out.length < target) {
      const p = this.pick(pieces);
      if (out.length + p.length > target) out += 'x';
      else out += p;
    }
    return out;
  }
}

/** What a user could type into a number control: in range, at the extremes and past them. */
function typedNumber(g: Gen, min: number, max: number, int: boolean): string {
  const candidates = [
    () => String(min),
    () => String(max),
    () => String(int ? g.int(min, Math.min(max, min + 10_000)) : g.num(min, max)),
    () => String(int ? max + 1 : max * (1 + 1e-9) + 1e-12),
    () => String(int ? min - 1 : min - 1e-9),
    () => String(Number.MIN_VALUE),
    () => '1e-7',
    () => '-0',
    () => '11',
    () => '1000000',
    () => String(min + 0.5),
    () => '',
    () => 'abc',
  ];
  return g.pick(candidates)();
}

/** A value within a param's bounds, in any form a file (and so a control) may write. */
function paramValue(g: Gen, spec: ParamSpec): unknown {
  switch (spec.kind) {
    case 'int':
      return g.chance(0.3) ? g.pick([spec.min, spec.max]) : g.int(spec.min, Math.min(spec.max, spec.min + 512));
    case 'float': {
      const v = g.num(spec.min, spec.max);
      if (spec.minExclusive && v <= spec.min) return spec.min + (spec.max - spec.min) / 4;
      if (spec.maxExclusive && v >= spec.max) return spec.max - (spec.max - spec.min) / 4;
      return v;
    }
    case 'bool':
      return g.chance(0.5);
    case 'enum':
      return g.pick(spec.options);
    case 'pair': {
      if (spec.nullable && g.chance(0.2)) return null;
      const one = () => g.int(spec.min, Math.min(spec.max, spec.min + 8));
      return g.chance(0.4) ? one() : [one(), one()];
    }
    case 'shape':
      return [0, 1, 2].map((i) => (g.chance(0.2) ? spec.max[i]! : g.int(spec.min[i]!, Math.min(spec.max[i]!, 64))));
    case 'padding2d': {
      const one = () => g.int(spec.min, Math.min(spec.max, spec.min + 6));
      const r = g.rand();
      return r < 0.3 ? one() : r < 0.6 ? [one(), one()] : [
        [one(), one()],
        [one(), one()],
      ];
    }
  }
}

/**
 * The document with -0 written as 0. JSON has no -0 (it writes "0"), and a node dropped at x = -0.3
 * is stored at Math.round(-0.3) = -0: the same position, which the file cannot tell apart.
 * Nothing else is normalised: NaN, Infinity or a lost field still fail the comparison.
 */
function withoutNegativeZero<T>(value: T): T {
  if (Object.is(value, -0)) return 0 as T;
  if (Array.isArray(value)) return value.map(withoutNegativeZero) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNegativeZero(v)])) as T;
  return value;
}

/** The parser's verdict on the current document with `patch` applied to its training settings. */
function parserTakes(doc: GraphDoc, patch: Record<string, unknown>): boolean {
  return parseGraph(JSON.parse(serializeGraph({ ...doc, training: { ...doc.training, ...patch } as GraphDoc['training'] }))).ok;
}

function step(g: Gen): string {
  const { doc, analysis } = s();
  const ids = doc.nodes.map((n) => n.id);
  const r = g.rand();
  if (r < 0.25) {
    // A training setting, through its control's own check.
    const c = g.pick(SETTING_CONTROLS);
    if (isNumberControl(c)) {
      const text = typedNumber(g, c.spec.min, c.spec.max, c.spec.kind === 'int');
      const checked = checkControlText(c, text);
      const patch = checked.ok ? controlPatch(c, checked.value, doc.training) : undefined;
      // The control refuses exactly what the parser refuses.
      const v = Number(text);
      if (text.trim() !== '' && Number.isFinite(v)) expect(checked.ok, `${c.testid} "${text}"`).toBe(parserTakes(doc, controlPatch(c, v, doc.training)));
      if (patch) setTrainingAction(patch);
      return `${c.testid} ← "${text}" (${checked.ok ? 'taken' : 'refused'})`;
    }
    const value = c.spec.kind === 'enum' ? g.pick(c.spec.options) : g.chance(0.5);
    const checked = checkControlValue(c, value);
    expect(checked.ok).toBe(true);
    setTrainingAction(controlPatch(c, value, doc.training));
    return `${c.testid} ← ${String(value)}`;
  }
  if (r < 0.32) {
    const name = g.text(GRAPH_TEXT_FIELDS.name.max);
    setGraphInfoAction({ name });
    return `name (${name.length} units)`;
  }
  if (r < 0.37) {
    const description = g.text(GRAPH_TEXT_FIELDS.description.max);
    setGraphInfoAction({ description });
    return `description (${description.length} units)`;
  }
  if (r < 0.52) {
    const type = g.pick(NODE_TYPES);
    const at = () => (g.chance(0.1) ? -g.rand() / 2 : g.num(-5000, 5000)); // sometimes just left of 0
    const id = addNodeAction(type, [at(), at()], g.chance(0.5) && ids.length ? { connectFrom: g.pick(ids) } : {});
    return `add ${type} → ${id ?? 'refused'}`;
  }
  if (r < 0.58 && ids.length > 1) {
    const gone = ids.filter(() => g.chance(0.2));
    deleteNodesAction(gone);
    return `delete ${gone.join(', ')}`;
  }
  if (r < 0.7 && ids.length > 1) {
    const to = g.pick(ids);
    const ports = analysis.nodes.get(to)?.ports ?? [];
    if (!ports.length) return 'connect: no input port';
    const from = g.pick(ids);
    const port = g.pick(ports);
    const ok = connectAction(from, to, port);
    return `connect ${from} → ${to}.${port} (${ok ? 'made' : 'refused'})`;
  }
  if (r < 0.85 && ids.length) {
    const id = g.pick(ids);
    const def = getNodeDef(doc.nodes.find((n) => n.id === id)!.type)!;
    const keys = Object.keys(def.params);
    if (!keys.length) return `${id}: no params`;
    const key = g.pick(keys);
    const value = paramValue(g, def.params[key]!);
    setParamAction(id, key, value);
    return `${id}.${key} ← ${JSON.stringify(value)}`;
  }
  if (r < 0.88 && doc.edges.length) {
    const e = g.pick(doc.edges);
    disconnectAction(e);
    return `disconnect ${e.from[0]} → ${e.to[0]}`;
  }
  if (r < 0.91 && ids.length) {
    const id = g.pick(ids);
    moveNodesAction(new Map([[id, [g.num(-1e6, 1e6), g.num(-1e6, 1e6)]]]));
    return `move ${id}`;
  }
  if (r < 0.93 && ids.length) {
    const picked = ids.filter(() => g.chance(0.3));
    duplicateAction(picked);
    return `duplicate ${picked.length}`;
  }
  if (r < 0.95 && ids.length) {
    const id = g.pick(ids);
    const to = g.chance(0.5) ? `n_${g.int(0, 99)}` : 'x'.repeat(LIMITS.maxIdLength);
    renameAction(id, to);
    return `rename ${id} → ${to}`;
  }
  if (r < 0.98) {
    s().undo();
    return 'undo';
  }
  s().redo();
  return 'redo';
}

beforeEach(() => s().restore(emptyGraph(), [], []));

describe('every document the editor can make opens again (serializeGraph → parseGraph)', () => {
  it('holds for 300 random sequences of edits', () => {
    const SEQUENCES = 300;
    const STEPS = 25;
    let steps = 0;
    let settings = 0;
    for (let seed = 1; seed <= SEQUENCES; seed++) {
      s().restore(emptyGraph(), [], []);
      const g = new Gen(mulberry32(seed));
      const log: string[] = [];
      for (let i = 0; i < STEPS; i++) {
        log.push(step(g));
        steps++;
        if (log[log.length - 1]!.startsWith('train-')) settings++;
        const doc = s().doc;
        const text = serializeGraph(doc);
        const back = parseGraphText(text);
        if (!back.ok) throw new Error(`seed ${seed}, step ${i + 1} (${log.slice(-3).join('; ')}): the document does not open again: ${back.message}`);
        expect(back.doc, `seed ${seed}, step ${i + 1}: ${log[log.length - 1]}`).toEqual(withoutNegativeZero(doc));
        expect(serializeGraph(back.doc)).toBe(text);
      }
    }
    expect(steps).toBe(SEQUENCES * STEPS);
    expect(settings).toBeGreaterThan(SEQUENCES * STEPS * 0.15);
  });

  it('the name and description at their limits, and the training settings at their extremes, open again', () => {
    setGraphInfoAction({ name: '😀'.repeat(GRAPH_TEXT_FIELDS.name.max / 2), description: 'x'.repeat(GRAPH_TEXT_FIELDS.description.max) });
    for (const c of SETTING_CONTROLS) {
      if (!isNumberControl(c)) continue;
      for (const text of [String(c.spec.min), String(c.spec.max), String(Number.MIN_VALUE)]) {
        const r = checkControlText(c, text);
        if (r.ok) setTrainingAction(controlPatch(c, r.value, s().doc.training));
      }
    }
    expect(s().doc.training?.learningRate).toBe(Number.MIN_VALUE);
    expect(s().doc.training?.seed).toBe(2 ** 31 - 1);
    const back = parseGraphText(serializeGraph(s().doc));
    expect(back.ok && back.doc).toEqual(s().doc);
    // One unit more is what the parser refuses: the limits are the same ones.
    expect(parseGraphText(serializeGraph({ ...s().doc, name: 'x'.repeat(GRAPH_TEXT_FIELDS.name.max + 1) })).ok).toBe(false);
    expect(parseGraphText(serializeGraph({ ...s().doc, description: 'x'.repeat(GRAPH_TEXT_FIELDS.description.max + 1) })).ok).toBe(false);
  });
});
