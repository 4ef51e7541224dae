// tdocker stats: one table of every running container (all with -a, or those named). With
// --no-stream one sample each and the table once; else the table is redrawn every second from
// the latest sample of each (the screen cleared first on a terminal) until every stream ends.
import type { ContainerStats, ListContainersResponse } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { StatsCommand } from '../args/commands/stats.js';
import type { Action, CliContext } from '../cli-context.js';
import { unaryCall } from '../client/unary-call.js';
import { formatStats } from '../format/stats-table.js';

const redrawMs = 1000;

async function containerIds(cli: CliContext, cmd: StatsCommand): Promise<string[]> {
  if (cmd.requests.length > 0) return cmd.requests.map((r) => r.id);
  const daemon = await cli.daemon();
  const res = await unaryCall<ListContainersResponse>((done) => daemon.containers.list({ all: cmd.all, filters: [], limit: 0 }, done));
  return res.containers.map((c) => c.id);
}

export const stats: Action<StatsCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  const ids = await containerIds(cli, cmd).catch((err) => {
    throw cli.fail(err, 'stats');
  });
  const latest = new Map<string, ContainerStats>(ids.map((id) => [id, { id, name: '', netRxBytes: 0, netTxBytes: 0, blockReadBytes: 0, blockWriteBytes: 0, pidsCurrent: 0, pidsLimit: 0 }]));
  const table = () => formatStats([...latest.values()], { noTrunc: cmd.noTrunc, format: cmd.format });
  const streams = ids.map((id) => new Promise<void>((resolve, reject) => {
    const call = daemon.containers.stats({ id, stream: !cmd.noStream });
    call.on('data', (s: ContainerStats) => {
      latest.set(id, s);
      if (cmd.noStream) call.cancel();
    });
    call.on('error', (err: { code?: number }) => (cmd.noStream && err.code === 1 ? resolve() : reject(err)));
    call.on('end', () => resolve());
  }).catch((err) => {
    throw cli.fail(err, `stats ${id}`);
  }));

  if (cmd.noStream) {
    await Promise.all(streams);
    cli.stdout.write(table());
    return 0;
  }
  const clear = cli.stdout.isTTY ? '\x1b[2J\x1b[H' : '';
  const timer = setInterval(() => cli.stdout.write(clear + table()), redrawMs);
  try {
    await Promise.all(streams);
  } finally {
    clearInterval(timer);
  }
  cli.stdout.write(clear + table());
  return 0;
};
