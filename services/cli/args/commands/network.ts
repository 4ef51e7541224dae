// tdocker network create | ls | inspect | rm: the daemon's bridge networks (and the pre-defined
// bridge, host and none).
import type { CreateNetworkRequest } from '../../../../proto/gen/tinydocker/v1/networks.js';
import { CliError } from '../../cli-error.js';
import { InvalidValue } from '../../values/invalid-value.js';
import { isIpv4 } from '../../values/parse-ip-address.js';
import { parseLabel } from '../../values/parse-label.js';
import { type OutputFormat, parseOutputFormat, parseTemplate } from '../../values/parse-output-format.js';
import { parseSubnet } from '../../values/parse-subnet.js';
import type { CommandSpec } from '../command-spec.js';

export interface NetworkCreateCommand {
  name: 'network create';
  request: CreateNetworkRequest;
}

export interface NetworkLsCommand {
  name: 'network ls';
  quiet: boolean;
  noTrunc: boolean;
  format: OutputFormat;
}

export interface NetworkInspectCommand {
  name: 'network inspect';
  refs: string[];
  format?: string;
}

export interface NetworkRmCommand {
  name: 'network rm';
  refs: string[];
}

const drivers = ['bridge', 'host', 'none'];

export const networkCreateSpec: CommandSpec<NetworkCreateCommand> = {
  name: 'network create',
  usage: '[OPTIONS] NETWORK',
  description: 'Create a network',
  flags: [
    { name: 'driver', short: 'd', kind: 'string', description: 'Driver to manage the Network', default: 'bridge' },
    { name: 'gateway', kind: 'string', description: 'IPv4 Gateway for the master subnet' },
    { name: 'label', kind: 'list', description: 'Set metadata on a network' },
    { name: 'subnet', kind: 'string', description: 'Subnet in CIDR format that represents a network segment' },
  ],
  args: { min: 1, max: 1 },
  interspersed: true,
  build({ flags, args }) {
    const name = args[0]!;
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new CliError('network create', `invalid network name '${name}': only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const driver = flags.convert('driver', (v) => {
      if (!drivers.includes(v)) throw new InvalidValue(`unknown driver '${v}' (want bridge)`);
      return v;
    })!;
    const gateway = flags.convert('gateway', (v) => {
      if (!isIpv4(v)) throw new InvalidValue(`not an IPv4 address: '${v}'`);
      return v;
    });
    const subnet = flags.convert('subnet', parseSubnet);
    if (gateway !== undefined && subnet === undefined) throw new CliError('network create', '--gateway needs --subnet');
    return {
      name: 'network create',
      request: {
        name,
        driver,
        subnet: subnet ?? '',
        gateway: gateway ?? '',
        labels: Object.fromEntries(flags.convertEach('label', parseLabel)),
      },
    };
  },
};

export const networkLsSpec: CommandSpec<NetworkLsCommand> = {
  name: 'network ls',
  usage: '[OPTIONS]',
  description: 'List networks',
  flags: [
    { name: 'format', kind: 'string', description: "Format output: 'table', 'json', or a template" },
    { name: 'no-trunc', kind: 'bool', description: 'Do not truncate the output' },
    { name: 'quiet', short: 'q', kind: 'bool', description: 'Only display network IDs' },
  ],
  args: { min: 0, max: 0 },
  interspersed: true,
  build: ({ flags }) => ({
    name: 'network ls',
    quiet: flags.bool('quiet'),
    noTrunc: flags.bool('no-trunc'),
    format: flags.convert('format', parseOutputFormat) ?? { kind: 'table' },
  }),
};

export const networkInspectSpec: CommandSpec<NetworkInspectCommand> = {
  name: 'network inspect',
  usage: '[OPTIONS] NETWORK [NETWORK...]',
  description: 'Display detailed information on one or more networks',
  flags: [{ name: 'format', short: 'f', kind: 'string', description: 'Format output using a template' }],
  args: { min: 1 },
  interspersed: true,
  build({ flags, args }) {
    const format = flags.convert('format', parseTemplate);
    return { name: 'network inspect', refs: args, ...(format === undefined ? {} : { format }) };
  },
};

export const networkRmSpec: CommandSpec<NetworkRmCommand> = {
  name: 'network rm',
  usage: 'NETWORK [NETWORK...]',
  description: 'Remove one or more networks',
  flags: [],
  args: { min: 1 },
  interspersed: true,
  build: ({ args }) => ({ name: 'network rm', refs: args }),
};
