/**
 * The example graphs shipped in presets/*.json, bundled as text at build time and read with
 * the same parser as a user's file (so a broken preset shows up as a load error, not a crash).
 */
import { parseGraphText, type GraphDoc } from '../graph';

export type Preset = { key: string; ok: true; doc: GraphDoc } | { key: string; ok: false; message: string };

const files = import.meta.glob<string>('../../presets/*.json', { eager: true, query: '?raw', import: 'default' });

/** A learning path from simple to big; presets not listed here follow in alphabetical order. */
const ORDER = ['mlp', 'lenet5', 'resnet-mini', 'inception-mini', 'resnet50', 'unet-mini', 'detector-mini'];

function rank(key: string): number {
  const i = ORDER.indexOf(key);
  return i < 0 ? ORDER.length : i;
}

export const PRESETS: readonly Preset[] = Object.entries(files)
  .map(([path, text]): Preset => {
    const key = path.slice(path.lastIndexOf('/') + 1).replace(/\.json$/, '');
    const parsed = parseGraphText(text);
    return parsed.ok ? { key, ok: true, doc: parsed.doc } : { key, ok: false, message: parsed.message };
  })
  .sort((a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key));

export const DEFAULT_PRESET = 'lenet5';

export function findPreset(key: string): Preset | undefined {
  return PRESETS.find((p) => p.key === key);
}
