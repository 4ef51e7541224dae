// tdocker pull: an image from a registry (OCI distribution v2), with progress.
import type { PullImageRequest } from '../../../../proto/gen/tinydocker/v1/images.js';
import { CliError } from '../../cli-error.js';
import { InvalidValue } from '../../values/invalid-value.js';
import { parseImageReference } from '../../values/parse-image-reference.js';
import type { CommandSpec } from '../command-spec.js';

export interface PullCommand {
  name: 'pull';
  request: PullImageRequest;
  quiet: boolean;
  /** Read the registry password from stdin (--password-stdin). */
  passwordStdin: boolean;
}

/** The registry host[:port] of a reference, as Docker decides it (a first component with a dot, a colon, or localhost). */
export function registryOf(reference: string): string {
  const slash = reference.indexOf('/');
  if (slash === -1) return 'docker.io';
  const first = reference.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'docker.io';
}

export const pullSpec: CommandSpec<PullCommand> = {
  name: 'pull',
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  description: 'Download an image from a registry',
  flags: [
    { name: 'insecure', kind: 'bool', description: 'Talk plain HTTP to this registry (registries on 127.0.0.0/8 always are)' },
    { name: 'password-stdin', kind: 'bool', description: 'Take the registry password from stdin (with --username)' },
    { name: 'platform', kind: 'string', type: 'string', description: 'Pull the image for this platform (os/arch[/variant])' },
    { name: 'quiet', short: 'q', kind: 'bool', description: 'Suppress verbose output' },
    { name: 'username', short: 'u', kind: 'string', type: 'string', description: 'Registry user name' },
  ],
  args: { min: 1, max: 1 },
  interspersed: true,
  build({ flags, args }) {
    const reference = args[0] ?? '';
    try {
      parseImageReference(reference);
      if (/^(sha256:)?[a-f0-9]{64}$/.test(reference)) throw new InvalidValue('invalid reference format: pull takes a name, not an image id');
    } catch (err) {
      if (err instanceof InvalidValue) throw new CliError('pull', `"${reference}": ${err.message}`);
      throw err;
    }
    const platform = flags.string('platform') ?? '';
    if (platform && !/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(platform)) throw new CliError('pull', `invalid platform "${platform}": want os/arch[/variant]`);
    const username = flags.string('username') ?? '';
    const passwordStdin = flags.bool('password-stdin');
    if (passwordStdin && !username) throw new CliError('pull', '--password-stdin needs --username');
    return {
      name: 'pull',
      request: {
        reference,
        ...(username ? { auth: { username, password: '' } } : {}),
        insecureRegistries: flags.bool('insecure') ? [registryOf(reference)] : [],
        platform,
      },
      quiet: flags.bool('quiet'),
      passwordStdin,
    };
  },
};
