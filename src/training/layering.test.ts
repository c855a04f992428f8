/**
 * Data flows one way: editor -> training -> messages -> views. Training never imports the editor
 * (it reports notices through its own store, which the editor reads), and it shares weight helpers
 * with export through src/model rather than importing export. Every file under src/training is
 * scanned for static imports, re-exports, dynamic imports and worker URLs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..');
const training = resolve(__dirname);

/** Every module specifier in a source text: import/export … from, import '…', import(…), new URL('…', import.meta.url). */
export function importSpecifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s+(?:type\s+)?[^'";]*?\sfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bnew\s+URL\s*\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

/** "src/training/client.ts imports ../editor/store" for each import of a file under `forbidden`. */
function importsInto(files: string[], forbidden: string): string[] {
  const bad: string[] = [];
  for (const file of files) {
    for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      if (target === forbidden || target.startsWith(forbidden + '/')) bad.push(`${relative(root, file)} imports ${spec}`);
    }
  }
  return bad;
}

describe('training depends on neither the editor nor export', () => {
  // (This file's own examples of forbidden imports are strings, not imports.)
  const files = sourceFiles(training).filter((f) => f !== resolve(__filename));

  it('finds the files and their imports', () => {
    expect(files.map((f) => relative(root, f))).toEqual(expect.arrayContaining(['src/training/client.ts', 'src/training/worker.ts', 'src/training/store.ts']));
    const worker = importSpecifiers(readFileSync(join(training, 'worker.ts'), 'utf8'));
    expect(worker).toEqual(expect.arrayContaining(['@tensorflow/tfjs', '../model/tfjs-weights', './feature-maps', './data/mnist']));
    expect(importSpecifiers(readFileSync(join(training, 'client.ts'), 'utf8'))).toContain('./worker.ts');
  });

  it('the scanner sees every form of import', () => {
    const text = [
      "import { a } from '../editor/store';",
      "import type { B } from '../editor/types';",
      "export { c } from '../editor/c';",
      "import '../editor/side-effect';",
      "const d = await import('../editor/lazy');",
      "new Worker(new URL('../editor/w.ts', import.meta.url));",
      "// import { no } from '../editor/comment-in-the-middle-of-a-line' is not at a line start",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['../editor/store', '../editor/types', '../editor/c', '../editor/side-effect', '../editor/lazy', '../editor/w.ts']);
  });

  it('no file under src/training imports from src/editor', () => {
    expect(importsInto(files, resolve(root, 'src', 'editor'))).toEqual([]);
  });

  it('no file under src/training imports from src/export (shared weight helpers live in src/model)', () => {
    expect(importsInto(files, resolve(root, 'src', 'export'))).toEqual([]);
  });
});
