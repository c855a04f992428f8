/** Regenerates the node catalogue in README.md from the node definitions. */
import { readFileSync, writeFileSync } from 'node:fs';
import { withCatalogue } from '../src/docs/catalogue';

const readme = readFileSync('README.md', 'utf8');
writeFileSync('README.md', withCatalogue(readme));
console.log('README.md node catalogue updated');
