// tdocker kill: send a signal (SIGKILL by default) to running containers.
import type { KillContainerRequest } from '../../../../proto/gen/tinydocker/v1/containers.js';
import { parseSignal } from '../../values/parse-signal.js';
import type { CommandSpec } from '../command-spec.js';

export interface KillCommand {
  name: 'kill';
  requests: KillContainerRequest[];
}

export const killSpec: CommandSpec<KillCommand> = {
  name: 'kill',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Kill one or more running containers',
  flags: [{ name: 'signal', short: 's', kind: 'string', description: 'Signal to send to the container', default: 'KILL' }],
  args: { min: 1 },
  interspersed: true,
  build({ flags, args }) {
    const signal = flags.convert('signal', parseSignal)!;
    return { name: 'kill', requests: args.map((id) => ({ id, signal })) };
  },
};
