// The CLI from argv to exit code: parse, run the command's action, and turn every failure into
// one line on stderr (`tdocker: <what failed>: <why>`) and Docker's exit code.
import { parseCommandLine } from './args/parse-command-line.js';
import type { GlobalOptions } from './args/global-options.js';
import { CliError } from './cli-error.js';
import type { CliContext } from './cli-context.js';
import type { DaemonClient } from './client/daemon-client.js';
import type { DaemonTarget } from './client/daemon-target.js';
import { daemonError } from './client/daemon-error.js';

export interface CliStdio {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** What a command opened: the daemon's client and where the daemon is, made on first use. */
interface Opened {
  client?: DaemonClient;
  target?: Promise<DaemonTarget>;
  resolved?: DaemonTarget;
}

function contextOf(global: GlobalOptions, stdio: CliStdio, opened: Opened): CliContext {
  const target = (): Promise<DaemonTarget> => {
    opened.target ??= global.fleetHost
      ? import('./client/fleet-target.js').then((m) => m.fleetTarget(global)).then((t) => (opened.resolved = t))
      : import('./client/daemon-target.js').then((m) => (opened.resolved = m.daemonTargetOf(global)));
    return opened.target;
  };
  return {
    global,
    // Read on use, not spread: spreading `process` runs every getter it has (creating stdin's
    // stream, building the allowed-flags set), milliseconds that most commands never need.
    get stdin() { return stdio.stdin; },
    get stdout() { return stdio.stdout; },
    get stderr() { return stdio.stderr; },
    now: () => Date.now(),
    target,
    async daemon() {
      if (!opened.client) {
        const [{ DaemonClient }, where] = await Promise.all([import('./client/daemon-client.js'), target()]);
        opened.client ??= new DaemonClient(where);
      }
      return opened.client;
    },
    // -H NAME: the host the fleet resolved it to, once known.
    fail: (err, what) => global.fleetHost && opened.resolved
      ? daemonError(err, what, opened.resolved.host, opened.resolved.host.startsWith('tcp://') && !global.insecure)
      : daemonError(err, what, global.host, global.tls !== undefined),
  };
}

export async function runCli(argv: readonly string[], stdio: CliStdio = process): Promise<number> {
  const opened: Opened = {};
  let what = 'command line';
  let global: GlobalOptions | undefined;
  try {
    const parsed = await parseCommandLine(argv);
    if (parsed.kind === 'help') {
      stdio.stdout.write(parsed.text);
      return 0;
    }
    if (parsed.kind === 'client-version') {
      const { clientVersion } = await import('./client-version.js');
      stdio.stdout.write(`tdocker version ${clientVersion()}\n`);
      return 0;
    }
    global = parsed.global;
    what = parsed.command.name;
    const { loadAction } = await import('./actions/action-table.js');
    const action = await loadAction(parsed.command);
    return await action(parsed.command, contextOf(parsed.global, stdio, opened));
  } catch (err) {
    const e = err instanceof CliError ? err : daemonError(err, what, global?.host ?? '', global?.tls !== undefined);
    stdio.stderr.write(`${e.line}\n`);
    if (global?.debug) {
      // -D: what lies under the line (a gRPC status with its details, a stack).
      for (let c: unknown = err; c instanceof Error; c = c.cause) stdio.stderr.write(`${c.stack ?? c.message}\n`);
    }
    return e.exitCode;
  } finally {
    opened.client?.close();
  }
}
