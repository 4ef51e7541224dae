#!/usr/bin/env node
// tdocker as tsc builds it. The build's bin is bin.cjs (copied beside this file by the bundle
// step, see bundle.mjs): it runs the bundle when that is current, else these modules. Without
// the bundle step (a tsc-only build) the modules run directly.
import { createRequire } from 'node:module';

// Builtins through require: an ES import of node:fs builds its whole facade (stream classes too).
const require = createRequire(import.meta.url);
const { existsSync } = require('node:fs') as typeof import('node:fs');

if (existsSync(new URL('./bin.cjs', import.meta.url))) require('./bin.cjs');
else await (await import('./cli-entry.js')).main(process.argv.slice(2));
