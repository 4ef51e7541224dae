// tdocker restart: stop (with the timeout) then start.
import type { RestartContainerRequest } from '../../../../proto/gen/tinydocker/v1/containers.js';
import type { CommandSpec } from '../command-spec.js';
import { stopFlags, stopOptions } from './stop.js';

export interface RestartCommand {
  name: 'restart';
  requests: RestartContainerRequest[];
}

export const restartSpec: CommandSpec<RestartCommand> = {
  name: 'restart',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Restart one or more containers',
  flags: stopFlags,
  args: { min: 1 },
  interspersed: true,
  build({ flags, args }) {
    const opts = stopOptions(flags);
    return { name: 'restart', requests: args.map((id) => ({ id, ...opts })) };
  },
};
