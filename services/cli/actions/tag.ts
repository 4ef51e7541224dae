// tdocker tag SOURCE TARGET: prints nothing, as Docker.
import type { TagCommand } from '../args/commands/tag.js';
import type { Action } from '../cli-context.js';
import { unaryCall } from '../client/unary-call.js';

export const tag: Action<TagCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  await unaryCall((done) => daemon.images.tag(cmd.request, done)).catch((err) => {
    throw cli.fail(err, 'tag');
  });
  return 0;
};
