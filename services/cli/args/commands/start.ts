// tdocker start: start created or stopped containers; -a/-i attach to one of them.
import type { StartContainerRequest } from '../../../../proto/gen/tinydocker/v1/containers.js';
import { CliError } from '../../cli-error.js';
import { parseDetachKeys } from '../../values/parse-detach-keys.js';
import type { CommandSpec } from '../command-spec.js';

export interface StartCommand {
  name: 'start';
  requests: StartContainerRequest[];
  /** Attach stdout/stderr and wait for the exit (-a). */
  attach: boolean;
  /** Attach stdin (-i). */
  interactive: boolean;
  detachKeys: number[];
}

export const startSpec: CommandSpec<StartCommand> = {
  name: 'start',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Start one or more stopped containers',
  flags: [
    { name: 'attach', short: 'a', kind: 'bool', description: "Attach STDOUT/STDERR and forward signals" },
    { name: 'detach-keys', kind: 'string', description: 'Override the key sequence for detaching a container', default: 'ctrl-p,ctrl-q' },
    { name: 'interactive', short: 'i', kind: 'bool', description: "Attach container's STDIN" },
  ],
  args: { min: 1 },
  interspersed: true,
  build({ flags, args }) {
    const attach = flags.bool('attach');
    const interactive = flags.bool('interactive');
    if ((attach || interactive) && args.length > 1) {
      throw new CliError('start', 'you cannot start and attach multiple containers at once');
    }
    return {
      name: 'start',
      requests: args.map((id) => ({ id })),
      attach,
      interactive,
      detachKeys: flags.convert('detach-keys', parseDetachKeys)!,
    };
  },
};
