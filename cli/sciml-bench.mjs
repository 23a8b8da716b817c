#!/usr/bin/env node
// Launcher: registers tsx's ESM loader so the TypeScript sources run as they are, then runs the CLI.
// process.exit at the end: a WebGPU device (Dawn) keeps Node's event loop alive otherwise.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exit(await main(process.argv.slice(2)));
