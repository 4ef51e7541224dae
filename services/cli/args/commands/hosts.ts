// tdocker hosts: the daemons of the fleet (every host on this daemon's NATS bus).
import { type OutputFormat, parseOutputFormat } from '../../values/parse-output-format.js';
import type { CommandSpec } from '../command-spec.js';

export interface HostsCommand {
  name: 'hosts';
  format: OutputFormat;
  quiet: boolean;
}

export const hostsSpec: CommandSpec<HostsCommand> = {
  name: 'hosts',
  usage: '[OPTIONS]',
  description: 'List the hosts of the fleet',
  flags: [
    { name: 'format', kind: 'string', description: "Format output: 'table', 'json', or a template ('{{.Name}}\\t{{.Address}}')" },
    { name: 'quiet', short: 'q', kind: 'bool', description: 'Only display host names' },
  ],
  args: { min: 0, max: 0 },
  interspersed: true,
  build: ({ flags }) => ({ name: 'hosts', format: flags.convert('format', parseOutputFormat) ?? { kind: 'table' }, quiet: flags.bool('quiet') }),
};
