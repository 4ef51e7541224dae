// tdocker commit CONTAINER [REPO[:TAG]]: prints the new image's id, as Docker.
import type { CommitContainerResponse } from '../../../proto/gen/tinydocker/v1/images.js';
import type { CommitCommand } from '../args/commands/commit.js';
import type { Action } from '../cli-context.js';
import { unaryCall } from '../client/unary-call.js';

export const commit: Action<CommitCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  const res = await unaryCall<CommitContainerResponse>((done) => daemon.images.commit(cmd.request, done)).catch((err) => {
    throw cli.fail(err, `commit ${cmd.request.container}`);
  });
  cli.stdout.write(`${res.id}\n`);
  return 0;
};
