// Prune: every container that is not running goes (Docker's `container prune`), with the bytes
// its writable layer held.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid } from '../errors/tdocker-error.js';
import type { PruneContainersRequest, PruneContainersResponse } from '../../proto/gen/tinydocker/v1/containers.js';
import type { ContainerState } from '../supervisor/container-record.js';
import { containerFilter } from './container-filters.js';
import type { GatewayContext } from './gateway-context.js';

const STOPPED: ReadonlySet<ContainerState> = new Set(['created', 'exited', 'dead']);

export async function pruneContainers(ctx: GatewayContext, req: PruneContainersRequest): Promise<PruneContainersResponse> {
  const odd = req.filters.find((f) => f.key !== 'label');
  if (odd) throw invalid(`invalid filter "${odd.key}": container prune takes label`);
  const keep = containerFilter(req.filters);
  const res: PruneContainersResponse = { containersDeleted: [], spaceReclaimed: 0 };
  for (const v of ctx.supervisor.list()) {
    if (!STOPPED.has(v.state) || !keep(v)) continue;
    const id = v.record.id;
    const size = await filesSize(join(ctx.runner.paths(id).dir, 'upper'));
    // Without force: one that was started meanwhile is refused, and stays.
    const removed = await ctx.supervisor.remove(id, { force: false }).then(() => true, () => false);
    if (!removed) continue;
    res.containersDeleted.push(id);
    res.spaceReclaimed += size;
  }
  return res;
}

/** Bytes of the regular files under `dir` (Docker's SizeRw); 0 when there is none. */
async function filesSize(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  let bytes = 0;
  for (const e of entries) {
    if (e.isFile()) bytes += (await lstat(join(e.parentPath, e.name)).catch(() => ({ size: 0 }))).size;
  }
  return bytes;
}
