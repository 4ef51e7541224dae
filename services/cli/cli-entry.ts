// The CLI as a process: hands argv and stdio to runCli and exits with its code, without waiting
// for idle gRPC timers. main.ts runs this module from the bundle when there is one, else as tsc
// built it. `warm` loads every module a command may need and runs a call through grpc-js (to a
// socket where nothing listens), so that the bundle's code cache covers the code a command runs.
import { runCli } from './run-cli.js';

export async function main(argv: readonly string[]): Promise<never> {
  // `tdocker ps | head -1`: a reader that went away is not an error worth a stack trace.
  for (const out of [process.stdout, process.stderr]) {
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  process.exit(await runCli(argv));
}

export async function warm(nowhere: string): Promise<void> {
  const [{ actionLoaders }, { commandLoaders }, , { DaemonClient }] = await Promise.all([
    import('./actions/action-table.js'),
    import('./args/command-table.js'),
    import('./args/parse-command-line.js'),
    import('./client/daemon-client.js'),
    import('./client/daemon-target.js'),
    import('./client-version.js'),
  ]);
  await Promise.all([...Object.values(actionLoaders), ...Object.values(commandLoaders)].map((load) => load()));
  const client = new DaemonClient({ host: `unix://${nowhere}`, target: `unix://${nowhere}` });
  await new Promise((resolve) => client.system.ping({}, resolve));
  client.close();
}
