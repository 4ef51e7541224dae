// tdocker port: "80/tcp -> 0.0.0.0:8080" for each published port, or the host addresses of one.
import type { PortCommand } from '../args/commands/port.js';
import { CliError } from '../cli-error.js';
import type { Action } from '../cli-context.js';
import { ordinal } from '../args/ordinal-order.js';
import { inspectContainer } from './inspect-container.js';

const byPort = (a: string, b: string) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || ordinal(a, b);

export const port: Action<PortCommand> = async (cmd, cli) => {
  const c = await inspectContainer(cli, cmd.id, `port ${cmd.id}`);
  const ports = c.networkSettings?.ports ?? {};
  if (cmd.port !== undefined) {
    const bindings = ports[cmd.port]?.values ?? [];
    if (bindings.length === 0) throw new CliError(`port ${cmd.id}`, `no public port '${cmd.port}' published for ${cmd.id}`);
    for (const b of bindings) cli.stdout.write(`${b}\n`);
    return 0;
  }
  for (const key of Object.keys(ports).sort(byPort)) {
    for (const b of ports[key]!.values) cli.stdout.write(`${key} -> ${b}\n`);
  }
  return 0;
};
