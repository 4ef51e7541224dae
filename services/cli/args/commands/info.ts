// tdocker info and tdocker version: what the daemon is and runs on.
import { type OutputFormat, parseOutputFormat } from '../../values/parse-output-format.js';
import type { CommandSpec } from '../command-spec.js';

export interface InfoCommand {
  name: 'info';
  format: OutputFormat;
}

export interface VersionCommand {
  name: 'version';
  format: OutputFormat;
}

const formatFlag = { name: 'format', short: 'f', kind: 'string', description: "Format output: 'json' or a template" } as const;

export const infoSpec: CommandSpec<InfoCommand> = {
  name: 'info',
  usage: '[OPTIONS]',
  description: 'Display system-wide information',
  flags: [formatFlag],
  args: { min: 0, max: 0 },
  interspersed: true,
  build: ({ flags }) => ({ name: 'info', format: flags.convert('format', parseOutputFormat) ?? { kind: 'table' } }),
};

export const versionSpec: CommandSpec<VersionCommand> = {
  name: 'version',
  usage: '[OPTIONS]',
  description: 'Show the tdocker version information',
  flags: [formatFlag],
  args: { min: 0, max: 0 },
  interspersed: true,
  build: ({ flags }) => ({ name: 'version', format: flags.convert('format', parseOutputFormat) ?? { kind: 'table' } }),
};
