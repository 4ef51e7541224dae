// tdocker logs: print a container's log.
import type { LogsRequest } from '../../../../proto/gen/tinydocker/v1/containers.js';
import { InvalidValue } from '../../values/invalid-value.js';
import { parseInteger } from '../../values/parse-integer.js';
import { parseTimestamp } from '../../values/parse-since.js';
import type { CommandSpec } from '../command-spec.js';

export interface LogsCommand {
  name: 'logs';
  request: LogsRequest;
}

/** "all" (or a negative number, as Docker) means every line. */
const parseTail = (v: string): number | undefined => {
  if (v === 'all') return undefined;
  try {
    const n = parseInteger(v);
    return n < 0 ? undefined : n;
  } catch {
    throw new InvalidValue(`want a number of lines or "all", not '${v}'`);
  }
};

export const logsSpec: CommandSpec<LogsCommand> = {
  name: 'logs',
  usage: '[OPTIONS] CONTAINER',
  description: 'Fetch the logs of a container',
  flags: [
    { name: 'follow', short: 'f', kind: 'bool', description: 'Follow log output' },
    { name: 'since', kind: 'string', description: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
    { name: 'tail', short: 'n', kind: 'string', description: 'Number of lines to show from the end of the logs', default: 'all' },
    { name: 'timestamps', short: 't', kind: 'bool', description: 'Show timestamps' },
    { name: 'until', kind: 'string', description: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
  ],
  args: { min: 1, max: 1 },
  interspersed: true,
  build({ flags, args, ctx }) {
    const now = ctx.now();
    const request: LogsRequest = {
      id: args[0]!,
      follow: flags.bool('follow'),
      timestamps: flags.bool('timestamps'),
      stdout: true,
      stderr: true,
    };
    const tail = flags.convert('tail', parseTail);
    if (tail !== undefined) request.tail = tail;
    const since = flags.convert('since', (v) => parseTimestamp(v, now));
    if (since) request.since = since;
    const until = flags.convert('until', (v) => parseTimestamp(v, now));
    if (until) request.until = until;
    return { name: 'logs', request };
  },
};
