// tdocker stats: live resource usage of containers.
import type { StatsRequest } from '../../../../proto/gen/tinydocker/v1/containers.js';
import { type OutputFormat, parseOutputFormat } from '../../values/parse-output-format.js';
import type { CommandSpec } from '../command-spec.js';

export interface StatsCommand {
  name: 'stats';
  /** One per container named; none named means every running container (all with -a). */
  requests: StatsRequest[];
  all: boolean;
  /** Print one sample and exit (--no-stream). */
  noStream: boolean;
  noTrunc: boolean;
  format: OutputFormat;
}

export const statsSpec: CommandSpec<StatsCommand> = {
  name: 'stats',
  usage: '[OPTIONS] [CONTAINER...]',
  description: 'Display a live stream of container(s) resource usage statistics',
  flags: [
    { name: 'all', short: 'a', kind: 'bool', description: 'Show all containers (default shows just running)' },
    { name: 'format', kind: 'string', description: "Format output: 'table', 'json', or a template" },
    { name: 'no-stream', kind: 'bool', description: 'Disable streaming stats and only pull the first result' },
    { name: 'no-trunc', kind: 'bool', description: "Do not truncate output" },
  ],
  args: { min: 0 },
  interspersed: true,
  build({ flags, args }) {
    const noStream = flags.bool('no-stream');
    return {
      name: 'stats',
      requests: args.map((id) => ({ id, stream: !noStream })),
      all: flags.bool('all'),
      noStream,
      noTrunc: flags.bool('no-trunc'),
      format: flags.convert('format', parseOutputFormat) ?? { kind: 'table' },
    };
  },
};
