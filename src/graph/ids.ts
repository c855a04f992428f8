/**
 * Fresh node and block ids, one rule for every edit (edit.ts, blocks.ts): `base_1`, `base_2`, …
 * (or `base` itself first, with `bareFirst`), skipping the ids in use, within the id length limit.
 * Imports nothing but the limits, so every graph module can use it without an import cycle.
 */
import { LIMITS } from './limits';

export function uniqueId(base: string, used: ReadonlySet<string>, opts: { bareFirst?: boolean; start?: number } = {}): string {
  const b = base.slice(0, LIMITS.maxIdLength);
  if (opts.bareFirst && !used.has(b)) return b;
  for (let i = opts.start ?? 1; ; i++) {
    const suffix = `_${i}`;
    const id = base.slice(0, LIMITS.maxIdLength - suffix.length) + suffix;
    if (!used.has(id)) return id;
  }
}
