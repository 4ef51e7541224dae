// Stats: samples of the container's cgroup (CPU time, memory, pids) with the host's CPU time at
// the same moment, so a client can compute CPU % as Docker does.
import type { ServerWritableStream } from '@grpc/grpc-js';
import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import type { ContainerStats, CpuUsage, StatsRequest } from '../../proto/gen/tinydocker/v1/containers.js';
import type { GatewayContext } from './gateway-context.js';
import { toServiceError } from './grpc-status.js';
import { streamWrite } from './stream-write.js';
import { nowTimestamp } from './timestamp.js';
import { cancelSignal } from './unary-call.js';

/** USER_HZ: /proc/stat counts in 1/100 s on Linux. */
const CLOCK_TICKS = 100;

async function hostCpuNanos(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0]!;
  const ticks = line.split(/\s+/).slice(1, 8).reduce((sum, n) => sum + Number(n || 0), 0);
  return (ticks * 1e9) / CLOCK_TICKS;
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

export async function statsCall(ctx: GatewayContext, call: ServerWritableStream<StatsRequest, ContainerStats>): Promise<void> {
  const signal = cancelSignal(call);
  try {
    const v = ctx.supervisor.get(call.request.id);
    const id = v.record.id;
    const cgroup = ctx.runner.cgroup(id);
    const online = cpus().length;
    const sample = async (): Promise<{ cpu: CpuUsage; stats: ContainerStats }> => {
      const view = ctx.supervisor.get(id);
      const live = view.state === 'running' || view.state === 'paused';
      const [s, system] = await Promise.all([live ? cgroup.stats().catch(() => ({})) : Promise.resolve({}), hostCpuNanos()]);
      const st = s as Awaited<ReturnType<typeof cgroup.stats>>;
      const cpu: CpuUsage = { totalUsage: st.cpu?.usageNs ?? 0, systemUsage: system, onlineCpus: online };
      return {
        cpu,
        stats: {
          id,
          name: `/${view.record.name}`,
          read: nowTimestamp(),
          cpu,
          memory: { usage: st.memory?.usage ?? 0, maxUsage: st.memory?.maxUsage ?? 0, limit: st.memory?.limit ?? totalmem(), failcnt: 0 },
          pidsCurrent: st.pids?.current ?? 0,
          pidsLimit: st.pids?.limit ?? 0,
          blockReadBytes: 0,
          blockWriteBytes: 0,
          netRxBytes: 0,
          netTxBytes: 0,
        },
      };
    };
    let prev = await sample();
    if (!call.request.stream) {
      await sleep(200, signal);
      const next = await sample();
      await streamWrite(call, { ...next.stats, precpu: prev.cpu }, signal);
      call.end();
      return;
    }
    await streamWrite(call, prev.stats, signal);
    while (!signal.aborted) {
      await sleep(1000, signal);
      if (signal.aborted) break;
      let next;
      try {
        next = await sample();
      } catch {
        break; // the container went away
      }
      await streamWrite(call, { ...next.stats, precpu: prev.cpu }, signal);
      prev = next;
    }
    call.end();
  } catch (err) {
    if (!signal.aborted) call.emit('error', toServiceError(err));
  }
}
