// The attached life of a container, shared by `run` (without -d), `start -a` and `attach`:
// attach to its stdio (creating and starting it in the same call when asked), stream until it
// exits or the user detaches, and come back with the exit code. One Attach call does it all, so
// `run` waits for no answer between the steps. The user's terminal is raw for `-it` and restored
// on every way out; signals the CLI gets are proxied to the container when there is no tty
// (--sig-proxy).
import type { CreateContainerRequest, IoFrame } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { CliContext } from '../cli-context.js';
import { RawTerminal } from '../io/raw-terminal.js';
import { disableOutputProcessing } from '../io/raw-output.js';
import { proxySignals } from '../io/signal-proxy.js';
import { runStdioSession } from '../io/stdio-session.js';
import { terminalSizeOf } from '../io/terminal-size.js';
import { printWarnings } from './print-warnings.js';

export interface AttachPlan {
  /** Container id or name; unused with `create`. */
  id: string;
  /** Create the container from this request first (`run`). */
  create?: CreateContainerRequest;
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

export async function attachToContainer(plan: AttachPlan, cli: CliContext): Promise<number> {
  const { tty } = plan;
  let id = plan.id;
  const size = tty ? terminalSizeOf(cli.stdout, cli.stderr) : undefined;

  // A daemon on a unix socket is attached to over plain HTTP/2, without loading grpc-js.
  const target = await cli.target();
  const call = !target.tls && target.target.startsWith('unix://')
    ? (await import('../client/h2-attach.js')).attachOverHttp2(target.target.slice('unix://'.length))
    : (await cli.daemon()).containers.attach();
  call.on('error', noop);
  call.write({
    frame: {
      $case: 'options',
      options: {
        id, stdin: plan.stdin, stdout: true, stderr: true, logs: false, ...(size ? { size } : {}),
        ...(plan.create ? { create: plan.create } : {}), start: plan.start, waitRemoved: plan.autoRemove,
      },
    },
  });
  let unproxy: (() => void) | undefined;
  const proxy = () => {
    if (plan.sigProxy && !tty) unproxy = proxySignals((signal) => {
      // grpc-js is loaded for the first signal only.
      cli.daemon().then((daemon) => daemon.containers.kill({ id, signal }, noop), noop);
    });
  };
  if (plan.create) {
    call.on('data', (f: IoFrame) => {
      if (f.frame?.$case !== 'created') return;
      id = f.frame.created.id;
      printWarnings(cli, f.frame.created.warnings);
      proxy();
    });
  } else {
    proxy();
  }

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

  try {
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
