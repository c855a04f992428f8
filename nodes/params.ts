/**
 * Checking and normalising parameter values against a definition's param specs.
 * Shared by the graph validator, the editor controls and the compiler.
 */
import type { NodeDef, ParamSpec, Params, ParamSpecs } from './types';
import { formatNumber } from '../src/graph/format';

export type ParamCheck = { ok: true; value: unknown } | { ok: false; message: string };

const fmt = (n: number) => (Number.isInteger(n) ? formatNumber(n) : String(n));

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.slice(0, 4).map(describe).join(', ')}${value.length > 4 ? ', …' : ''}]`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'number') return fmt(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function checkInt(value: unknown, min: number, max: number, what: string): ParamCheck {
  if (typeof value !== 'number' || !Number.isFinite(value)) return { ok: false, message: `${what} must be a whole number, not ${describe(value)}` };
  if (!Number.isInteger(value)) return { ok: false, message: `${what} must be a whole number, not ${describe(value)}` };
  if (value < min || value > max) return { ok: false, message: `${what} = ${fmt(value)} is out of range (${fmt(min)}–${fmt(max)})` };
  return { ok: true, value };
}

/** Checks one raw value (as found in a file) and returns its normalised form. */
export function checkParam(spec: ParamSpec, value: unknown, name: string): ParamCheck {
  switch (spec.kind) {
    case 'int':
      return checkInt(value, spec.min, spec.max, name);
    case 'float': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return { ok: false, message: `${name} must be a number, not ${describe(value)}` };
      const lowOk = spec.minExclusive ? value > spec.min : value >= spec.min;
      const highOk = spec.maxExclusive ? value < spec.max : value <= spec.max;
      if (!lowOk || !highOk) {
        const lo = spec.minExclusive ? `more than ${spec.min}` : `at least ${spec.min}`;
        const hi = spec.maxExclusive ? `less than ${spec.max}` : `at most ${spec.max}`;
        return { ok: false, message: `${name} = ${describe(value)} is out of range (${lo} and ${hi})` };
      }
      return { ok: true, value };
    }
    case 'bool':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false, message: `${name} must be true or false, not ${describe(value)}` };
    case 'enum':
      return typeof value === 'string' && spec.options.includes(value)
        ? { ok: true, value }
        : { ok: false, message: `${name} must be one of ${spec.options.map((o) => `"${o}"`).join(', ')}, not ${describe(value)}` };
    case 'pair': {
      if (value === null && spec.nullable) return { ok: true, value: null };
      if (typeof value === 'number') {
        const c = checkInt(value, spec.min, spec.max, name);
        return c.ok ? { ok: true, value: [value, value] } : c;
      }
      if (Array.isArray(value) && value.length === 2) {
        for (const v of value) {
          const c = checkInt(v, spec.min, spec.max, name);
          if (!c.ok) return c;
        }
        return { ok: true, value: [value[0], value[1]] };
      }
      return { ok: false, message: `${name} must be a number or a pair [height, width], not ${describe(value)}` };
    }
    case 'shape': {
      if (!Array.isArray(value) || value.length !== 3)
        return { ok: false, message: `${name} must be [height, width, channels], not ${describe(value)}` };
      const dims = ['height', 'width', 'channels'];
      for (let i = 0; i < 3; i++) {
        const c = checkInt(value[i], spec.min[i]!, spec.max[i]!, `${name} ${dims[i]}`);
        if (!c.ok) return c;
      }
      return { ok: true, value: [value[0], value[1], value[2]] };
    }
    case 'padding2d': {
      const one = (v: unknown) => checkInt(v, spec.min, spec.max, name);
      if (typeof value === 'number') {
        const c = one(value);
        return c.ok ? { ok: true, value: [[value, value], [value, value]] } : c;
      }
      if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) {
        for (const v of value) {
          const c = one(v);
          if (!c.ok) return c;
        }
        return { ok: true, value: [[value[0], value[0]], [value[1], value[1]]] };
      }
      if (Array.isArray(value) && value.length === 2 && value.every((v) => Array.isArray(v) && v.length === 2)) {
        for (const pair of value as unknown[][]) {
          for (const v of pair) {
            const c = one(v);
            if (!c.ok) return c;
          }
        }
        const [[t, b], [l, r]] = value as [[number, number], [number, number]];
        return { ok: true, value: [[t, b], [l, r]] };
      }
      return { ok: false, message: `${name} must be n, [height, width] or [[top, bottom], [left, right]], not ${describe(value)}` };
    }
  }
}

export interface ParamProblem {
  param: string;
  message: string;
}

/**
 * Resolves a node's raw params against its definition: defaults for omitted params,
 * normalised values, and one problem per unknown or invalid param.
 */
export function resolveParams<S extends ParamSpecs>(
  def: NodeDef<S>,
  raw: Readonly<Record<string, unknown>> | undefined,
): { params: Params<S>; problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  const out: Record<string, unknown> = Object.create(null);
  const given = raw ?? {};
  for (const key of Object.keys(given)) {
    if (!Object.prototype.hasOwnProperty.call(def.params, key)) {
      const known = Object.keys(def.params);
      problems.push({
        param: key,
        message: `${def.title} has no parameter "${key}"${known.length ? ` (it has ${known.join(', ')})` : ' (it takes no parameters)'}`,
      });
    }
  }
  for (const [key, spec] of Object.entries(def.params)) {
    const has = Object.prototype.hasOwnProperty.call(given, key);
    const check = checkParam(spec, has ? given[key] : spec.default, key);
    if (check.ok) {
      out[key] = check.value;
    } else {
      problems.push({ param: key, message: check.message });
      // Fall back to the default so the rest of the graph can still be analysed.
      const fallback = checkParam(spec, spec.default, key);
      out[key] = fallback.ok ? fallback.value : spec.default;
    }
  }
  return { params: { ...out } as Params<S>, problems };
}

/** The default value of every parameter, in file form (what a new node starts with before `initial`). */
export function initialParams(def: NodeDef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(def.params)) out[key] = spec.default;
  return { ...out, ...(def.initial ?? {}) };
}

/** The params shown on the node face for these resolved values (see NodeDef.face). */
export function faceParams(def: NodeDef, resolved: Record<string, unknown> | undefined): string[] {
  const visible = resolved && def.visible ? (def.visible(resolved as never) as Record<string, boolean | undefined>) : undefined;
  const shown = (k: string) => visible?.[k] !== false;
  if (def.face) return def.face.filter(shown);
  return Object.entries(def.params)
    .filter(([k, spec]) => spec.kind !== 'bool' && shown(k))
    .map(([k]) => k);
}

/** A parameter's label for people: its own `label`, or the key in words ("kernelSize" -> "kernel size"). */
export function paramLabel(key: string, spec: ParamSpec): string {
  return spec.label ?? key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}
