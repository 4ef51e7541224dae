// tdocker start: start each container and print its name; with -a (or -i) attach to the one
// container first and exit with its code.
import type { StartCommand } from '../args/commands/start.js';
import type { Action } from '../cli-context.js';
import { attachToContainer } from './attach-to-container.js';
import { forEachContainer } from './for-each-container.js';
import { inspectContainer } from './inspect-container.js';

export const start: Action<StartCommand> = async (cmd, cli) => {
  if (!cmd.attach && !cmd.interactive) {
    const daemon = await cli.daemon();
    return forEachContainer(cli, 'start', cmd.requests, (req, done) => daemon.containers.start(req, done));
  }
  const id = cmd.requests[0]!.id;
  const what = `start ${id}`;
  const c = await inspectContainer(cli, id, what);
  const tty = c.config?.tty ?? false;
  return attachToContainer({
    id: c.id,
    start: true,
    tty,
    stdin: cmd.interactive && (c.config?.openStdin ?? false),
    detachKeys: cmd.detachKeys,
    sigProxy: true,
    autoRemove: c.hostConfig?.autoRemove ?? false,
    what,
  }, cli);
};
