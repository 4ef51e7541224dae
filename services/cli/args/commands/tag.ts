// tdocker tag: one more name for an image.
import type { TagImageRequest } from '../../../../proto/gen/tinydocker/v1/images.js';
import { CliError } from '../../cli-error.js';
import { InvalidValue } from '../../values/invalid-value.js';
import { parseImageReference } from '../../values/parse-image-reference.js';
import type { CommandSpec } from '../command-spec.js';

export interface TagCommand {
  name: 'tag';
  request: TagImageRequest;
}

export const tagSpec: CommandSpec<TagCommand> = {
  name: 'tag',
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  flags: [],
  args: { min: 2, max: 2 },
  interspersed: true,
  build({ args }) {
    const [source = '', target = ''] = args;
    try {
      parseImageReference(target);
      if (/^(sha256:)?[a-f0-9]{64}$/.test(target) || target.includes('@')) throw new InvalidValue('invalid reference format: a tag is a name[:tag]');
    } catch (err) {
      if (err instanceof InvalidValue) throw new CliError('tag', `"${target}": ${err.message}`);
      throw err;
    }
    return { name: 'tag', request: { source, target } };
  },
};
