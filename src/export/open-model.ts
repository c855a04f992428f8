/**
 * Opening a saved model: model.json + its weight files (+ graph.json), or the .zip of them, read
 * and checked defensively before TensorFlow.js sees anything (tfjs 4.22's `tf.io.browserFiles`
 * can hang on a broken model.json). Pure TypeScript: no DOM, no node: imports, tfjs for types
 * only. Everything is synchronous and bounded: sizes are checked before bytes are decoded, parsed
 * or unpacked, so every broken or hostile file fails fast with a learner-readable message
 * (a ModelFileError).
 *
 * What is checked, cheapest first:
 * 1. the file list: a .zip alone (its table of contents read without unpacking, declared sizes
 *    bounded, then only the needed entries unpacked, each bounded by its declared size and
 *    checked against its CRC), or model.json with the files it names;
 * 2. model.json: size before decoding, UTF-8, JSON syntax (with line and column), no
 *    __proto__/constructor/prototype keys, nesting depth, and a schema for what is used
 *    (modelTopology object; weightsManifest of {paths, weights: {name, shape, dtype}});
 * 3. the weights: float32 only (quantized and integer weights are refused), unique names, the
 *    files named in the manifest present, their sizes equal to what the specs describe;
 * 4. the graph: `userDefinedMetadata.layerlab.graph` inside model.json (written by LayerLab), else
 *    a graph.json among the files; it must pass the graph parser and analyse without errors;
 * 5. the fit: the weights' names and shapes equal what the graph needs (computed from the graph
 *    without tfjs, see graph-weights.ts).
 *
 * Which file is which:
 * - model.json is the file named model.json (any folder, any case); failing that, the only .json
 *   that is not graph.json; failing that, the one .json whose content has a weightsManifest.
 * - A weight path of the manifest matches a file of the same path, else of the same base name.
 *   When model.json names exactly one weight file and it is not among the files, but exactly one
 *   other .bin file is (e.g. "lenet5-weights.bin", or "weights (1).bin" from a browser), that
 *   file is taken: its size must still equal what model.json describes, so a wrong file is still
 *   refused. Any other missing file is an error naming it.
 * - graph.json is the file named graph.json, else a leftover .json whose format is
 *   "layerlab-graph". The graph inside model.json wins when both are present (it was written
 *   together with the weights).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { z } from 'zod';
import { analyzeGraph, type Analysis } from '../graph/analyze';
import { checkFileSize, parseGraph, parseGraphText } from '../graph/parse';
import { checkJson } from '../graph/json-guard';
import { FORMAT, type GraphDoc } from '../graph/types';
import { weightsFitProblem } from './graph-weights';
import { ModelFileError } from './model-file-error';
import { float32Problem, GRAPH_JSON, METADATA_KEY, MODEL_JSON, WEIGHTS_BIN, type LayerLabModelJson, type WeightSpec } from './tfjs-files';
import type { NamedWeight } from './types';
import { extractZipEntry, listZip, looksLikeZip, ZipError } from './unzip';

export { ModelFileError } from './model-file-error';
export { checkWeightsFitGraph, expectedWeights, weightsFitProblem, type WeightShape } from './graph-weights';

const MiB = 1024 * 1024;

/** Bounds on what a model file may be (far above any model a browser can train). */
export const MODEL_LIMITS = {
  /** model.json with the graph inside (ResNet-50's is about 0.3 MB), and graph.json. */
  maxJsonBytes: 16 * MiB,
  /** All weights together: 256 million float32 values (ResNet-50 has 25.6 million, 102 MB). */
  maxWeightBytes: 1024 * MiB,
  /** Files handed in at once. */
  maxFiles: 256,
  /** Entries in a zip. */
  maxZipEntries: 1000,
  /** Everything a zip declares it unpacks to. */
  maxZipBytes: 1024 * MiB + 2 * 16 * MiB,
  /** Nesting depth of model.json. */
  maxDepth: 64,
} as const;

/** One file handed in: its name (a path inside a zip is fine) and its bytes. */
export interface ModelFileInput {
  name: string;
  data: Uint8Array;
}

