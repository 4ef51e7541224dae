#!/usr/bin/env node
// tdocker, the Docker-compatible CLI of tdockerd. The CLI starts for every command, so start-up
// time is most of what a user waits for: when the build made the bundle (tdocker.cjs, one file
// with grpc-js and the generated code, from bundle.mjs) and it is not older than this file, it is
// compiled with V8's code cache made at build time (Node 20 has no module compile cache, and
// parsing the bundle would otherwise cost more than running the command). Otherwise the modules
// run as tsc built them.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Script } from 'node:vm';

interface Entry {
  main(argv: readonly string[]): Promise<never>;
}

const argv = process.argv.slice(2);
const bundle = new URL('./tdocker.cjs', import.meta.url);

function loadBundle(): Entry | undefined {
  const built = statSync(bundle, { throwIfNoEntry: false });
  if (!built || built.mtimeMs < statSync(new URL(import.meta.url)).mtimeMs) return undefined;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(new URL('./tdocker.cjs.cache', import.meta.url));
  } catch {
    // No cache: the bundle compiles without it (a V8 that rejects it does the same).
  }
  const script = new Script(readFileSync(bundle, 'utf8'), { filename: bundle.pathname, ...(cachedData ? { cachedData } : {}) });
  const wrapped = script.runInThisContext() as (require: NodeRequire, importMetaUrl: string) => Entry;
  return wrapped(createRequire(bundle), bundle.href);
}

const entry = loadBundle() ?? (await import('./cli-entry.js'));
await entry.main(argv);
