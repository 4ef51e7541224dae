// Attach: the container's stdio over a bidirectional stream, through the shim's attach. A client
// that attaches before the container starts (Create, Attach, Start: `run` without -d) is connected
// to the shim between its creation and the start, so it sees every byte of output.
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { invalid } from '../errors/tdocker-error.js';
import type { AttachStream } from '../runtime/shim-client.js';
import type { AttachOptions, AttachRequest, IoFrame } from '../../proto/gen/tinydocker/v1/containers.js';
import type { GatewayContext } from './gateway-context.js';
import { toServiceError } from './grpc-status.js';
import { firstMessage } from './first-message.js';
import { streamWrite } from './stream-write.js';
import { toTimestamp } from './timestamp.js';
import { cancelSignal } from './unary-call.js';

export async function attachCall(ctx: GatewayContext, call: ServerDuplexStream<AttachRequest, IoFrame>): Promise<void> {
  const signal = cancelSignal(call);
  let stream: AttachStream | undefined;
  try {
    const first = await firstMessage<AttachRequest>(call, signal);
    if (first?.frame?.$case !== 'options') throw invalid('the first Attach message must be options');
    const opts: AttachOptions = first.frame.options;
    const v = ctx.supervisor.get(opts.id);
    const id = v.record.id;
    const spec = v.record.spec.process;
    const wantStdin = opts.stdin && !!spec.openStdin;
    const both = !opts.stdout && !opts.stderr;
    const connect = () => ctx.runner.shim(id).attach({ stdin: wantStdin });
    if (v.state === 'running' || v.state === 'paused') {
      stream = await connect();
    } else {
      stream = await new Promise<AttachStream>((resolve, reject) => {
        const off = ctx.whenCreated(id, async () => {
          off();
          try {
            resolve(await connect());
          } catch (e) {
            reject(e);
          }
        });
        signal.addEventListener('abort', () => { off(); reject(new Error('cancelled')); }, { once: true });
      });
    }
    const s = stream;
    if (opts.size && spec.terminal && opts.size.rows && opts.size.cols) s.resize(opts.size.rows, opts.size.cols);
    const write = (frame: IoFrame) => streamWrite(call, frame, signal);
    let queue = Promise.resolve();
    const enqueue = (frame: IoFrame) => { queue = queue.then(() => write(frame)); };
    if (both || opts.stdout) s.on('stdout', (data) => enqueue({ frame: { $case: 'stdout', stdout: data } }));
    if (both || opts.stderr) s.on('stderr', (data) => enqueue({ frame: { $case: 'stderr', stderr: data } }));

    let detached = false;
    call.on('data', (req: AttachRequest) => {
      const f = req.frame;
      if (!f) return;
      switch (f.$case) {
        case 'stdin':
          if (wantStdin) s.write(f.stdin);
          break;
        case 'resize':
          if (spec.terminal) s.resize(f.resize.rows, f.resize.cols);
          break;
        case 'closeStdin':
          if (wantStdin && v.record.request && (v.record.request as { config?: { stdinOnce?: boolean } }).config?.stdinOnce) s.end();
          break;
        case 'detach':
          detached = true;
          s.detach();
          break;
      }
    });
    call.resume();
    signal.addEventListener('abort', () => { detached = true; s.detach(); }, { once: true });

    const exit = await s.exit;
    await queue;
    if (signal.aborted) return;
    if (detached || !exit) {
      if (!detached) {
        // The shim let us go without an exit frame: the container's status comes from its actor.
        const r = await ctx.supervisor.wait(id, 'not-running', signal);
        await write({ frame: { $case: 'exit', exit: { exitCode: r.exitCode, signal: r.signal ?? 0, oomKilled: r.oomKilled, error: r.error ?? '', finishedAt: toTimestamp(r.finishedAt) } } });
      } else {
        await write({ frame: { $case: 'detached', detached: true } });
      }
    } else {
      await write({ frame: { $case: 'exit', exit: { exitCode: exit.exitCode, signal: exit.signal ?? 0, oomKilled: exit.oomKilled, error: '', finishedAt: toTimestamp(exit.finishedAt) } } });
    }
    call.end();
  } catch (err) {
    stream?.detach();
    if (!signal.aborted) call.emit('error', toServiceError(err));
  }
}
