/**
 * Reading a saved model from disk for the CLI (`layerlab export --weights DIR`): the files that
 * readModelFiles (src/export/open-model.ts) then checks. Node only.
 *
 * `path` may be a folder (model.json + the weight files its manifest names + graph.json), a
 * model.json (its folder is used), or a .zip. File sizes are checked with stat before anything
 * is read; weight paths are taken by base name only inside the folder (a manifest cannot make
 * this read ../../anything). When model.json cannot be parsed here it is returned alone, and
 * readModelFiles gives the message.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MODEL_LIMITS, ModelFileError, checkModelFileSizes, type ModelFileInput } from '../export/open-model';
import { GRAPH_JSON, MODEL_JSON } from '../export/tfjs-files';

function readChecked(path: string, name: string): ModelFileInput {
  const size = statSync(path).size;
  const tooBig = checkModelFileSizes([{ name, size }]);
  if (tooBig) throw new ModelFileError(tooBig);
  return { name, data: readFileSync(path) };
}

export function readModelDir(path: string): ModelFileInput[] {
  if (!existsSync(path)) throw new ModelFileError(`${path}: no such file or folder.`);
  const stat = statSync(path);
  let dir = path;
  let jsonName = MODEL_JSON;
  if (stat.isFile()) {
    if (/\.zip$/i.test(path)) return [readChecked(path, basename(path))];
    dir = dirname(path);
    jsonName = basename(path);
  } else if (!stat.isDirectory()) {
    throw new ModelFileError(`${path} is neither a file nor a folder.`);
  }
  const names = readdirSync(dir);
  if (!names.includes(jsonName)) {
    const zips = names.filter((n) => /\.zip$/i.test(n));
    throw new ModelFileError(
      `There is no ${jsonName} in ${dir}` + (zips.length === 1 ? ` (there is ${zips[0]}: pass that file instead).` : ': pass the folder that `layerlab train --out` wrote, or a model .zip.'),
    );
  }
  const model = readChecked(join(dir, jsonName), jsonName);
  const files: ModelFileInput[] = [model];
  let paths: string[] = [];
  if (model.data.length <= MODEL_LIMITS.maxJsonBytes) {
    try {
      const json = JSON.parse(new TextDecoder().decode(model.data)) as { weightsManifest?: { paths?: unknown }[] };
      if (Array.isArray(json?.weightsManifest)) {
        paths = json.weightsManifest.flatMap((g) => (Array.isArray(g?.paths) ? g.paths.filter((p): p is string => typeof p === 'string') : []));
      }
    } catch {
      return files;
    }
  }
  const wanted = new Set(paths.map((p) => basename(p.replace(/\\/g, '/'))));
  let present = [...wanted].filter((n) => names.includes(n));
  // The one-weights-file-under-another-name rule of readModelFiles: hand it the single .bin.
  if (wanted.size === 1 && present.length === 0) {
    const bins = names.filter((n) => /\.bin$/i.test(n));
    if (bins.length === 1) present = bins;
  }
  let total = 0;
  for (const n of present) {
    const size = statSync(join(dir, n)).size;
    total += size;
    if (total > MODEL_LIMITS.maxWeightBytes) throw new ModelFileError(`The weights in ${dir} are more than ${MODEL_LIMITS.maxWeightBytes / 1024 / 1024} MB; LayerLab opens smaller models.`);
    files.push(readChecked(join(dir, n), n));
  }
  if (jsonName !== GRAPH_JSON && names.includes(GRAPH_JSON)) files.push(readChecked(join(dir, GRAPH_JSON), GRAPH_JSON));
  return files;
}
