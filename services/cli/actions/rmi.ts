// tdocker rmi: "Untagged: ..." and "Deleted: ..." lines for each image, as Docker prints them.
import type { RemoveImageResponse } from '../../../proto/gen/tinydocker/v1/images.js';
import type { RmiCommand } from '../args/commands/rmi.js';
import type { Action } from '../cli-context.js';
import { isCallFailure, isConnectFailure } from '../client/daemon-error.js';
import { unaryCall } from '../client/unary-call.js';

export const rmi: Action<RmiCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  let failed = false;
  for (const req of cmd.requests) {
    try {
      const res = await unaryCall<RemoveImageResponse>((done) => daemon.images.remove(req, done));
      for (const item of res.items) {
        if (item.untagged) cli.stdout.write(`Untagged: ${item.untagged}\n`);
        if (item.deleted) cli.stdout.write(`Deleted: ${item.deleted}\n`);
      }
    } catch (err) {
      if (isCallFailure(err) && isConnectFailure(err)) throw cli.fail(err, 'rmi');
      failed = true;
      cli.stderr.write(`${cli.fail(err, `rmi ${req.reference}`).line}\n`);
    }
  }
  return failed ? 125 : 0;
};