/** A model read and checked: everything `tf.io.fromMemory` needs, and the graph to compile. */
export interface OpenedModel {
  graph: GraphDoc;
  /** The graph's analysis (ok: the graph compiles). */
  analysis: Analysis;
  /** Where the graph came from. */
  graphSource: 'model.json' | 'graph.json';
  /** model.json as read (validated). */
  modelJson: LayerLabModelJson;
  /** Every weight spec of the manifest in data order (optimizer weights included, if saved). */
  weightSpecs: WeightSpec[];
  /** All weight bytes, in spec order (its own buffer). */
  weightData: ArrayBuffer;
  /** The model's weights (optimizer weights excluded): views into weightData, in spec order. */
  weights: NamedWeight[];
  /** The names of the files used. */
  files: { modelJson: string; weights: string[]; graph?: string };
  /** Things worth telling the user that are not errors (e.g. a weight file taken under another name). */
  notes: string[];
}

/** The artifacts for `tf.loadLayersModel(tf.io.fromMemory(modelArtifactsOf(opened)))`. */
export function modelArtifactsOf(opened: OpenedModel): tfjs.io.ModelArtifacts {
  const j = opened.modelJson;
  return {
    modelTopology: j.modelTopology,
    weightSpecs: opened.weightSpecs,
    weightData: opened.weightData,
    ...(j.format !== undefined ? { format: j.format } : {}),
    ...(j.generatedBy !== undefined ? { generatedBy: j.generatedBy } : {}),
    ...(j.convertedBy !== undefined ? { convertedBy: j.convertedBy } : {}),
    ...(j.trainingConfig ? { trainingConfig: j.trainingConfig as tfjs.io.TrainingConfig } : {}),
    ...(j.userDefinedMetadata ? { userDefinedMetadata: j.userDefinedMetadata } : {}),
  };
}

const fail = (message: string): never => {
  throw new ModelFileError(message);
};

const count = (n: number): string => n.toLocaleString('en-US');

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${count(bytes)} bytes`;
  if (bytes < MiB) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  if (bytes < 1024 * MiB) return `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0)} MB`;
  return `${(bytes / 1024 / MiB).toFixed(1)} GB`;
}

const baseName = (path: string): string => path.slice(path.replace(/\\/g, '/').lastIndexOf('/') + 1);
const isJsonName = (name: string): boolean => /\.json$/i.test(name);
const isZipName = (name: string): boolean => /\.zip$/i.test(name);

/**
 * Checks file sizes before reading them (browser File.size, fs.stat): a message when some file is
 * larger than any model file can be, else undefined.
 */
export function checkModelFileSizes(files: readonly { name: string; size: number }[]): string | undefined {
  if (files.length > MODEL_LIMITS.maxFiles) return `${count(files.length)} files were chosen; a model is model.json, its weights and graph.json.`;
  let total = 0;
  for (const f of files) {
    total += f.size;
    if (isJsonName(f.name) && f.size > MODEL_LIMITS.maxJsonBytes) return jsonTooBig(f.name, f.size);
    if (f.size > MODEL_LIMITS.maxZipBytes) return `${f.name} is ${formatBytes(f.size)}; LayerLab opens models of up to ${formatBytes(MODEL_LIMITS.maxWeightBytes)} of weights.`;
  }
  if (total > MODEL_LIMITS.maxZipBytes) return `The files are ${formatBytes(total)} together; LayerLab opens models of up to ${formatBytes(MODEL_LIMITS.maxWeightBytes)} of weights.`;
  return undefined;
}

const jsonTooBig = (name: string, size: number) =>
  `${name} is ${formatBytes(size)}; a LayerLab ${baseName(name) === GRAPH_JSON ? 'graph.json' : 'model.json'} is at most ${formatBytes(MODEL_LIMITS.maxJsonBytes)} (the weights belong in the .bin file). Is this really a model file?`;

/** A file to read, from the list or from inside a zip (read lazily, once). */
interface Source {
  name: string;
  size: number;
  read(): Uint8Array;
}

function sourcesOf(files: readonly ModelFileInput[]): { sources: Source[]; zip?: string } {
  if (files.length === 0) {
    return fail(`No files were given: choose model.json together with ${WEIGHTS_BIN} (and ${GRAPH_JSON}), or the model's .zip.`);
  }
  if (files.length > MODEL_LIMITS.maxFiles) return fail(checkModelFileSizes(files.map((f) => ({ name: f.name, size: f.data.length })))!);
  // A zip by name; by content only when it is the one file (a weights file could start with "PK\3\4").
  const zips = files.filter((f) => isZipName(f.name) || (files.length === 1 && looksLikeZip(f.data)));
  if (!zips.length) return { sources: files.map((f) => ({ name: f.name, size: f.data.length, read: () => f.data })) };
  const zip = zips[0]!;
  if (files.length > 1) {
    return fail(`${zip.name} is a zip: open it on its own (it should hold ${MODEL_JSON}, ${WEIGHTS_BIN} and ${GRAPH_JSON}), or choose the unpacked files instead.`);
  }
  if (!looksLikeZip(zip.data)) {
    return fail(zip.data.length === 0 ? `${zip.name} is empty.` : `${zip.name} is not a zip file (it does not start like one); was it renamed, or cut short?`);
  }
  let entries;
  try {
    entries = listZip(zip.data, zip.name, MODEL_LIMITS.maxZipEntries);
  } catch (e) {
    return fail(e instanceof ZipError ? e.message : `${zip.name} cannot be read as a zip (${String(e)}).`);
  }
  // Skip folders and macOS' resource-fork copies ("__MACOSX/…", "._model.json").
  const usable = entries.filter((e) => !e.directory && !e.name.startsWith('__MACOSX/') && !baseName(e.name).startsWith('._'));
  const declared = usable.reduce((n, e) => n + e.size, 0);
  if (declared > MODEL_LIMITS.maxZipBytes) {
    const biggest = usable.reduce((a, b) => (b.size > a.size ? b : a));
    return fail(
      `${zip.name} would unpack to ${formatBytes(declared)} (${biggest.name}: ${formatBytes(biggest.size)} from ${formatBytes(biggest.compressedSize)}); ` +
        `LayerLab opens models of up to ${formatBytes(MODEL_LIMITS.maxWeightBytes)} of weights, so it did not unpack it. Is this a zip bomb?`,
    );
  }
  const sources = usable.map((e): Source => {
    let data: Uint8Array | undefined;
    return {
      name: e.name,
      size: e.size,
      read: () => {
        if (!data) {
          try {
            data = extractZipEntry(zip.data, e, zip.name);
          } catch (err) {
            return fail(err instanceof ZipError ? err.message : `${e.name} in ${zip.name} cannot be unpacked (${String(err)}).`);
          }
        }
        return data;
      },
    };
  });
  return { sources, zip: zip.name };
}

