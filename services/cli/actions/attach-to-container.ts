// The attached life of a container, shared by `run` (without -d), `start -a` and `attach`:
// attach to its stdio, start it if asked, stream until it exits or the user detaches, and come
// back with the exit code. The user's terminal is raw for `-it` and restored on every way out; signals the CLI gets
// are proxied to the container when there is no tty (--sig-proxy).
import type { ServiceError } from '@grpc/grpc-js';
import type { WaitContainerResponse } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { CliContext } from '../cli-context.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { unaryCall } from '../client/unary-call.js';
import { disableOutputProcessing } from '../io/raw-output.js';
import { RawTerminal } from '../io/raw-terminal.js';
import { proxySignals } from '../io/signal-proxy.js';
import { runStdioSession } from '../io/stdio-session.js';
import { terminalSizeOf } from '../io/terminal-size.js';
import { waitCondition } from '../proto-enums.js';

export interface AttachPlan {
  /** Container id or name. */
  id: string;
  /** Start the container once attached (run, start -a); false for `attach`. */
  start: boolean;
  /** The container has a tty (-t): one output stream, raw terminal, resizes. */
  tty: boolean;
  /** Attach the user's stdin (-i, and the container keeps stdin open). */
  stdin: boolean;
  detachKeys: readonly number[];
  sigProxy: boolean;
  /** --rm: come back only once the daemon has removed the container, as Docker does. */
  autoRemove: boolean;
  /** What the error lines name ("run", "start web", "attach web"). */
  what: string;
}

const noop = () => {};

/** How long `run --rm` waits, after the exit, for the daemon to report the removal. */
const removalWaitMs = 10_000;

function waitRemoved(daemon: DaemonClient, id: string): Promise<void> {
  const wait = unaryCall<WaitContainerResponse>((done) =>
    daemon.containers.wait({ id, condition: waitCondition.removed }, done)).then(noop, noop);
  return wait;
}

const bounded = (p: Promise<void>, ms: number): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void p.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });

export async function attachToContainer(plan: AttachPlan, cli: CliContext): Promise<number> {
  const daemon = await cli.daemon();
  const { id, tty } = plan;
  const size = tty ? terminalSizeOf(cli.stdout, cli.stderr) : undefined;
  // Asked before the start, so the removal cannot happen unseen.
  const removal = plan.autoRemove ? waitRemoved(daemon, id) : undefined;

  const call = daemon.containers.attach();
  call.on('error', noop);
  call.write({
    frame: { $case: 'options', options: { id, stdin: plan.stdin, stdout: true, stderr: true, logs: false, ...(size ? { size } : {}) } },
  });
  // No output is lost between this and the Start below: the options frame goes out first on the
  // one connection, the gateway registers the attachment as soon as it reads it, and the daemon
  // connects registered attachments to the shim after creating it and before starting the
  // payload (the proto's "Create, Attach, then Start"). Waiting for an answer first would cost
  // a round trip on every `run`.

  const person = plan.stdin && cli.stdin.isTTY === true;
  const raw = tty && person ? RawTerminal.enter(cli.stdin, process, disableOutputProcessing) : undefined;
  const leaveOnSignal = (signal: NodeJS.Signals) => {
    // The CLI is being ended while the terminal is raw: give the terminal back, leave the
    // container running (the call is cancelled, which detaches), exit as a signal would.
    raw?.restore();
    call.cancel();
    process.exit(signal === 'SIGHUP' ? 129 : 143);
  };
  if (raw) {
    process.on('SIGTERM', leaveOnSignal);
    process.on('SIGHUP', leaveOnSignal);
  }

  const session = runStdioSession({
    call,
    stdout: cli.stdout,
    stderr: cli.stderr,
    ...(plan.stdin ? { stdin: cli.stdin } : {}),
    ...(person ? { detachKeys: plan.detachKeys } : {}),
    ...(tty && cli.stdout.isTTY ? { terminal: cli.stdout } : {}),
  });
  session.catch(noop); // awaited below; a start failure must not leave it unhandled meanwhile

  let unproxy: (() => void) | undefined;
  try {
    if (plan.start) {
      try {
        await unaryCall((done: (err: ServiceError | null, res: object) => void) => daemon.containers.start({ id }, done));
      } catch (err) {
        call.cancel();
        // --rm: a container that could not start is not left behind (Docker removes it too).
        if (plan.autoRemove) {
          await unaryCall((done: (e: ServiceError | null, r: object) => void) => daemon.containers.remove({ id, force: true }, done)).catch(noop);
        }
        throw cli.fail(err, plan.what);
      }
    }
    if (plan.sigProxy && !tty) {
      unproxy = proxySignals((signal) => daemon.containers.kill({ id, signal }, noop));
    }
    let end;
    try {
      end = await session;
    } catch (err) {
      throw cli.fail(err, plan.what);
    }
    if (end.kind === 'detached') {
      call.cancel();
      return 0;
    }
    const { exitCode, error } = end.status;
    if (error && exitCode >= 125) cli.stderr.write(`tdocker: ${plan.what}: ${error}\n`);
    if (removal) await bounded(removal, removalWaitMs);
    return exitCode;
  } finally {
    unproxy?.();
    raw?.restore();
    if (raw) {
      process.removeListener('SIGTERM', leaveOnSignal);
      process.removeListener('SIGHUP', leaveOnSignal);
    }
  }
}
