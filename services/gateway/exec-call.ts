// Exec: a new process in a running container's namespaces and cgroup, over a bidirectional
// stream: `started` first, then output, then `exit` (126/127 when it cannot be run).
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { TdockerError, invalid, precondition } from '../errors/tdocker-error.js';
import type { ExecRequest, IoFrame } from '../../proto/gen/tinydocker/v1/containers.js';
import type { ExecProcess } from './exec-types.js';
import type { GatewayContext } from './gateway-context.js';
import { firstMessage } from './first-message.js';
import { toServiceError } from './grpc-status.js';
import { streamWrite } from './stream-write.js';
import { nowTimestamp } from './timestamp.js';
import { cancelSignal } from './unary-call.js';

function mergeEnv(base: string[], over: string[]): string[] {
  const out = new Map<string, string>();
  for (const e of [...base, ...over]) out.set(e.split('=')[0]!, e);
  return [...out.values()];
}

export async function execCall(ctx: GatewayContext, call: ServerDuplexStream<ExecRequest, IoFrame>): Promise<void> {
  const signal = cancelSignal(call);
  const write = (frame: IoFrame) => streamWrite(call, frame, signal);
  let proc: ExecProcess | undefined;
  try {
    const first = await firstMessage<ExecRequest>(call, signal);
    if (first?.frame?.$case !== 'options') throw invalid('the first Exec message must be options');
    const o = first.frame.options;
    if (o.cmd.length === 0) throw invalid('no command given to exec');
    const v = ctx.supervisor.get(o.id);
    if (v.state === 'paused') throw precondition(`container ${v.record.name} is paused, unpause it first`);
    if (v.state !== 'running' || !v.context.pid) throw precondition(`container ${v.record.name} is not running`);
    if (!ctx.startExec) throw new TdockerError('UNAVAILABLE', 'exec is not available in this daemon');
    const p = v.record.spec.process;
    try {
      proc = await ctx.startExec({
        pid: v.context.pid,
        cgroupProcs: ctx.runner.cgroup(v.record.id).procsFiles,
        args: o.cmd,
        // The container's environment as its init got it (HOSTNAME included), then the exec's own.
        env: mergeEnv([...(p.hostname ? [`HOSTNAME=${p.hostname}`] : []), ...(p.env ?? [])], o.env),
        cwd: o.workingDir || p.cwd || '/',
        ...((o.user || p.user) ? { user: o.user || p.user } : {}),
        tty: o.tty,
        openStdin: o.stdin,
        ...(o.size?.rows && o.size.cols ? { consoleSize: { height: o.size.rows, width: o.size.cols } } : {}),
        // An exec'd process has what the container's init has, as in Docker.
        ...(p.capabilities ? { capabilities: p.capabilities } : {}),
        ...(p.groups ? { groups: p.groups } : {}),
      });
    } catch (err) {
      const e = TdockerError.from(err);
      if (e.exitCode === undefined) throw e;
      await write({ frame: { $case: 'exit', exit: { exitCode: e.exitCode, signal: 0, oomKilled: false, error: e.message, finishedAt: nowTimestamp() } } });
      call.end();
      return;
    }
    const pr = proc;
    await write({ frame: { $case: 'started', started: { execId: randomBytes(32).toString('hex'), pid: pr.pid } } });
    if (o.detach) {
      call.end();
      return;
    }
    let queue = Promise.resolve();
    const enqueue = (frame: IoFrame) => { queue = queue.then(() => write(frame)); };
    pr.on('stdout', (data: Buffer) => enqueue({ frame: { $case: 'stdout', stdout: data } }));
    pr.on('stderr', (data: Buffer) => enqueue({ frame: { $case: 'stderr', stderr: data } }));
    let detached = false;
    call.on('data', (req: ExecRequest) => {
      const f = req.frame;
      if (!f) return;
      if (f.$case === 'stdin' && o.stdin) pr.write(f.stdin);
      else if (f.$case === 'resize' && o.tty) pr.resize(f.resize.rows, f.resize.cols);
      else if (f.$case === 'closeStdin' && o.stdin) pr.end();
      else if (f.$case === 'detach') {
        detached = true;
        void write({ frame: { $case: 'detached', detached: true } }).then(() => call.end());
      }
    });
    call.resume();
    const exit = await pr.exit;
    await queue;
    if (signal.aborted || detached) return;
    await write({ frame: { $case: 'exit', exit: { exitCode: exit.exitCode, signal: exit.signal ?? 0, oomKilled: false, error: '', finishedAt: nowTimestamp() } } });
    call.end();
  } catch (err) {
    if (!signal.aborted) call.emit('error', toServiceError(err));
  }
}
