// tdocker create: prints the new container's id.
import type { CreateContainerResponse } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { CreateCommand } from '../args/commands/create.js';
import type { Action } from '../cli-context.js';
import { unaryCall } from '../client/unary-call.js';
import { printWarnings } from './print-warnings.js';

export const create: Action<CreateCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  const res = await unaryCall<CreateContainerResponse>((done) => daemon.containers.create(cmd.request, done)).catch((err) => {
    throw cli.fail(err, 'create');
  });
  printWarnings(cli, res.warnings);
  cli.stdout.write(`${res.id}\n`);
  return 0;
};
