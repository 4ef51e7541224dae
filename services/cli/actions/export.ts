// tdocker export [-o FILE] CONTAINER: the container's root filesystem as the daemon streams it.
import type { ExportContainerChunk } from '../../../proto/gen/tinydocker/v1/images.js';
import type { ExportCommand } from '../args/commands/export.js';
import { CliError } from '../cli-error.js';
import type { Action } from '../cli-context.js';
import { drainChunks, tarSink } from './tar-output.js';

export const exportContainer: Action<ExportCommand> = async (cmd, cli) => {
  const sink = tarSink(cli, 'export', cmd.output);
  const daemon = await cli.daemon();
  try {
    await drainChunks<ExportContainerChunk>(daemon.images.export({ container: cmd.container }), sink);
    await sink.close();
  } catch (err) {
    sink.abandon();
    if (err instanceof CliError) throw err;
    throw cli.fail(err, `export ${cmd.container}`);
  }
  return 0;
};
