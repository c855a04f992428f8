import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_DEFS } from '../../nodes/registry';
import { analyzeGraph } from '../graph/analyze';
import { parseGraphText } from '../graph/parse';
import { catalogueMarkdown, withCatalogue } from './catalogue';

describe('the node catalogue in the README', () => {
  it('is generated from the current node definitions (run `npx tsx scripts/gen-docs.ts`)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(withCatalogue(readme)).toBe(readme);
  });

  it('lists every node type and every parameter', () => {
    const md = catalogueMarkdown();
    for (const d of NODE_DEFS) {
      expect(md).toContain(`| \`${d.type}\` | ${d.title} |`);
      for (const p of Object.keys(d.params)) expect(md).toContain(`| \`${p}\` |`);
    }
  });
});

describe('the preset table in the README', () => {
  it('quotes each preset with its real parameter count', () => {
    const root = join(__dirname, '..', '..');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const file of readdirSync(join(root, 'presets')).filter((f) => f.endsWith('.json'))) {
      const r = parseGraphText(readFileSync(join(root, 'presets', file), 'utf8'));
      if (!r.ok) throw new Error(r.message);
      const total = analyzeGraph(r.doc).totals.params.toLocaleString('en-US');
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${file.replace(/\.json$/, '')}\` |`));
      expect(row, `README row for ${file}`).toBeDefined();
      expect(row!.split('|').at(-2)!.trim().split(' ')[0]).toBe(total);
    }
  });
});
