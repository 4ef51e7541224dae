// tdocker images.
import type { ListImagesResponse } from '../../../proto/gen/tinydocker/v1/images.js';
import type { ImagesCommand } from '../args/commands/images.js';
import type { Action } from '../cli-context.js';
import { unaryCall } from '../client/unary-call.js';
import { formatImages } from '../format/images-table.js';

export const images: Action<ImagesCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  const res = await unaryCall<ListImagesResponse>((done) => daemon.images.list(cmd.request, done)).catch((err) => {
    throw cli.fail(err, 'images');
  });
  cli.stdout.write(formatImages(res.images, { quiet: cmd.quiet, noTrunc: cmd.noTrunc, format: cmd.format, nowMs: cli.now() }));
  return 0;
};
