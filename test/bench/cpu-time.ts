// CPU time for the benchmarks that compare it beside wall time.
import { readFileSync } from 'node:fs';

/** CPU ms (user+sys) of this process, all threads. */
export const selfCpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** CPU ms (user+sys) of the children waited for (cutime+cstime in /proc/self/stat, in 1/100 s). */
export const childCpu = (): number => {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
};

/** CPU ms (user+sys) of another process, all its threads, or of one thread (tid) of it. */
export const procCpu = (pid: number, tid?: number): number => {
  const path = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  const f = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
};

/**
 * CPU ms the whole machine spent busy (all CPUs, every process and the kernel), from the first
 * line of /proc/stat: what a batch cost in all, daemons, shims and kernel work included. Other
 * work on the machine counts too, so compare runs made side by side.
 */
export const machineBusy = (): number => {
  const f = readFileSync('/proc/stat', 'utf8').slice(0, 200).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + f[4]!; // idle, iowait
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // guest time is counted in user already
  return ((total - idle) * 1000) / 100;
};
