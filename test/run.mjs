// Runs every test file of the build with Node's test runner. Integration tests need root and the
// native build; the runner itself decides nothing about skipping: each suite says why it skips.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['build/test/unit', 'build/test/integration', 'build/test/e2e'];
const files = [];
const walk = (d) => {
  for (const n of readdirSync(d).sort()) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p);
    else if (n.endsWith('.test.js')) files.push(p);
  }
};
for (const r of roots) {
  if (statSync(r, { throwIfNoEntry: false })?.isDirectory()) walk(r);
  else if (r.endsWith('.js')) files.push(r);
}
if (!files.length) { console.error('no test files under', roots.join(' ')); process.exit(1); }
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
