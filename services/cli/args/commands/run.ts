// tdocker run: create a container, attach to it unless -d, start it.
import type { CreateContainerRequest } from '../../../../proto/gen/tinydocker/v1/containers.js';
import { parseDetachKeys } from '../../values/parse-detach-keys.js';
import type { CommandSpec } from '../command-spec.js';
import { sortedFlags } from '../flag-spec.js';
import { createFlags, createRequestOf } from './create-flags.js';

export interface RunCommand {
  name: 'run';
  /** Also the RunContainerRequest of `run -d`: the two messages have the same fields. */
  request: CreateContainerRequest;
  detach: boolean;
  /** Attach the CLI's stdin (-i). */
  interactive: boolean;
  tty: boolean;
  /** Bytes that detach the CLI from the container's stdin (Ctrl-P Ctrl-Q by default). */
  detachKeys: number[];
  /** Forward the signals the CLI receives to the container (attached runs). */
  sigProxy: boolean;
}

export const runSpec: CommandSpec<RunCommand> = {
  name: 'run',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create and run a new container from an image',
  flags: sortedFlags([
    ...createFlags,
    { name: 'detach', short: 'd', kind: 'bool', description: 'Run container in background and print container ID' },
    { name: 'detach-keys', kind: 'string', description: 'Override the key sequence for detaching a container', default: 'ctrl-p,ctrl-q' },
    { name: 'sig-proxy', kind: 'bool', description: 'Proxy received signals to the process', default: 'true' },
  ]),
  args: { min: 1 },
  interspersed: false,
  build(input) {
    const { flags } = input;
    const detach = flags.bool('detach');
    return {
      name: 'run',
      request: createRequestOf(input, detach),
      detach,
      interactive: flags.bool('interactive'),
      tty: flags.bool('tty'),
      detachKeys: flags.convert('detach-keys', parseDetachKeys)!,
      sigProxy: flags.bool('sig-proxy'),
    };
  },
};
