// tdocker rm: remove containers.
import type { RemoveContainerRequest } from '../../../../proto/gen/tinydocker/v1/containers.js';
import type { CommandSpec } from '../command-spec.js';

export interface RmCommand {
  name: 'rm';
  requests: RemoveContainerRequest[];
}

export const rmSpec: CommandSpec<RmCommand> = {
  name: 'rm',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Remove one or more containers',
  flags: [
    { name: 'force', short: 'f', kind: 'bool', description: 'Force the removal of a running container (uses SIGKILL)' },
    // Docker's -v removes anonymous volumes; tdocker makes none, so `rm -fv` scripts keep working.
    { name: 'volumes', short: 'v', kind: 'bool', description: 'Remove anonymous volumes associated with the container (there are none)' },
  ],
  args: { min: 1 },
  interspersed: true,
  build({ flags, args }) {
    const force = flags.bool('force');
    return { name: 'rm', requests: args.map((id) => ({ id, force })) };
  },
};
