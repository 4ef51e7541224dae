// tdocker attach: the terminal to a running container's stdio, until it exits (its code) or the
// user detaches (0).
import type { AttachCommand } from '../args/commands/attach.js';
import { CliError } from '../cli-error.js';
import type { Action } from '../cli-context.js';
import { attachToContainer } from './attach-to-container.js';
import { inspectContainer } from './inspect-container.js';

export const attach: Action<AttachCommand> = async (cmd, cli) => {
  const { id } = cmd.options;
  const what = `attach ${id}`;
  const c = await inspectContainer(cli, id, what);
  if (c.state?.paused) throw new CliError(what, 'you cannot attach to a paused container, unpause it first');
  if (!c.state?.running) throw new CliError(what, 'you cannot attach to a stopped container, start it first');
  const tty = c.config?.tty ?? false;
  if (tty && cmd.options.stdin && (c.config?.openStdin ?? false) && !cli.stdin.isTTY) {
    throw new CliError(what, 'the input device is not a TTY (use --no-stdin, or attach from a terminal)');
  }
  return attachToContainer({
    id: c.id,
    start: false,
    tty,
    stdin: cmd.options.stdin && (c.config?.openStdin ?? false),
    detachKeys: cmd.detachKeys,
    sigProxy: cmd.sigProxy,
    autoRemove: false,
    what,
  }, cli);
};
