// tdocker export: a container's root filesystem as a tar archive, to a file (-o) or stdout.
import type { CommandSpec } from '../command-spec.js';

export interface ExportCommand {
  name: 'export';
  container: string;
  output?: string;
}

export const exportSpec: CommandSpec<ExportCommand> = {
  name: 'export',
  usage: '[OPTIONS] CONTAINER',
  description: "Export a container's filesystem as a tar archive",
  flags: [{ name: 'output', short: 'o', kind: 'string', type: 'string', description: 'Write to a file, instead of STDOUT' }],
  args: { min: 1, max: 1 },
  interspersed: true,
  build({ flags, args }) {
    const output = flags.string('output');
    return { name: 'export', container: args[0] ?? '', ...(output && output !== '-' ? { output } : {}) };
  },
};
