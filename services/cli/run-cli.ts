// The CLI from argv to exit code: parse, run the command's action, and turn every failure into
// one line on stderr (`tdocker: <what failed>: <why>`) and Docker's exit code.
import { parseCommandLine } from './args/parse-command-line.js';
import type { GlobalOptions } from './args/global-options.js';
import { CliError } from './cli-error.js';
import type { CliContext } from './cli-context.js';
import type { DaemonClient } from './client/daemon-client.js';
import { daemonError } from './client/daemon-error.js';

export interface CliStdio {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

function contextOf(global: GlobalOptions, stdio: CliStdio, opened: { client?: DaemonClient }): CliContext {
  return {
    global,
    // Read on use, not spread: spreading `process` runs every getter it has (creating stdin's
    // stream, building the allowed-flags set), milliseconds that most commands never need.
    get stdin() { return stdio.stdin; },
    get stdout() { return stdio.stdout; },
    get stderr() { return stdio.stderr; },
    now: () => Date.now(),
    async daemon() {
      if (!opened.client) {
        const [{ DaemonClient }, { daemonTargetOf }] = await Promise.all([
          import('./client/daemon-client.js'),
          import('./client/daemon-target.js'),
        ]);
        const target = global.fleetHost ? await (await import('./client/fleet-target.js')).fleetTarget(global) : daemonTargetOf(global);
        opened.client = new DaemonClient(target);
      }
      return opened.client;
    },
    // -H NAME: the host the fleet resolved it to, once connected.
    fail: (err, what) => global.fleetHost && opened.client
      ? daemonError(err, what, opened.client.host, opened.client.host.startsWith('tcp://') && !global.insecure)
      : daemonError(err, what, global.host, global.tls !== undefined),
  };
}

export async function runCli(argv: readonly string[], stdio: CliStdio = process): Promise<number> {
  const opened: { client?: DaemonClient } = {};
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
