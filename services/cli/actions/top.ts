// tdocker top: the container's processes as ps prints them, in aligned columns.
import type { TopResponse } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { TopCommand } from '../args/commands/top.js';
import type { Action } from '../cli-context.js';
import { unaryCall } from '../client/unary-call.js';
import { textTable } from '../format/text-table.js';

export const top: Action<TopCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  const res = await unaryCall<TopResponse>((done) => daemon.containers.top(cmd.request, done)).catch((err) => {
    throw cli.fail(err, `top ${cmd.request.id}`);
  });
  cli.stdout.write(textTable([res.titles, ...res.processes.map((p) => p.columns)]));
  return 0;
};
