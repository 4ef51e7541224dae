// tdocker load: a `docker save` archive or an OCI image layout tar (plain or gzip), from a file
// (-i) or stdin, into the daemon's image store.
import type { CommandSpec } from '../command-spec.js';

export interface LoadCommand {
  name: 'load';
  /** A file path, or "-" for stdin. */
  input: string;
  quiet: boolean;
}

export const loadSpec: CommandSpec<LoadCommand> = {
  name: 'load',
  usage: '[OPTIONS]',
  description: 'Load an image from a tar archive or STDIN',
  flags: [
    { name: 'input', short: 'i', kind: 'string', type: 'string', description: 'Read from tar archive file, instead of STDIN' },
    { name: 'quiet', short: 'q', kind: 'bool', description: 'Suppress the load output' },
  ],
  args: { min: 0, max: 0 },
  interspersed: true,
  build({ flags }) {
    return { name: 'load', input: flags.string('input') || '-', quiet: flags.bool('quiet') };
  },
};
