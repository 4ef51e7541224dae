#!/usr/bin/env node
// tdocker as tsc builds it, and as the tests run it. The build's bin is bin.cjs (copied beside
// this file by the bundle step, see bundle.mjs); through it, this runs the bundle only while no
// source it was made from is newer, else these modules. Without the bundle step (a tsc-only
// build) the modules run directly.
import { createRequire } from 'node:module';

// Builtins through require: an ES import of node:fs builds its whole facade (stream classes too).
const require = createRequire(import.meta.url);
const { existsSync } = require('node:fs') as typeof import('node:fs');

if (existsSync(new URL('./bin.cjs', import.meta.url))) (require('./bin.cjs') as { run(o: { checkSources: boolean }): void }).run({ checkSources: true });
else await (await import('./cli-entry.js')).main(process.argv.slice(2));
