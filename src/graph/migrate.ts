/**
 * Migrations bring older graph files up to the current format version, one step at a time
 * (tldraw/excalidraw style): version N adds `N - 1: (doc) => docOfVersionN` here, and old files
 * keep opening.
 *
 * 1 -> 2: version 2 adds blocks (`blocks`, nodes of type "block") and locks (`locked`,
 * `lockedParams`, `hiddenParams` on nodes, `locked` on edges), all optional: a version 1
 * document is a version 2 document as it stands. A version 1 file that already uses a name
 * only version 2 gives meaning to is refused rather than reinterpreted.
 */
import { CURRENT_VERSION } from './types';

export type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;

/** migrations[v] upgrades a document of version v to version v + 1. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {
  1: (doc) => {
    if ('blocks' in doc) throw new MigrationError('A version 1 graph file cannot have "blocks" (blocks came with version 2).');
    return doc;
  },
};

/** A document that cannot be brought forward: the message says why. */
export class MigrationError extends Error {}

export type MigrateResult = { ok: true; doc: Record<string, unknown>; from: number } | { ok: false; message: string };

export function migrate(
  doc: Record<string, unknown>,
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS,
  current: number = CURRENT_VERSION,
): MigrateResult {
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { ok: false, message: `The file's "version" must be a whole number from 1 to ${current}, not ${JSON.stringify(version) ?? 'missing'}.` };
  }
  if (version > current) {
    return {
      ok: false,
      message: `This file was made by a newer LayerLab (format version ${version}); this LayerLab reads up to version ${current}. Update LayerLab to open it.`,
    };
  }
  let out = doc;
  for (let v = version; v < current; v++) {
    const step = migrations[v];
    if (!step) return { ok: false, message: `There is no upgrade from format version ${v} to ${v + 1}.` };
    try {
      out = { ...step(out), version: v + 1 };
    } catch (e) {
      if (e instanceof MigrationError) return { ok: false, message: e.message };
      throw e;
    }
  }
  return { ok: true, doc: out, from: version };
}
