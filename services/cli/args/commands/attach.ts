// tdocker attach: connect the terminal to a running container's stdio.
import type { AttachOptions } from '../../../../proto/gen/tinydocker/v1/containers.js';
import { parseDetachKeys } from '../../values/parse-detach-keys.js';
import type { CommandSpec } from '../command-spec.js';

export interface AttachCommand {
  name: 'attach';
  /** The first frame of the Attach call (the terminal size is the caller's to fill). */
  options: AttachOptions;
  detachKeys: number[];
  sigProxy: boolean;
}

export const attachSpec: CommandSpec<AttachCommand> = {
  name: 'attach',
  usage: '[OPTIONS] CONTAINER',
  description: 'Attach local standard input, output, and error streams to a running container',
  flags: [
    { name: 'detach-keys', kind: 'string', description: 'Override the key sequence for detaching a container', default: 'ctrl-p,ctrl-q' },
    { name: 'no-stdin', kind: 'bool', description: 'Do not attach STDIN' },
    { name: 'sig-proxy', kind: 'bool', description: 'Proxy all received signals to the process', default: 'true' },
  ],
  args: { min: 1, max: 1 },
  interspersed: true,
  build: ({ flags, args }) => ({
    name: 'attach',
    options: { id: args[0]!, stdin: !flags.bool('no-stdin'), stdout: true, stderr: true, logs: false, start: false, waitRemoved: false },
    detachKeys: flags.convert('detach-keys', parseDetachKeys)!,
    sigProxy: flags.bool('sig-proxy'),
  }),
};
