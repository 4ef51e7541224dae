// tdocker save -o FILE IMAGE...: the daemon streams the archive; a progress bar on stderr when
// it is a terminal, plain lines otherwise.
import type { SaveImagesChunk } from '../../../proto/gen/tinydocker/v1/images.js';
import type { SaveCommand } from '../args/commands/save.js';
import { CliError } from '../cli-error.js';
import type { Action } from '../cli-context.js';
import { TransferProgress } from '../io/transfer-progress.js';
import { drainChunks, tarSink } from './tar-output.js';

export const save: Action<SaveCommand> = async (cmd, cli) => {
  const sink = tarSink(cli, 'save', cmd.output);
  const daemon = await cli.daemon();
  const progress = new TransferProgress(cli.stderr);
  let total: number | undefined;
  try {
    const call = daemon.images.save({ references: cmd.references });
    const bytes = await drainChunks<SaveImagesChunk>(call, sink, (m, sent) => {
      if (m.totalBytes) total = m.totalBytes;
      progress.update(sink.label, 'Saving', sent, total);
    });
    await sink.close();
    progress.complete(sink.label, 'Saved', { bytes });
    progress.end();
  } catch (err) {
    progress.clear();
    sink.abandon();
    if (err instanceof CliError) throw err;
    throw cli.fail(err, 'save');
  }
  return 0;
};
