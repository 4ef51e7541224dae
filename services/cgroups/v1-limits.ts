// Writes CgroupLimits into the control files of v1 hierarchies.
import { TdockerError, invalid } from '../errors/tdocker-error.js';
import type { CgroupDir } from './cgroup-dir.js';
import type { CgroupLimits } from './driver.js';
import { writeCpuset } from './write-cpuset.js';

export const NO_SWAP_ACCOUNTING =
  'swap accounting is off on this host (no memory.memsw.limit_in_bytes): memory is limited without swap';

const MEMORY_HINTS = {
  EBUSY: 'the cgroup already uses more memory than that and the kernel could not reclaim it',
  EINVAL: 'the memory limit cannot be above the memory+swap limit (set memorySwap as well)',
};
const SWAP_HINTS = {
  EBUSY: 'the cgroup already uses more memory+swap than that',
  EINVAL: 'the memory+swap limit cannot be below the memory limit',
};

async function setMemory(mem: CgroupDir, { memory, memorySwap }: CgroupLimits, warnings: string[]): Promise<void> {
  let swap = memorySwap;
  if (swap !== undefined && !(await mem.has('memory.memsw.limit_in_bytes'))) {
    warnings.push(NO_SWAP_ACCOUNTING);
    swap = undefined;
  }
  if (swap !== undefined && swap !== -1 && memory === undefined) {
    const current = await mem.readLimit('memory.limit_in_bytes');
    if (current === undefined) throw invalid('a memory+swap limit needs a memory limit');
  }
  const writeMemory = async () => {
    if (memory !== undefined) await mem.write('memory.limit_in_bytes', memory, MEMORY_HINTS);
  };
  const writeSwap = async () => {
    if (swap !== undefined) await mem.write('memory.memsw.limit_in_bytes', swap, SWAP_HINTS);
  };
  // The kernel keeps memory <= memory+swap after every single write: when the memory limit goes
  // up, memsw has to go up first; when it goes down, memory has to go down first.
  const raising = memory === -1 || (memory !== undefined && swap !== undefined &&
    BigInt(memory) > (await mem.readBigInt('memory.limit_in_bytes')));
  if (raising) {
    await writeSwap();
    await writeMemory();
  } else {
    await writeMemory();
    await writeSwap();
  }
}

async function setCpu(cpu: CgroupDir, { cpuQuota, cpuPeriod, cpuShares }: CgroupLimits): Promise<void> {
  let retryPeriod = false;
  if (cpuPeriod !== undefined) {
    try {
      await cpu.write('cpu.cfs_period_us', cpuPeriod);
    } catch (err) {
      // A shorter period is refused while the old quota over it would exceed the parent's
      // bandwidth; it fits once the new quota is in (runc does the same).
      if (cpuQuota === undefined || !(err instanceof TdockerError) || err.code !== 'INVALID_ARGUMENT') throw err;
      retryPeriod = true;
    }
  }
  if (cpuQuota !== undefined) {
    await cpu.write('cpu.cfs_quota_us', cpuQuota, { EINVAL: "the quota does not fit in the parent cgroup's cpu bandwidth" });
  }
  if (retryPeriod) await cpu.write('cpu.cfs_period_us', cpuPeriod!);
  if (cpuShares) await cpu.write('cpu.shares', cpuShares);
}

/** `need` returns the leaf dir of the hierarchy holding a controller, or throws. Returns warnings. */
export async function applyV1Limits(need: (controller: string) => CgroupDir, limits: CgroupLimits): Promise<string[]> {
  const warnings: string[] = [];
  if (limits.memory !== undefined || limits.memorySwap !== undefined) await setMemory(need('memory'), limits, warnings);
  if (limits.cpuQuota !== undefined || limits.cpuPeriod !== undefined || limits.cpuShares) await setCpu(need('cpu'), limits);
  if (limits.cpusetCpus !== undefined) await writeCpuset(need('cpuset'), 'cpuset.cpus', limits.cpusetCpus, 'cpuset.effective_cpus');
  if (limits.cpusetMems !== undefined) await writeCpuset(need('cpuset'), 'cpuset.mems', limits.cpusetMems, 'cpuset.effective_mems');
  // pids.max 0 would forbid every fork: Docker's 0 means unlimited.
  if (limits.pidsLimit !== undefined) await need('pids').write('pids.max', limits.pidsLimit <= 0 ? 'max' : limits.pidsLimit);
  return warnings;
}
