// tdocker exec: a new process in a running container, streamed like an attached run; exits with
// the process's code (126/127 when it cannot be run). -d returns once the process has started.
import type { ExitStatus, IoFrame } from '../../../proto/gen/tinydocker/v1/containers.js';
import type { ExecCommand } from '../args/commands/exec.js';
import { CliError } from '../cli-error.js';
import type { Action, CliContext } from '../cli-context.js';
import { disableOutputProcessing } from '../io/raw-output.js';
import { RawTerminal } from '../io/raw-terminal.js';
import { type IoCall, runStdioSession, SessionLost } from '../io/stdio-session.js';
import { terminalSizeOf } from '../io/terminal-size.js';

const noop = () => {};

/** -d: the `started` frame, or the `exit` frame of a process that could not start. */
function startedOrExit(call: IoCall): Promise<ExitStatus | undefined> {
  return new Promise((resolve, reject) => {
    call.on('data', (f: IoFrame) => {
      if (f.frame?.$case === 'started') resolve(undefined);
      else if (f.frame?.$case === 'exit') resolve(f.frame.exit);
    });
    call.on('error', reject);
    call.on('end', () => reject(new SessionLost('the daemon closed the stream before the process started')));
  });
}

function reportExit(cli: CliContext, what: string, status: ExitStatus): number {
  if (status.error && status.exitCode >= 125) cli.stderr.write(`tdocker: ${what}: ${status.error}\n`);
  return status.exitCode;
}

export const exec: Action<ExecCommand> = async (cmd, cli) => {
  const { options } = cmd;
  const what = `exec ${options.id}`;
  if (options.tty && options.stdin && !cli.stdin.isTTY) {
    throw new CliError(what, 'the input device is not a TTY (drop -t, or run from a terminal)');
  }
  const daemon = await cli.daemon();
  const size = options.tty ? terminalSizeOf(cli.stdout, cli.stderr) : undefined;
  const call = daemon.containers.exec();
  call.on('error', noop);
  call.write({ frame: { $case: 'options', options: { ...options, ...(size ? { size } : {}) } } });

  if (options.detach) {
    const exit = await startedOrExit(call).catch((err) => {
      throw cli.fail(err, what);
    });
    call.cancel();
    return exit ? reportExit(cli, what, exit) : 0;
  }

  const person = options.stdin && cli.stdin.isTTY === true;
  const raw = options.tty && person ? RawTerminal.enter(cli.stdin, process, disableOutputProcessing) : undefined;
  try {
    const end = await runStdioSession({
      call,
      stdout: cli.stdout,
      stderr: cli.stderr,
      ...(options.stdin ? { stdin: cli.stdin } : {}),
      ...(person ? { detachKeys: cmd.detachKeys } : {}),
      ...(options.tty && cli.stdout.isTTY ? { terminal: cli.stdout } : {}),
    }).catch((err) => {
      throw cli.fail(err, what);
    });
    if (end.kind === 'detached') {
      call.cancel();
      return 0;
    }
    return reportExit(cli, what, end.status);
  } finally {
    raw?.restore();
  }
};
