// tdocker exec: run a command in a running container.
import type { ExecOptions } from '../../../../proto/gen/tinydocker/v1/containers.js';
import { InvalidValue } from '../../values/invalid-value.js';
import { parseDetachKeys } from '../../values/parse-detach-keys.js';
import type { CommandSpec } from '../command-spec.js';
import { envOf } from './create-flags.js';

export interface ExecCommand {
  name: 'exec';
  /** The first frame of the Exec call (the terminal size is the caller's to fill). */
  options: ExecOptions;
  detachKeys: number[];
}

export const execSpec: CommandSpec<ExecCommand> = {
  name: 'exec',
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  description: 'Execute a command in a running container',
  flags: [
    { name: 'detach', short: 'd', kind: 'bool', description: 'Detached mode: run command in the background' },
    { name: 'detach-keys', kind: 'string', description: 'Override the key sequence for detaching a container', default: 'ctrl-p,ctrl-q' },
    { name: 'env', short: 'e', kind: 'list', description: 'Set environment variables' },
    { name: 'env-file', kind: 'list', description: 'Read in a file of environment variables' },
    { name: 'interactive', short: 'i', kind: 'bool', description: 'Keep STDIN open even if not attached' },
    { name: 'tty', short: 't', kind: 'bool', description: 'Allocate a pseudo-TTY' },
    { name: 'user', short: 'u', kind: 'string', description: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    { name: 'workdir', short: 'w', kind: 'string', description: 'Working directory inside the container' },
  ],
  args: { min: 2 },
  interspersed: false,
  build(input) {
    const { flags, args } = input;
    const workdir = flags.convert('workdir', (v) => {
      if (!v.startsWith('/')) throw new InvalidValue(`the working directory '${v}' is invalid, it needs to be an absolute path`);
      return v;
    });
    return {
      name: 'exec',
      options: {
        id: args[0]!,
        cmd: args.slice(1),
        env: envOf(input),
        workingDir: workdir ?? '',
        user: flags.string('user') ?? '',
        tty: flags.bool('tty'),
        stdin: flags.bool('interactive'),
        detach: flags.bool('detach'),
      },
      detachKeys: flags.convert('detach-keys', parseDetachKeys)!,
    };
  },
};
