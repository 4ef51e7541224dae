// Starts one container (a shell that exits 143 on SIGTERM) and hangs until it is killed: the
// survival test kills this process to show the container does not depend on it.
import { detectCgroupDriver } from '../../services/cgroups/detect-cgroup-driver.js';
import { ContainerRunner } from '../../services/daemon/container-runner.js';

const [root, runRoot, group, image, id] = process.argv.slice(2) as [string, string, string, string, string];
const runner = new ContainerRunner({ root, runRoot, cgroups: await detectCgroupDriver({ group }) });
const { pid } = await runner.run({
  id,
  lowers: [image],
  process: { args: ['sh', '-c', 'trap "exit 143" TERM; while :; do sleep 0.05; done'] },
});
process.stdout.write(`started ${pid}\n`);
setInterval(() => {}, 1 << 30);
