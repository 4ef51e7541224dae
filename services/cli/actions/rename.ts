// tdocker rename: prints nothing, as Docker.
import type { RenameCommand } from '../args/commands/rename.js';
import type { Action } from '../cli-context.js';
import { unaryCall } from '../client/unary-call.js';

export const rename: Action<RenameCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  await unaryCall((done) => daemon.containers.rename(cmd.request, done)).catch((err) => {
    throw cli.fail(err, `rename ${cmd.request.id}`);
  });
  return 0;
};
