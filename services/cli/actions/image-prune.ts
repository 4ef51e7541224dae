// tdocker image prune [-a] [-f]: asks first (unless -f), then prints what went, as Docker.
import type { PruneImagesResponse } from '../../../proto/gen/tinydocker/v1/images.js';
import type { ImagePruneCommand } from '../args/commands/image-prune.js';
import type { Action } from '../cli-context.js';
import { unaryCall } from '../client/unary-call.js';
import { humanSize } from '../format/human-size.js';
import { confirmed } from '../io/confirmed.js';

export const imagePrune: Action<ImagePruneCommand> = async (cmd, cli) => {
  if (!cmd.force) {
    cli.stdout.write(cmd.all
      ? 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] '
      : 'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ');
    if (!(await confirmed(cli))) return 0;
  }
  const daemon = await cli.daemon();
  const res = await unaryCall<PruneImagesResponse>((done) => daemon.images.prune({ all: cmd.all }, done)).catch((err) => {
    throw cli.fail(err, 'image prune');
  });
  if (res.items.length) {
    cli.stdout.write('Deleted Images:\n');
    for (const i of res.items) cli.stdout.write(i.untagged ? `untagged: ${i.untagged}\n` : `deleted: ${i.deleted}\n`);
    cli.stdout.write('\n');
  }
  cli.stdout.write(`Total reclaimed space: ${humanSize(res.spaceReclaimed)}\n`);
  return 0;
};
