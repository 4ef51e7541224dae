// tdocker image prune: images without tags that no container uses (every unused image with -a).
import type { CommandSpec } from '../command-spec.js';

export interface ImagePruneCommand {
  name: 'image prune';
  all: boolean;
  force: boolean;
}

export const imagePruneSpec: CommandSpec<ImagePruneCommand> = {
  name: 'image prune',
  usage: '[OPTIONS]',
  description: 'Remove unused images',
  flags: [
    { name: 'all', short: 'a', kind: 'bool', description: 'Remove all unused images, not just dangling ones' },
    { name: 'force', short: 'f', kind: 'bool', description: 'Do not prompt for confirmation' },
  ],
  args: { min: 0, max: 0 },
  interspersed: true,
  build({ flags }) {
    return { name: 'image prune', all: flags.bool('all'), force: flags.bool('force') };
  },
};
