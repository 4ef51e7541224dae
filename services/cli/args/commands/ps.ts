// tdocker ps: list containers.
import type { ListContainersRequest } from '../../../../proto/gen/tinydocker/v1/containers.js';
import { containerFilterKeys, parseFilter } from '../../values/parse-filter.js';
import { parseInteger } from '../../values/parse-integer.js';
import { type OutputFormat, parseOutputFormat } from '../../values/parse-output-format.js';
import type { CommandSpec } from '../command-spec.js';

export interface PsCommand {
  name: 'ps';
  request: ListContainersRequest;
  /** Only ids (-q). */
  quiet: boolean;
  noTrunc: boolean;
  format: OutputFormat;
  /** Every host's containers, from the fleet's bus (--fleet). */
  fleet: boolean;
}

export const psSpec: CommandSpec<PsCommand> = {
  name: 'ps',
  usage: '[OPTIONS]',
  description: 'List containers',
  flags: [
    { name: 'all', short: 'a', kind: 'bool', description: 'Show all containers (default shows just running)' },
    { name: 'filter', short: 'f', kind: 'list', type: 'filter', description: 'Filter output based on conditions provided (id, name, label, status, ancestor, exited)' },
    { name: 'fleet', kind: 'bool', description: 'Show the containers of every host of the fleet, with a HOST column' },
    { name: 'format', kind: 'string', description: "Format output: 'table', 'json', or a template ('{{.ID}}\\t{{.Names}}')" },
    { name: 'last', short: 'n', kind: 'string', type: 'int', description: 'Show n last created containers (includes all states)' },
    { name: 'latest', short: 'l', kind: 'bool', description: 'Show the latest created container (includes all states)' },
    { name: 'no-trunc', kind: 'bool', description: "Don't truncate output" },
    { name: 'quiet', short: 'q', kind: 'bool', description: 'Only display container IDs' },
  ],
  args: { min: 0, max: 0 },
  interspersed: true,
  build({ flags }) {
    const last = flags.convert('last', (v) => parseInteger(v, { min: -1 })) ?? -1;
    const limit = flags.bool('latest') ? 1 : Math.max(last, 0);
    return {
      name: 'ps',
      request: {
        all: flags.bool('all') || limit > 0,
        filters: flags.convertEach('filter', (v) => parseFilter(v, containerFilterKeys)),
        limit,
      },
      quiet: flags.bool('quiet'),
      noTrunc: flags.bool('no-trunc'),
      format: flags.convert('format', parseOutputFormat) ?? { kind: 'table' },
      fleet: flags.bool('fleet'),
    };
  },
};
