// Docker's --cpus: a number of CPUs, turned into a CFS quota over the default 100 ms period.
import { invalid } from '../errors/tdocker-error.js';

export const CPU_PERIOD_US = 100_000;

export function parseCpus(text: string | number): { cpuQuota: number; cpuPeriod: number } {
  const s = String(text).trim();
  const cpus = /^\d*\.?\d+$/.test(s) ? Number(s) : NaN;
  if (!(cpus > 0)) throw invalid(`invalid --cpus '${text}': must be a number of CPUs above 0, such as 1.5`);
  const cpuQuota = Math.round(cpus * CPU_PERIOD_US);
  // The kernel's smallest quota is 1 ms.
  if (cpuQuota < 1000) throw invalid(`invalid --cpus '${text}': must be at least 0.01`);
  if (!Number.isSafeInteger(cpuQuota)) throw invalid(`invalid --cpus '${text}': too large`);
  return { cpuQuota, cpuPeriod: CPU_PERIOD_US };
}