/** "model.json is not valid JSON: … at line 3, column 7." */
function jsonSyntaxMessage(name: string, text: string, e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  if (/Unexpected end of JSON input/i.test(raw)) return `${name} is not valid JSON: it ends too early (was it cut short?).`;
  const m = /at position (\d+)/.exec(raw);
  let where = '';
  if (m && Number(m[1]) >= text.trimEnd().length) return `${name} is not valid JSON: it ends too early (was it cut short?).`;
  if (m) {
    const pos = Math.min(Number(m[1]), text.length);
    let line = 1;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    where = ` at line ${line}, column ${pos - lineStart + 1}`;
  }
  const what = raw
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/\s*in JSON at position \d+/, '')
    .replace(/,? ".*" is not valid JSON$/s, '')
    .trim();
  return `${name} is not valid JSON${where}: ${what}.`;
}

/** Refuses prototype-polluting keys and absurd nesting: the graph parser's guard (src/graph/json-guard.ts). */
function checkKeysAndDepth(root: unknown, name: string): void {
  const bad = checkJson(root, { maxDepth: MODEL_LIMITS.maxDepth, file: name, kind: 'model' });
  if (bad) fail(bad);
}

/** Decodes and parses a bounded JSON file. */
function readJson(source: Source): unknown {
  if (source.size > MODEL_LIMITS.maxJsonBytes) fail(jsonTooBig(source.name, source.size));
  const bytes = source.read();
  if (bytes.length === 0) fail(`${source.name} is empty.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail(`${source.name} is not a text file (is it a weights file under another name?).`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail(jsonSyntaxMessage(source.name, text, e));
  }
}

const dim = z.number().int().min(0).max(2 ** 31 - 1);
const weightSpecSchema = z.object({
  name: z.string().min(1).max(1024),
  shape: z.array(dim).max(16),
  dtype: z.string().min(1).max(32),
  quantization: z.looseObject({ dtype: z.string().optional() }).optional(),
  group: z.string().max(64).optional(),
});
const manifestGroupSchema = z.object({
  paths: z.array(z.string().min(1).max(1024)).min(1).max(10_000),
  weights: z.array(weightSpecSchema).max(100_000),
});
const modelJsonSchema = z.looseObject({
  format: z.string().max(200).optional(),
  generatedBy: z.string().max(1000).optional(),
  convertedBy: z.string().max(1000).nullable().optional(),
  modelTopology: z.record(z.string(), z.unknown()),
  trainingConfig: z.record(z.string(), z.unknown()).nullable().optional(),
  weightsManifest: z.array(manifestGroupSchema).max(10_000),
  userDefinedMetadata: z.record(z.string(), z.unknown()).optional(),
});

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function validateModelJson(json: unknown, name: string): LayerLabModelJson {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return fail(`${name} is not a TensorFlow.js model: it should hold one JSON object, not ${Array.isArray(json) ? 'a list' : json === null ? 'null' : `a ${typeof json}`}.`);
  }
  checkKeysAndDepth(json, name);
  const obj = json as Record<string, unknown>;
  if (obj.format === FORMAT) {
    return fail(`${name} is a LayerLab graph file, not a trained model: open it as a graph, or choose the model's model.json and ${WEIGHTS_BIN}.`);
  }
  if (obj.format === 'graph-model') {
    return fail(`${name} is a TensorFlow.js graph model (converted from a TensorFlow SavedModel); LayerLab opens the layers models it saves itself.`);
  }
  if (!('modelTopology' in obj)) fail(`${name} has no "modelTopology": it is not a TensorFlow.js model.json.`);
  if (!('weightsManifest' in obj)) {
    fail(`${name} has no "weightsManifest": it does not say where its weights are (a model.json saved by TensorFlow.js always has one).`);
  }
  const parsed = modelJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(`${name} is not a valid TensorFlow.js model file: ${pathText(issue.path) || 'the top level'}: ${issue.message}.`);
  }
  return json as LayerLabModelJson;
}

