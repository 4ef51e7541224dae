// Writes CgroupLimits into the control files of a v2 cgroup.
import { invalid } from '../errors/tdocker-error.js';
import type { CgroupDir } from './cgroup-dir.js';
import type { CgroupLimits } from './driver.js';
import { sharesToWeight } from './shares-to-weight.js';
import { writeCpuset } from './write-cpuset.js';

export const NO_SWAP_CONTROL = 'swap accounting is off on this host (no memory.swap.max): memory is limited without swap';

const max = (v: number) => (v === -1 ? 'max' : String(v));

async function setSwap(dir: CgroupDir, { memory, memorySwap }: CgroupLimits, warnings: string[]): Promise<void> {
  if (memorySwap === undefined) return;
  if (!(await dir.has('memory.swap.max'))) {
    warnings.push(NO_SWAP_CONTROL);
    return;
  }
  if (memorySwap === -1) return dir.write('memory.swap.max', 'max');
  // v2 limits swap on its own, v1 and Docker limit memory+swap together.
  const mem = memory ?? (await dir.readLimit('memory.max'));
  if (mem === undefined || mem === -1) throw invalid('a memory+swap limit needs a memory limit');
  await dir.write('memory.swap.max', memorySwap - mem);
}

async function setCpuMax(dir: CgroupDir, { cpuQuota, cpuPeriod }: CgroupLimits): Promise<void> {
  if (cpuQuota === undefined && cpuPeriod === undefined) return;
  // cpu.max is "QUOTA [PERIOD]": a period alone has to repeat the quota that is there.
  const quota = cpuQuota === undefined ? (await dir.read('cpu.max')).split(/\s+/)[0] : max(cpuQuota);
  await dir.write('cpu.max', cpuPeriod === undefined ? quota : `${quota} ${cpuPeriod}`, {
    EINVAL: "the quota does not fit in the parent cgroup's cpu bandwidth",
  });
}

/** Returns warnings. */
export async function applyV2Limits(dir: CgroupDir, limits: CgroupLimits): Promise<string[]> {
  const warnings: string[] = [];
  // v2 does not refuse a limit below usage: it reclaims and, failing that, OOM-kills.
  if (limits.memory !== undefined) await dir.write('memory.max', max(limits.memory));
  await setSwap(dir, limits, warnings);
  await setCpuMax(dir, limits);
  if (limits.cpuShares) await dir.write('cpu.weight', sharesToWeight(limits.cpuShares));
  if (limits.cpusetCpus !== undefined) await writeCpuset(dir, 'cpuset.cpus', limits.cpusetCpus, 'cpuset.cpus.effective');
  if (limits.cpusetMems !== undefined) await writeCpuset(dir, 'cpuset.mems', limits.cpusetMems, 'cpuset.mems.effective');
  if (limits.pidsLimit !== undefined) await dir.write('pids.max', limits.pidsLimit <= 0 ? 'max' : limits.pidsLimit);
  return warnings;
}
