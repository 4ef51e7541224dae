// Refuses limits no kernel would take, before anything is made or changed.
import { invalid } from '../errors/tdocker-error.js';
import type { CgroupLimits } from './driver.js';

const CPU_LIST = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

function integer(name: string, v: number | undefined, ok: (v: number) => boolean, rule: string): void {
  if (v === undefined) return;
  if (!Number.isSafeInteger(v) || !ok(v)) throw invalid(`invalid ${name} ${v}: ${rule}`);
}

export function validateLimits(l: CgroupLimits): void {
  integer('memory limit', l.memory, (v) => v > 0 || v === -1, 'must be a positive number of bytes, or -1 for unlimited');
  integer('memory+swap limit', l.memorySwap, (v) => v > 0 || v === -1, 'must be a positive number of bytes, or -1 for unlimited');
  if (l.memory !== undefined && l.memorySwap !== undefined && l.memorySwap !== -1 && (l.memory === -1 || l.memorySwap < l.memory)) {
    throw invalid(`invalid memory+swap limit ${l.memorySwap}: must not be below the memory limit ${l.memory}`);
  }
  integer('cpu quota', l.cpuQuota, (v) => v >= 1000 || v === -1, 'must be at least 1000 µs, or -1 for unlimited');
  integer('cpu period', l.cpuPeriod, (v) => v >= 1000 && v <= 1_000_000, 'must be between 1000 and 1000000 µs');
  integer('cpu shares', l.cpuShares, (v) => v === 0 || (v >= 2 && v <= 262144), 'must be between 2 and 262144');
  integer('pids limit', l.pidsLimit, (v) => v >= -1, 'must be a number of tasks, or 0 or -1 for unlimited');
  for (const [name, v] of [['cpuset cpus', l.cpusetCpus], ['cpuset mems', l.cpusetMems]] as const) {
    if (v !== undefined && !CPU_LIST.test(v)) throw invalid(`invalid ${name} '${v}': use a list such as 0-2,4`);
  }
}
