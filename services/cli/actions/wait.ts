// tdocker wait: prints each container's exit code once it has stopped. As Docker's, the CLI's
// own status is 0 (125 when a container could not be waited for): the codes are the output.
import type { WaitContainerResponse } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { WaitCommand } from '../args/commands/wait.js';
import type { Action } from '../cli-context.js';
import { isCallFailure, isConnectFailure } from '../client/daemon-error.js';
import { unaryCall } from '../client/unary-call.js';

export const wait: Action<WaitCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  const waits = cmd.requests.map((req) => unaryCall<WaitContainerResponse>((done) => daemon.containers.wait(req, done)));
  let failed = false;
  for (const [i, w] of waits.entries()) {
    try {
      const res = await w;
      cli.stdout.write(`${res.status?.exitCode ?? 0}\n`);
    } catch (err) {
      if (isCallFailure(err) && isConnectFailure(err)) throw cli.fail(err, 'wait');
      failed = true;
      cli.stderr.write(`${cli.fail(err, `wait ${cmd.requests[i]!.id}`).line}\n`);
    }
  }
  return failed ? 125 : 0;
};
