// tdocker rmi: untag and remove images.
import type { RemoveImageRequest } from '../../../../proto/gen/tinydocker/v1/images.js';
import type { CommandSpec } from '../command-spec.js';

export interface RmiCommand {
  name: 'rmi';
  requests: RemoveImageRequest[];
}

export const rmiSpec: CommandSpec<RmiCommand> = {
  name: 'rmi',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Remove one or more images',
  flags: [
    { name: 'force', short: 'f', kind: 'bool', description: 'Force removal of the image' },
    { name: 'no-prune', kind: 'bool', description: 'Do not delete untagged parents (there are none)' },
  ],
  args: { min: 1 },
  interspersed: true,
  build({ flags, args }) {
    const force = flags.bool('force');
    return { name: 'rmi', requests: args.map((reference) => ({ reference, force })) };
  },
};
