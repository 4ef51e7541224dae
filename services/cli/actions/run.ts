// tdocker run: -d creates and starts in one call (Run) and prints the id; otherwise one Attach
// call creates, attaches, starts (and with --rm waits for the removal), and the CLI exits with
// the container's code.
import type { RunContainerResponse } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { RunCommand } from '../args/commands/run.js';
import { CliError } from '../cli-error.js';
import type { Action } from '../cli-context.js';
import { unaryCall } from '../client/unary-call.js';
import { attachToContainer } from './attach-to-container.js';
import { printWarnings } from './print-warnings.js';

export const run: Action<RunCommand> = async (cmd, cli) => {
  const { request } = cmd;
  const tty = request.config?.tty ?? false;
  if (tty && cmd.interactive && !cli.stdin.isTTY) throw new CliError('run', 'the input device is not a TTY (drop -t, or run from a terminal)');
  if (cmd.detach) {
    const daemon = await cli.daemon();
    const res = await unaryCall<RunContainerResponse>((done) => daemon.containers.run(request, done)).catch((err) => {
      throw cli.fail(err, 'run');
    });
    printWarnings(cli, res.warnings);
    cli.stdout.write(`${res.id}\n`);
    return 0;
  }
  return attachToContainer({
    id: '',
    create: request,
    start: true,
    tty,
    stdin: cmd.interactive,
    detachKeys: cmd.detachKeys,
    sigProxy: cmd.sigProxy,
    autoRemove: request.hostConfig?.autoRemove ?? false,
    what: 'run',
  }, cli);
};
