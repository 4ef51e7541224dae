#!/usr/bin/env node
// The `tdocker` bin, as the build installs it (bundle.mjs copies this file beside the bundle).
// CommonJS on purpose: a command starts a Node process every time, and an ES module entry costs
// a few milliseconds of ESM loader on each (builtin facades, an asynchronous read of the file).
//
// It runs the bundle (tdocker.cjs: the CLI and the generated code; grpc-js is tdocker-grpc.cjs)
// compiled with V8's code cache made at build time, since Node 20 has no compile cache for user
// code and parsing the bundle would cost more than most commands. As the bin, it trusts the
// bundle the build made: looking at every source's mtime costs milliseconds per command. main.js
// (the entry of a tsc-only build, and of the tests) runs it with `checkSources`: the bundle is
// then used only while no source it was made from (bundle.mjs lists them in tdocker.cjs.inputs)
// is newer than it, so that after a change and a tsc-only build the modules run as tsc built
// them. mtimes of the sources, not of tsc's output: tsc rewrites every file it emits.
'use strict';
const { readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script } = require('node:vm');

const bundle = join(__dirname, 'tdocker.cjs');
const root = join(__dirname, '..', '..', '..');

function fresh() {
  const built = statSync(bundle, { throwIfNoEntry: false });
  if (!built) return false;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(`${bundle}.inputs`, 'utf8'));
  } catch {
    return false;
  }
  for (const path of inputs) {
    const source = statSync(join(root, path), { throwIfNoEntry: false });
    if (!source || source.mtimeMs > built.mtimeMs) return false;
  }
  return true;
}

function loadBundle(checkSources) {
  if (checkSources ? !fresh() : !statSync(bundle, { throwIfNoEntry: false })) return undefined;
  let cachedData;
  try {
    cachedData = readFileSync(`${bundle}.cache`);
  } catch {
    // No cache: the bundle compiles without it (a V8 that rejects it does the same).
  }
  const script = new Script(readFileSync(bundle, 'utf8'), { filename: bundle, ...(cachedData ? { cachedData } : {}) });
  return script.runInThisContext()(require, pathToFileURL(bundle).href);
}

/** Runs the CLI with this process's argv and exits with its code. */
function run({ checkSources = false } = {}) {
  const argv = process.argv.slice(2);
  const entry = loadBundle(checkSources);
  if (entry) entry.main(argv);
  else import('./cli-entry.js').then((m) => m.main(argv));
}

if (require.main === module) run();
else module.exports = { run };
