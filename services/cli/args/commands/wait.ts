// tdocker wait: block until containers stop, then print their exit codes.
import type { WaitContainerRequest } from '../../../../proto/gen/tinydocker/v1/containers.js';
import { waitCondition } from '../../proto-enums.js';
import type { CommandSpec } from '../command-spec.js';

export interface WaitCommand {
  name: 'wait';
  requests: WaitContainerRequest[];
}

export const waitSpec: CommandSpec<WaitCommand> = {
  name: 'wait',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Block until one or more containers stop, then print their exit codes',
  flags: [],
  args: { min: 1 },
  interspersed: true,
  build: ({ args }) => ({ name: 'wait', requests: args.map((id) => ({ id, condition: waitCondition['not-running'] })) }),
};
