// `tdocker stats` rows from ContainerStats samples, computed as Docker computes them: CPU % is
// the container's share of the host's CPU time since the previous sample times the online CPUs;
// memory as used / limit in powers of 1024; network and block I/O in powers of 1000.
import type { ContainerStats } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { OutputFormat } from '../values/parse-output-format.js';
import { bytesSize, humanSize } from './human-size.js';
import { formatRows, type RowsLayout } from './rows-output.js';

export const statsLayout: RowsLayout = {
  table: '{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}',
  headers: {
    Container: 'CONTAINER', ID: 'CONTAINER ID', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT',
    MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
  },
};

export function cpuPercent(s: ContainerStats): number {
  if (!s.cpu || !s.precpu) return 0;
  const cpuDelta = s.cpu.totalUsage - s.precpu.totalUsage;
  const systemDelta = s.cpu.systemUsage - s.precpu.systemUsage;
  if (cpuDelta <= 0 || systemDelta <= 0) return 0;
  return (cpuDelta / systemDelta) * (s.cpu.onlineCpus || 1) * 100;
}

export function memoryPercent(s: ContainerStats): number {
  return s.memory && s.memory.limit > 0 ? (s.memory.usage / s.memory.limit) * 100 : 0;
}

export function statsRow(s: ContainerStats, opts: { noTrunc: boolean }): Record<string, string> {
  const id = opts.noTrunc ? s.id : s.id.slice(0, 12);
  return {
    Container: id,
    ID: id,
    Name: s.name.replace(/^\//, ''),
    CPUPerc: `${cpuPercent(s).toFixed(2)}%`,
    MemUsage: `${bytesSize(s.memory?.usage ?? 0)} / ${bytesSize(s.memory?.limit ?? 0)}`,
    MemPerc: `${memoryPercent(s).toFixed(2)}%`,
    NetIO: `${humanSize(s.netRxBytes)} / ${humanSize(s.netTxBytes)}`,
    BlockIO: `${humanSize(s.blockReadBytes)} / ${humanSize(s.blockWriteBytes)}`,
    PIDs: String(s.pidsCurrent),
  };
}

export function formatStats(samples: readonly ContainerStats[], opts: { noTrunc: boolean; format: OutputFormat }): string {
  return formatRows(opts.format, samples.map((s) => statsRow(s, opts)), statsLayout);
}
