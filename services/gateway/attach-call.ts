// Attach: the container's stdio over a bidirectional stream, through the shim's attach. A client
// that attaches before the container starts (`run` without -d, `start -a`) is connected to the
// shim between its creation and the start, so it sees every byte of output. With options.create,
// .start and .wait_removed the whole of `run` is this one call (the proto says how).
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { invalid, precondition } from '../errors/tdocker-error.js';
import type { AttachStream } from '../runtime/shim-client.js';
import type { AttachOptions, AttachRequest, IoFrame } from '../../proto/gen/tinydocker/v1/containers.js';
import { createContainer, startCreated } from './create-container.js';
import type { GatewayContext } from './gateway-context.js';
import { toServiceError } from './grpc-status.js';
import { firstMessage } from './first-message.js';
import { streamWrite } from './stream-write.js';
import { toTimestamp } from './timestamp.js';
import { cancelSignal } from './unary-call.js';

/** How long `exit` waits for an auto-removal (wait_removed) that does not come. */
const removalWaitMs = 10_000;

export async function attachCall(ctx: GatewayContext, call: ServerDuplexStream<AttachRequest, IoFrame>): Promise<void> {
  const signal = cancelSignal(call);
  // Ends the wait for a removal when the call ends another way (detached, failed) too.
  const done = new AbortController();
  signal.addEventListener('abort', () => done.abort(), { once: true });
  let stream: AttachStream | undefined;
  try {
    const first = await firstMessage<AttachRequest>(call, signal);
    if (first?.frame?.$case !== 'options') throw invalid('the first Attach message must be options');
    const opts: AttachOptions = first.frame.options;
    const write = (frame: IoFrame) => streamWrite(call, frame, signal);
    let ref = opts.id;
    if (opts.create) {
      const created = await createContainer(ctx, opts.create);
      ref = created.id;
      await write({ frame: { $case: 'created', created } });
    }
    const v = ctx.supervisor.get(ref);
    const id = v.record.id;
    const spec = v.record.spec.process;
    const autoRemove = v.record.autoRemove;
    if (!opts.start && (v.state === 'exited' || v.state === 'dead' || v.state === 'removing')) {
      // Nothing would ever come: Docker refuses at once too.
      throw precondition('you cannot attach to a stopped container, start it first');
    }
    const wantStdin = opts.stdin && !!spec.openStdin;
    const both = !opts.stdout && !opts.stderr;
    const connect = () => ctx.runner.shim(id).attach({ stdin: wantStdin });
    // Asked before the start, so that the removal cannot pass unseen.
    const removed = opts.waitRemoved && autoRemove
      ? ctx.supervisor.wait(id, 'removed', done.signal).then(() => {}, () => {})
      : undefined;
    let off = () => {};
    const connected = v.state === 'running' || v.state === 'paused'
      ? connect()
      : new Promise<AttachStream>((resolve, reject) => {
        // Registered before the start: the shim is connected to before the payload runs.
        off = ctx.whenCreated(id, async () => {
          off();
          try {
            resolve(await connect());
          } catch (e) {
            reject(e);
          }
        });
        signal.addEventListener('abort', () => { off(); reject(new Error('cancelled')); }, { once: true });
      });
    connected.catch(() => {}); // awaited below, unless the start fails first
    if (opts.start) {
      try {
        await startCreated(ctx, id, autoRemove);
      } catch (err) {
        off();
        throw err;
      }
    }
    stream = await connected;
    const s = stream;
    if (opts.size && spec.terminal && opts.size.rows && opts.size.cols) s.resize(opts.size.rows, opts.size.cols);
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
    if (removed && !detached) await bounded(removed, removalWaitMs);
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
  } finally {
    done.abort();
  }
}

const bounded = (p: Promise<void>, ms: number): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void p.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
