// tdocker top: the processes of a container; everything after the container goes to ps.
import type { TopRequest } from '../../../../proto/gen/tinydocker/v1/containers.js';
import type { CommandSpec } from '../command-spec.js';

export interface TopCommand {
  name: 'top';
  request: TopRequest;
}

export const topSpec: CommandSpec<TopCommand> = {
  name: 'top',
  usage: 'CONTAINER [ps OPTIONS]',
  description: 'Display the running processes of a container',
  flags: [],
  args: { min: 1 },
  interspersed: false,
  build: ({ args }) => ({ name: 'top', request: { id: args[0]!, psArgs: args.slice(1).join(' ') } }),
};
