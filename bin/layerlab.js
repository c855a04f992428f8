#!/usr/bin/env node
// The `layerlab` command. The CLI is written in TypeScript (src/cli/); tsx compiles it on the fly.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
