/**
 * Migrations bring older graph files up to the current format version, one step at a time
 * (tldraw/excalidraw style). Version 1 is the first published format, so the table is empty
 * today; a future version N adds `N - 1: (doc) => docOfVersionN` here, and old files keep opening.
 */
import { CURRENT_VERSION } from './types';

export type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;

/** migrations[v] upgrades a document of version v to version v + 1. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {};

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
    out = { ...step(out), version: v + 1 };
  }
  return { ok: true, doc: out, from: version };
}
