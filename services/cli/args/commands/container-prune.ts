// tdocker container prune: every container that is not running (created or exited).
import { parseFilter } from '../../values/parse-filter.js';
import type { Filter } from '../../../../proto/gen/tinydocker/v1/containers.js';
import type { CommandSpec } from '../command-spec.js';

export interface ContainerPruneCommand {
  name: 'container prune';
  force: boolean;
  filters: Filter[];
}

export const containerPruneSpec: CommandSpec<ContainerPruneCommand> = {
  name: 'container prune',
  usage: '[OPTIONS]',
  description: 'Remove all stopped containers',
  flags: [
    { name: 'filter', kind: 'list', type: 'filter', description: 'Provide filter values (label=<key>[=<value>])' },
    { name: 'force', short: 'f', kind: 'bool', description: 'Do not prompt for confirmation' },
  ],
  args: { min: 0, max: 0 },
  interspersed: true,
  build({ flags }) {
    return { name: 'container prune', force: flags.bool('force'), filters: flags.convertEach('filter', (v) => parseFilter(v, ['label'])) };
  },
};
