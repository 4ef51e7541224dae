// tdocker logs: the stored log, each entry to the stream it was written to; -t puts Docker's
// RFC 3339 timestamp before each entry; -f goes on until the container stops.
import type { LogEntry } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { LogsCommand } from '../args/commands/logs.js';
import type { Action } from '../cli-context.js';
import { rfc3339Nano } from '../format/timestamp-text.js';
import { stdStream } from '../proto-enums.js';

export const logs: Action<LogsCommand> = async (cmd, cli) => {
  const daemon = await cli.daemon();
  const call = daemon.containers.logs(cmd.request);
  const stamp = cmd.request.timestamps;
  await new Promise<void>((resolve, reject) => {
    call.on('data', (e: LogEntry) => {
      const out = e.stream === stdStream.stderr ? cli.stderr : cli.stdout;
      if (stamp) out.write(`${rfc3339Nano(e.time)} `);
      if (!out.write(e.data)) {
        call.pause();
        out.once('drain', () => call.resume());
      }
    });
    call.on('error', reject);
    call.on('end', resolve);
  }).catch((err) => {
    throw cli.fail(err, `logs ${cmd.request.id}`);
  });
  return 0;
};
