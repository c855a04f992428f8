/** Reads a graph file, a PNG/SVG diagram carrying one, or a preset by name, for the CLI, with the same limits as the app. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFileSize, parseGraphText, type ParseResult } from '../graph';
import { checkPictureSize, graphTextFromPicture, isPictureFile } from '../graph/picture';

export const PRESETS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'presets');

export function resolveGraphPath(file: string): string {
  if (existsSync(file)) return resolve(file);
  const preset = join(PRESETS_DIR, `${file}.json`);
  if (/^[a-z0-9-]+$/.test(file) && existsSync(preset)) return preset;
  return resolve(file);
}

export function readGraphFile(file: string): ParseResult & { path: string } {
  const path = resolveGraphPath(file);
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return { ok: false, message: `${file} is not a file.`, path };
    const tooBig = isPictureFile(path) ? checkPictureSize(stat.size) : checkFileSize(stat.size);
    if (tooBig) return { ok: false, message: tooBig, path };
    const bytes = readFileSync(path);
    // A PNG or SVG diagram exported by LayerLab carries the graph (judged by content, not by name).
    const fromPicture = graphTextFromPicture(bytes);
    if (fromPicture === undefined) return { ...parseGraphText(bytes.toString('utf8')), path };
    if (typeof fromPicture !== 'string') return { ok: false, message: `${file}: ${fromPicture.error}`, path };
    return { ...parseGraphText(fromPicture), path };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file (or preset)' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    return { ok: false, message: `Cannot read ${file}: ${why}.`, path };
  }
}
