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
