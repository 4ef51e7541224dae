// tdocker pause / unpause: freeze and thaw every process of containers.
import type { PauseContainerRequest, UnpauseContainerRequest } from '../../../../proto/gen/tinydocker/v1/containers.js';
import type { CommandSpec } from '../command-spec.js';

export interface PauseCommand {
  name: 'pause';
  requests: PauseContainerRequest[];
}

export interface UnpauseCommand {
  name: 'unpause';
  requests: UnpauseContainerRequest[];
}

export const pauseSpec: CommandSpec<PauseCommand> = {
  name: 'pause',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Pause all processes within one or more containers',
  flags: [],
  args: { min: 1 },
  interspersed: true,
  build: ({ args }) => ({ name: 'pause', requests: args.map((id) => ({ id })) }),
};

export const unpauseSpec: CommandSpec<UnpauseCommand> = {
  name: 'unpause',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Unpause all processes within one or more containers',
  flags: [],
  args: { min: 1 },
  interspersed: true,
  build: ({ args }) => ({ name: 'unpause', requests: args.map((id) => ({ id })) }),
};
