// tdocker save: images as one tar (an OCI image layout with Docker's manifest.json beside it),
// to a file (-o) or stdout.
import type { CommandSpec } from '../command-spec.js';

export interface SaveCommand {
  name: 'save';
  references: string[];
  /** A file path, or undefined for stdout. */
  output?: string;
}

export const saveSpec: CommandSpec<SaveCommand> = {
  name: 'save',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  flags: [{ name: 'output', short: 'o', kind: 'string', type: 'string', description: 'Write to a file, instead of STDOUT' }],
  args: { min: 1 },
  interspersed: true,
  build({ flags, args }) {
    const output = flags.string('output');
    return { name: 'save', references: args, ...(output && output !== '-' ? { output } : {}) };
  },
};
