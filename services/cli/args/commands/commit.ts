// tdocker commit: a container's changes as a new image on top of its image.
import type { CommitContainerRequest } from '../../../../proto/gen/tinydocker/v1/images.js';
import { CliError } from '../../cli-error.js';
import { InvalidValue } from '../../values/invalid-value.js';
import { parseChange } from '../../values/parse-change.js';
import { parseImageReference } from '../../values/parse-image-reference.js';
import type { CommandSpec } from '../command-spec.js';

export interface CommitCommand {
  name: 'commit';
  request: CommitContainerRequest;
}

export const commitSpec: CommandSpec<CommitCommand> = {
  name: 'commit',
  usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  description: "Create a new image from a container's changes",
  flags: [
    { name: 'author', short: 'a', kind: 'string', type: 'string', description: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    { name: 'change', short: 'c', kind: 'list', description: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', kind: 'string', type: 'string', description: 'Commit message' },
    { name: 'pause', short: 'p', kind: 'bool', description: 'Pause container during commit', default: 'true' },
  ],
  args: { min: 1, max: 2 },
  interspersed: true,
  build({ flags, args }) {
    const [container = '', reference = ''] = args;
    if (reference !== '') {
      try {
        parseImageReference(reference);
        if (/^(sha256:)?[a-f0-9]{64}$/.test(reference) || reference.includes('@')) throw new InvalidValue('invalid reference format: a tag is a name[:tag]');
      } catch (err) {
        if (err instanceof InvalidValue) throw new CliError('commit', `"${reference}": ${err.message}`);
        throw err;
      }
    }
    return {
      name: 'commit',
      request: {
        container,
        reference,
        changes: flags.convertEach('change', parseChange),
        comment: flags.string('message') ?? '',
        author: flags.string('author') ?? '',
        pause: flags.bool('pause'),
      },
    };
  },
};