/** Finds the model.json among the sources. */
function findModelJson(sources: Source[], zip: string | undefined): Source {
  const where = zip ? `${zip} holds` : 'You chose';
  const listing = sources.length ? sources.map((s) => s.name).slice(0, 8).join(', ') + (sources.length > 8 ? ', …' : '') : 'nothing';
  const named = sources.filter((s) => baseName(s.name).toLowerCase() === MODEL_JSON);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) fail(`${where} ${named.length} files named model.json (${named.map((s) => s.name).join(', ')}); choose one model at a time.`);
  const jsons = sources.filter((s) => isJsonName(s.name) && baseName(s.name).toLowerCase() !== GRAPH_JSON);
  if (jsons.length === 1) return jsons[0]!;
  if (jsons.length > 1) {
    const models = jsons.filter((s) => {
      if (s.size > MODEL_LIMITS.maxJsonBytes) return false;
      try {
        const v = JSON.parse(new TextDecoder().decode(s.read())) as unknown;
        return v !== null && typeof v === 'object' && 'weightsManifest' in v;
      } catch {
        return false;
      }
    });
    if (models.length === 1) return models[0]!;
    fail(`${where} several .json files (${jsons.map((s) => s.name).join(', ')}) and none is named model.json; choose the model's model.json and its weights.`);
  }
  return fail(
    zip
      ? `${zip} holds no model.json (it has ${listing}); a LayerLab model zip holds ${MODEL_JSON}, ${WEIGHTS_BIN} and ${GRAPH_JSON}.`
      : `There is no model.json among the files (${listing}): choose model.json together with ${WEIGHTS_BIN}, or the model's .zip.`,
  );
}

