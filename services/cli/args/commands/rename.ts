// tdocker rename: give a container a new name.
import type { RenameContainerRequest } from '../../../../proto/gen/tinydocker/v1/containers.js';
import { CliError } from '../../cli-error.js';
import { InvalidValue } from '../../values/invalid-value.js';
import { parseContainerName } from '../../values/parse-container-name.js';
import type { CommandSpec } from '../command-spec.js';

export interface RenameCommand {
  name: 'rename';
  request: RenameContainerRequest;
}

export const renameSpec: CommandSpec<RenameCommand> = {
  name: 'rename',
  usage: 'CONTAINER NEW_NAME',
  description: 'Rename a container',
  flags: [],
  args: { min: 2, max: 2 },
  interspersed: true,
  build({ args }) {
    const [id = '', newName = ''] = args;
    try {
      return { name: 'rename', request: { id, newName: parseContainerName(newName) } };
    } catch (err) {
      if (err instanceof InvalidValue) throw new CliError('rename', err.message);
      throw err;
    }
  },
};
