/**
 * Shape re-inference after an edit: `analyzeGraph(setParam(doc, node, 'filters', value))` on the
 * flat ResNet-50 (fixtures/resnet50-flat.json), timed in Node and (through a small esbuild
 * bundle of the same sources) in Chromium. The value alternates between two numbers so every run
 * is a real change.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyzeGraph } from '../src/graph/analyze';
import { setParam } from '../src/graph/edit';
import { parseGraphText } from '../src/graph/parse';
import { percentile } from './stats';
import { BROWSER_BUNDLE } from './bundle';

export const EDIT = { node: 'conv2_block1_1_conv', param: 'filters', value: 65 } as const;

export interface TimingSamples {
  samples: number[];
  /** Output shape of the edited node after the last run (a sanity check that the edit took). */
  shape: string;
}

/** The flat ResNet-50 (177 nodes, no blocks) that the editor and re-inference figures measure. */
export const RESNET_FILE = 'fixtures/resnet50-flat.json';

/** A graph file of the repository (`path` relative to its root), as text and parsed. */
export function loadGraphFile(root: string, path: string) {
  const text = readFileSync(resolve(root, path), 'utf8');
  const parsed = parseGraphText(text);
  if (!parsed.ok) throw new Error(`${path} does not parse: ${parsed.message}`);
  return { text, doc: parsed.doc };
}

export const loadPreset = (root: string, name: string) => loadGraphFile(root, join('presets', `${name}.json`));

/** Times the re-inference in this Node process. */
export function reinferInNode(root: string, runs = 200, warmup = 30): TimingSamples {
  const { doc } = loadGraphFile(root, RESNET_FILE);
  if (!doc.nodes.some((n) => n.id === EDIT.node)) throw new Error(`${RESNET_FILE} has no node "${EDIT.node}"`);
  const samples: number[] = [];
  let last = analyzeGraph(doc);
  for (let i = 0; i < warmup + runs; i++) {
    const value = i % 2 ? EDIT.value + 1 : EDIT.value;
    const t0 = performance.now();
    last = analyzeGraph(setParam(doc, EDIT.node, EDIT.param, value));
    const t1 = performance.now();
    if (i >= warmup) samples.push(t1 - t0);
  }
  const shape = last.nodes.get(EDIT.node)?.outputShape;
  return { samples, shape: shape ? shape.join('×') : '?' };
}

/**
 * A browser bundle (IIFE) defining `window.__llReinfer(text, runs, warmup)`, built from the same
 * sources with esbuild (which tsx brings along). Null when esbuild cannot be loaded.
 */
export async function reinferBundle(root: string): Promise<string | null> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return null;
  }
  const contents = `
    import { analyzeGraph } from './src/graph/analyze';
    import { setParam } from './src/graph/edit';
    import { parseGraphText } from './src/graph/parse';
    window.__llReinfer = (text, runs, warmup) => {
      const parsed = parseGraphText(text);
      if (!parsed.ok) throw new Error(parsed.message);
      const doc = parsed.doc;
      const samples = [];
      let last;
      for (let i = 0; i < warmup + runs; i++) {
        const value = i % 2 ? ${EDIT.value + 1} : ${EDIT.value};
        const t0 = performance.now();
        last = analyzeGraph(setParam(doc, ${JSON.stringify(EDIT.node)}, ${JSON.stringify(EDIT.param)}, value));
        const t1 = performance.now();
        if (i >= warmup) samples.push(t1 - t0);
      }
      const shape = last.nodes.get(${JSON.stringify(EDIT.node)})?.outputShape;
      return { samples, shape: shape ? shape.join('×') : '?' };
    };`;
  const out = await esbuild.build({
    stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: 'bench-reinfer.ts' },
    ...BROWSER_BUNDLE,
  });
  return out.outputFiles[0]!.text;
}

export const p95 = (xs: number[]) => percentile(xs, 95);
