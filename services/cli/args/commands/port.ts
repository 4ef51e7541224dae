// tdocker port CONTAINER [PRIVATE_PORT[/PROTO]]: the container's published ports.
import { CliError } from '../../cli-error.js';
import { InvalidValue } from '../../values/invalid-value.js';
import { parseExpose } from '../../values/parse-port-spec.js';
import type { CommandSpec } from '../command-spec.js';

export interface PortCommand {
  name: 'port';
  id: string;
  /** "80/tcp"; unset lists every published port. */
  port?: string;
}

export const portSpec: CommandSpec<PortCommand> = {
  name: 'port',
  usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  description: 'List port mappings or a specific mapping for the container',
  flags: [],
  args: { min: 1, max: 2 },
  interspersed: true,
  build({ args }) {
    const [id = '', port] = args;
    if (port === undefined) return { name: 'port', id };
    try {
      const ports = parseExpose(port);
      if (ports.length !== 1) throw new InvalidValue('want one port');
      return { name: 'port', id, port: ports[0]! };
    } catch (err) {
      if (err instanceof InvalidValue) throw new CliError('port', `invalid port '${port}': ${err.message}`);
      throw err;
    }
  },
};
