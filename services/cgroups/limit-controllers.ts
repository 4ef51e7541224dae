// Which controllers the limits that are set need.
import type { CgroupLimits } from './driver.js';

export function limitControllers(l: CgroupLimits): string[] {
  const out: string[] = [];
  if (l.memory !== undefined || l.memorySwap !== undefined) out.push('memory');
  if (l.cpuQuota !== undefined || l.cpuPeriod !== undefined || l.cpuShares) out.push('cpu');
  if (l.cpusetCpus !== undefined || l.cpusetMems !== undefined) out.push('cpuset');
  if (l.pidsLimit !== undefined) out.push('pids');
  return out;
}
