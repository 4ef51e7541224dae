// tdocker create: create a container without starting it; prints its id.
import type { CreateContainerRequest } from '../../../../proto/gen/tinydocker/v1/containers.js';
import type { CommandSpec } from '../command-spec.js';
import { createFlags, createRequestOf } from './create-flags.js';

export interface CreateCommand {
  name: 'create';
  request: CreateContainerRequest;
}

export const createSpec: CommandSpec<CreateCommand> = {
  name: 'create',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create a new container',
  flags: createFlags,
  args: { min: 1 },
  interspersed: false,
  build: (input) => ({ name: 'create', request: createRequestOf(input, false) }),
};
