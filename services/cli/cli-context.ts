// What every command's action gets: the global options, the process's stdio, the clock, and the
// daemon, connected on first use (so `--help` and bad input never load grpc-js).
import type { GlobalOptions } from './args/global-options.js';
import type { CliError } from './cli-error.js';
import type { DaemonClient } from './client/daemon-client.js';
import type { DaemonTarget } from './client/daemon-target.js';

export interface CliContext {
  global: GlobalOptions;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Milliseconds since the epoch. */
  now(): number;
  daemon(): Promise<DaemonClient>;
  /** Where the daemon is (-H NAME asks the fleet once); for calls made without grpc-js. */
  target(): Promise<DaemonTarget>;
  /** The CLI's error for a failed call to the daemon; `what` names what was being done. */
  fail(err: unknown, what: string): CliError;
}

/** A command's work: resolves to the process's exit code. */
export type Action<C> = (command: C, cli: CliContext) => Promise<number>;
