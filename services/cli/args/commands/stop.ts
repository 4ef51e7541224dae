// tdocker stop: the stop signal, then SIGKILL after the timeout.
import type { StopContainerRequest } from '../../../../proto/gen/tinydocker/v1/containers.js';
import { parseInteger } from '../../values/parse-integer.js';
import { parseSignal } from '../../values/parse-signal.js';
import type { CommandSpec } from '../command-spec.js';
import type { FlagSpec } from '../flag-spec.js';
import type { ParsedFlags } from '../parsed-flags.js';

export interface StopCommand {
  name: 'stop';
  requests: StopContainerRequest[];
}

/** -s and -t as stop and restart share them. */
export const stopFlags: readonly FlagSpec[] = [
  { name: 'signal', short: 's', kind: 'string', description: 'Signal to send to the container' },
  { name: 'timeout', short: 't', aliases: ['time'], kind: 'string', type: 'int', description: 'Seconds to wait before killing the container (-1 waits for ever)' },
];

export const stopOptions = (flags: ParsedFlags): { timeout?: number; signal: string } => {
  const timeout = flags.convert('timeout', (v) => parseInteger(v, { min: -1 }));
  return { ...(timeout === undefined ? {} : { timeout }), signal: flags.convert('signal', parseSignal) ?? '' };
};

export const stopSpec: CommandSpec<StopCommand> = {
  name: 'stop',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Stop one or more running containers',
  flags: stopFlags,
  args: { min: 1 },
  interspersed: true,
  build({ flags, args }) {
    const opts = stopOptions(flags);
    return { name: 'stop', requests: args.map((id) => ({ id, ...opts })) };
  },
};
