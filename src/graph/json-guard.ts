/**
 * One guard against hostile JSON, shared by the graph parser (src/graph/parse.ts) and the
 * model-file reader (src/export/open-model.ts): keys that could pollute prototypes
 * (`__proto__`, `constructor`, `prototype`) and absurd nesting, anywhere in an already parsed
 * value. Iterative (a deep value cannot overflow the stack); only objects and arrays are
 * visited, and a path is spelled out only for the message. Pure TypeScript.
 */

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonPath = readonly (string | number)[];

export type JsonHazard =
  /** An object at `path` has the key `key`. */
  | { kind: 'forbidden-key'; key: string; path: JsonPath }
  /** The object or array at `path` lies more than `maxDepth` levels deep. */
  | { kind: 'too-deep'; maxDepth: number; path: JsonPath };

interface Entry {
  value: object;
  depth: number;
  parent?: Entry;
  key?: string | number;
}

function pathOf(e: Entry): (string | number)[] {
  const keys: (string | number)[] = [];
  for (let c: Entry | undefined = e; c?.key !== undefined; c = c.parent) keys.push(c.key);
  return keys.reverse();
}

/**
 * The first hazard found in `root`, or undefined when there is none. The top-level value is at
 * depth 0; a value inside it at depth 1, and so on.
 */
export function findJsonHazard(root: unknown, maxDepth: number): JsonHazard | undefined {
  if (root === null || typeof root !== 'object') return undefined;
  const stack: Entry[] = [{ value: root, depth: 0 }];
  while (stack.length) {
    const entry = stack.pop()!;
    if (entry.depth > maxDepth) return { kind: 'too-deep', maxDepth, path: pathOf(entry) };
    const v = entry.value;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const c: unknown = v[i];
        if (c !== null && typeof c === 'object') stack.push({ value: c, depth: entry.depth + 1, parent: entry, key: i });
      }
    } else {
      for (const key of Object.keys(v)) {
        if (FORBIDDEN_KEYS.has(key)) return { kind: 'forbidden-key', key, path: pathOf(entry) };
        const c = (v as Record<string, unknown>)[key];
        if (c !== null && typeof c === 'object') stack.push({ value: c, depth: entry.depth + 1, parent: entry, key });
      }
    }
  }
  return undefined;
}

/** `nodes[0].params.shape`; '' for the top level. */
export function jsonPathText(path: JsonPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

/**
 * The message for a hazard in a file: `file` names it ("model.json", "the file") and `kind` says
 * what such files are ("graph", "model"). One wording for every reader of JSON.
 */
export function jsonHazardMessage(h: JsonHazard, file: string, kind: string): string {
  const where = jsonPathText(h.path) || 'the top level';
  if (h.kind === 'forbidden-key') {
    return `Refusing the key "${h.key}" at ${where} of ${file}: ${kind} files may not contain __proto__, constructor or prototype keys.`;
  }
  // "the file" opens a sentence as "The file"; a file name ("model.json") is kept as it is.
  const subject = file.startsWith('the ') ? `The ${file.slice(4)}` : file;
  return `${subject} is nested more than ${h.maxDepth} levels deep (at ${where}).`;
}

/** The hazard message for `root`, or undefined when it is safe to walk. */
export function checkJson(root: unknown, opts: { maxDepth: number; file: string; kind: string }): string | undefined {
  const h = findJsonHazard(root, opts.maxDepth);
  return h && jsonHazardMessage(h, opts.file, opts.kind);
}
