// Logs: the stored log (tail, since, until), then, with follow, what the container writes until it
// exits; across log rotation.
import type { ServerWritableStream } from '@grpc/grpc-js';
import { StdStream, type LogEntry, type LogsRequest } from '../../proto/gen/tinydocker/v1/containers.js';
import { readContainerLog } from './container-log-reader.js';
import type { GatewayContext } from './gateway-context.js';
import { toServiceError } from './grpc-status.js';
import { timestampNanos, toTimestamp } from './timestamp.js';
import { streamWrite } from './stream-write.js';
import { cancelSignal } from './unary-call.js';

export async function logsCall(ctx: GatewayContext, call: ServerWritableStream<LogsRequest, LogEntry>): Promise<void> {
  const req = call.request;
  const signal = cancelSignal(call);
  try {
    const v = ctx.supervisor.get(req.id);
    const id = v.record.id;
    const live = v.state === 'running' || v.state === 'paused' || v.state === 'restarting';
    const done = req.follow && live
      ? ctx.supervisor.wait(id, 'not-running', signal).then(() => {}, () => {})
      : Promise.resolve();
    const both = !req.stdout && !req.stderr;
    for await (const r of readContainerLog(ctx.runner.paths(id).log, {
      follow: req.follow && live,
      done,
      signal,
      ...(req.tail !== undefined && req.tail >= 0 ? { tail: req.tail } : {}),
      ...(req.since && (req.since.seconds || req.since.nanos) ? { sinceNs: timestampNanos(req.since) } : {}),
      ...(req.until && (req.until.seconds || req.until.nanos) ? { untilNs: timestampNanos(req.until) } : {}),
    })) {
      if (signal.aborted) break;
      if (!both && !(r.stream === 'stdout' ? req.stdout : req.stderr)) continue;
      const entry: LogEntry = {
        stream: r.stream === 'stdout' ? StdStream.STDOUT : StdStream.STDERR,
        data: r.partial ? r.text : Buffer.concat([r.text, Buffer.from('\n')]),
        time: req.timestamps ? toTimestamp(r.time) : undefined,
      };
      await streamWrite(call, entry, signal);
    }
    call.end();
  } catch (err) {
    call.emit('error', toServiceError(err));
  }
}