/** Finds the file for a manifest path: same path, else same base name (exact, then any case). */
function findPath(sources: Source[], path: string): Source | undefined {
  const clean = path.replace(/^\.\//, '');
  const exact = sources.filter((s) => s.name === clean || s.name.endsWith(`/${clean}`));
  if (exact.length === 1) return exact[0];
  const base = baseName(clean);
  const same = sources.filter((s) => baseName(s.name) === base);
  if (same.length === 1) return same[0];
  const anyCase = sources.filter((s) => baseName(s.name).toLowerCase() === base.toLowerCase());
  return anyCase.length === 1 ? anyCase[0] : undefined;
}

/** Bytes per value of the dtypes tfjs writes unquantized (model weights must be float32). */
const BYTES_PER: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const specBytes = (s: WeightSpec): number => s.shape.reduce((a, b) => a * b, 1) * (BYTES_PER[s.dtype] ?? 4);

/** Reads and checks model files (see the module comment). Throws ModelFileError. */
export function readModelFiles(files: readonly ModelFileInput[]): OpenedModel {
  try {
    return read(files);
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    // Defensive: nothing in a file may crash the app with an unexplained error.
    throw new ModelFileError(`The model files could not be read (${e instanceof Error ? e.message : String(e)}).`);
  }
}

function read(files: readonly ModelFileInput[]): OpenedModel {
  const { sources, zip } = sourcesOf(files);
  const notes: string[] = [];

  // 1. model.json
  const modelSource = findModelJson(sources, zip);
  const mName = baseName(modelSource.name) === MODEL_JSON ? MODEL_JSON : modelSource.name;
  const modelJson = validateModelJson(readJson(modelSource), mName);

  // 2. The weight specs: float32, unique names, bounded total.
  const specs: WeightSpec[] = [];
  const seen = new Set<string>();
  for (const group of modelJson.weightsManifest) {
    for (const spec of group.weights) {
      // Optimizer state (saved with includeOptimizer) is tfjs' business: e.g. Adam's int32 "iter".
      const problem = spec.group === 'optimizer' ? (BYTES_PER[spec.dtype] ? undefined : `${spec.name} is stored as ${spec.dtype}.`) : float32Problem(spec);
      if (problem) fail(`${mName}: ${problem}`);
      if (seen.has(spec.name)) fail(`${mName} describes two weights named ${spec.name}.`);
      seen.add(spec.name);
      specs.push(spec);
    }
  }
  const groupBytes = modelJson.weightsManifest.map((g) => g.weights.reduce((n, s) => n + specBytes(s), 0));
  const described = groupBytes.reduce((a, b) => a + b, 0);
  if (described > MODEL_LIMITS.maxWeightBytes) {
    fail(`${mName} describes ${formatBytes(described)} of weights; LayerLab opens models of up to ${formatBytes(MODEL_LIMITS.maxWeightBytes)}.`);
  }

  // 3. The weight files: present, and exactly as long as the specs describe.
  // A group that describes no bytes (a model without weights) may come without its (empty) file.
  const groups = modelJson.weightsManifest.filter((_, i) => groupBytes[i]! > 0);
  const paths = groups.flatMap((g) => g.paths);
  const found = new Map<string, Source>();
  const missing: string[] = [];
  for (const p of paths) {
    const s = findPath(sources, p);
    if (s && s !== modelSource) found.set(p, s);
    else missing.push(p);
  }
  if (missing.length === 1 && paths.length === 1) {
    const bins = sources.filter((s) => /\.bin$/i.test(s.name));
    if (bins.length === 1) {
      found.set(missing[0]!, bins[0]!);
      notes.push(`${mName} names ${missing[0]}; ${bins[0]!.name} was taken as that file.`);
      missing.length = 0;
    }
  }
  if (missing.length) {
    const names = missing.length > 3 ? `${missing.slice(0, 3).join(', ')} and ${missing.length - 3} more` : missing.join(', ');
    const bins = sources.filter((s) => /\.bin$/i.test(s.name)).map((s) => s.name);
    fail(
      `${mName} names ${names}, which ${missing.length === 1 ? 'is' : 'are'} not among the files${zip ? ` in ${zip}` : ''}` +
        (bins.length ? ` (the .bin files there are ${bins.join(', ')})` : '') +
        `: choose ${mName} together with its weights file${paths.length > 1 ? 's' : ''}.`,
    );
  }
  modelJson.weightsManifest.forEach((g, i) => {
    if (groupBytes[i] === 0) return;
    const shards = g.paths.map((p) => found.get(p)!);
    const size = shards.reduce((n, s) => n + s.size, 0);
    if (size !== groupBytes[i]) {
      const what = shards.length === 1 ? `${shards[0]!.name} has` : `${shards.map((s) => s.name).join(' + ')} have`;
      const why =
        size < groupBytes[i]!
          ? size === 0
            ? ' (the file is empty)'
            : ' (the file is shorter: was it cut short, or does it belong to another model?)'
          : ' (the file is longer: does it belong to another model?)';
      fail(`${what} ${count(size)} bytes but ${mName} describes ${count(groupBytes[i]!)}${why}.`);
    }
  });

  // 4. The graph: inside model.json, else graph.json.
  let graph: GraphDoc | undefined;
  let graphSource: OpenedModel['graphSource'] = 'model.json';
  let graphFile: string | undefined;
  const meta = modelJson.userDefinedMetadata?.[METADATA_KEY] as { graph?: unknown } | undefined;
  if (meta && typeof meta === 'object' && meta.graph !== undefined) {
    const r = parseGraph(meta.graph);
    if (!r.ok) fail(`The graph inside ${mName} is not valid: ${r.message}`);
    else graph = r.doc;
  } else {
    const used = new Set([modelSource, ...found.values()]);
    let g = sources.find((s) => baseName(s.name).toLowerCase() === GRAPH_JSON);
    if (!g) {
      g = sources.find((s) => {
        if (used.has(s) || !isJsonName(s.name) || s.size > MODEL_LIMITS.maxJsonBytes) return false;
        try {
          const v = JSON.parse(new TextDecoder().decode(s.read())) as { format?: unknown } | null;
          return v !== null && typeof v === 'object' && v.format === FORMAT;
        } catch {
          return false;
        }
      });
    }
    if (!g) {
      fail(
        `This ${mName} was not made by LayerLab: it carries no LayerLab graph (userDefinedMetadata.layerlab.graph) and no ${GRAPH_JSON} came with it. ` +
          `LayerLab needs the graph to know the network: choose the ${GRAPH_JSON} saved with this model together with ${mName} and its weights, or build the network in the editor and train it there.`,
      );
    }
    const tooBig = checkFileSize(g!.size);
    if (tooBig) fail(`${g!.name}: ${tooBig}`);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(g!.read());
    } catch {
      return fail(`${g!.name} is not a text file.`);
    }
    const r = parseGraphText(text);
    if (!r.ok) fail(`${g!.name} is not a valid LayerLab graph: ${r.message}`);
    else graph = r.doc;
    graphSource = 'graph.json';
    graphFile = g!.name;
  }
  const analysis = analyzeGraph(graph!);
  if (!analysis.ok) {
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
    fail(
      `The graph ${graphSource === 'model.json' ? `inside ${mName}` : `in ${graphFile}`} has ${errors.length === 1 ? 'an error' : `${errors.length} errors`}, so it cannot be built: ` +
        errors
          .slice(0, 3)
          .map((d) => d.message)
          .join(' ') +
        (errors.length > 3 ? ' …' : ''),
    );
  }

  // 5. The weights fit the graph (names and shapes).
  const modelSpecs = specs.filter((s) => s.group !== 'optimizer');
  const misfit = weightsFitProblem(graph!, modelSpecs, analysis);
  if (misfit) fail(`The weights in ${mName} do not fit its graph. ${misfit}`);

  // 6. Read the weight bytes (unpacking and checksums last: the cheap checks have passed).
  const weightData = new ArrayBuffer(described);
  const bytes = new Uint8Array(weightData);
  let offset = 0;
  const weightFiles: string[] = [];
  for (const p of paths) {
    const s = found.get(p)!;
    const data = s.read();
    if (data.length !== s.size) fail(`${s.name} has ${count(data.length)} bytes where ${count(s.size)} were expected.`);
    bytes.set(data, offset);
    offset += data.length;
    weightFiles.push(s.name);
  }
  const weights: NamedWeight[] = [];
  let at = 0;
  for (const spec of specs) {
    if (spec.group !== 'optimizer') weights.push({ name: spec.name, shape: [...spec.shape], data: new Float32Array(weightData, at, spec.shape.reduce((a, b) => a * b, 1)) });
    at += specBytes(spec);
  }
  return {
    graph: graph!,
    analysis,
    graphSource,
    modelJson,
    weightSpecs: specs,
    weightData,
    weights,
    files: { modelJson: modelSource.name, weights: weightFiles, ...(graphFile ? { graph: graphFile } : {}) },
    notes,
  };
}
