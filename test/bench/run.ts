// Runs every benchmark of test/bench, one after another (they measure beside runc, crun and
// podman in the same run, so they must not overlap), or the ones named: `npm run bench -- runtime-start`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ALL = ['runtime-start', 'actors-scale', 'daemon-scale', 'daemon-run', 'images-import', 'images-pull', 'events-latency', 'events-burst', 'network-start'];
const names = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
let failed = 0;
for (const name of names) {
  if (!ALL.includes(name)) {
    console.error(`unknown benchmark '${name}' (one of: ${ALL.join(', ')})`);
    process.exit(2);
  }
  console.log(`\n## ${name}`);
  const script = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', script], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
