/**
 * Shape re-inference after an edit: `analyzeGraph(setParam(doc, node, 'filters', value))` on the
 * ResNet-50 preset, timed in Node and (through a small esbuild bundle of the same sources) in
 * Chromium. The value alternates between two numbers so every run is a real change.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

export function loadPreset(root: string, name: string) {
  const text = readFileSync(join(root, 'presets', `${name}.json`), 'utf8');
  const parsed = parseGraphText(text);
  if (!parsed.ok) throw new Error(`presets/${name}.json does not parse: ${parsed.message}`);
  return { text, doc: parsed.doc };
}

/** Times the re-inference in this Node process. */
export function reinferInNode(root: string, runs = 200, warmup = 30): TimingSamples {
  const { doc } = loadPreset(root, 'resnet50');
  if (!doc.nodes.some((n) => n.id === EDIT.node)) throw new Error(`presets/resnet50.json has no node "${EDIT.node}"`);
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
