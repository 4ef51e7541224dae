// tdocker container prune [-f] [--filter label=…]: asks first (unless -f), then prints what went,
// as Docker.
import type { PruneContainersResponse } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { ContainerPruneCommand } from '../args/commands/container-prune.js';
import type { Action } from '../cli-context.js';
import { unaryCall } from '../client/unary-call.js';
import { humanSize } from '../format/human-size.js';
import { confirmed } from '../io/confirmed.js';

export const containerPrune: Action<ContainerPruneCommand> = async (cmd, cli) => {
  if (!cmd.force) {
    cli.stdout.write('WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ');
    if (!(await confirmed(cli))) return 0;
  }
  const daemon = await cli.daemon();
  const res = await unaryCall<PruneContainersResponse>((done) => daemon.containers.prune({ filters: cmd.filters }, done)).catch((err) => {
    throw cli.fail(err, 'container prune');
  });
  if (res.containersDeleted.length) cli.stdout.write(`Deleted Containers:\n${res.containersDeleted.join('\n')}\n\n`);
  cli.stdout.write(`Total reclaimed space: ${humanSize(res.spaceReclaimed)}\n`);
  return 0;
};
