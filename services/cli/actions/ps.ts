// tdocker ps.
import type { ListContainersResponse } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { PsCommand } from '../args/commands/ps.js';
import type { Action } from '../cli-context.js';
import { unaryCall } from '../client/unary-call.js';
import { formatPs } from '../format/ps-table.js';

export const ps: Action<PsCommand> = async (cmd, cli) => {
  if (cmd.fleet) return (await import('./ps-fleet.js')).psFleet(cmd, cli);
  const daemon = await cli.daemon();
  const res = await unaryCall<ListContainersResponse>((done) => daemon.containers.list(cmd.request, done)).catch((err) => {
    throw cli.fail(err, 'ps');
  });
  cli.stdout.write(formatPs(res.containers, { quiet: cmd.quiet, noTrunc: cmd.noTrunc, format: cmd.format, nowMs: cli.now() }));
  return 0;
};
