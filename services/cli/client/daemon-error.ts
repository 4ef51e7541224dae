// How a failed call to the daemon becomes the CLI's one line and exit code.
//
// The contract with the gateway: a failure is a gRPC status whose details are the reason, and
// when the failure is a container's process that could not run, the trailing metadata carries
// `tdocker-exit-code` (126: found but cannot be executed, 127: not found), which the CLI exits
// with. Every other failure exits 125, Docker's "the daemon (or the client) failed".
// Status numbers are written out so that the CLI's error path never loads grpc-js.
import { CliError } from '../cli-error.js';

export const exitCodeTrailer = 'tdocker-exit-code';

const UNAVAILABLE = 14;
const statusNames = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

/** The part of grpc-js's ServiceError the CLI reads. */
export interface CallFailure {
  code: number;
  details: string;
  metadata?: { get(key: string): (string | Buffer)[] };
}

export function isCallFailure(err: unknown): err is CallFailure {
  return err instanceof Error && typeof (err as Partial<CallFailure>).code === 'number' &&
    typeof (err as Partial<CallFailure>).details === 'string';
}

/** The exit code the daemon asked for (1..255), else 125. */
export function exitCodeOf(err: CallFailure): number {
  const value = err.metadata?.get(exitCodeTrailer)[0];
  const n = value === undefined ? NaN : Number(String(value));
  return Number.isInteger(n) && n > 0 && n < 256 ? n : 125;
}

/**
 * Whether the call never reached a daemon: grpc-js reports a refused, missing or unreachable
 * endpoint as UNAVAILABLE with "No connection established" (or a connect error) in the details,
 * which a daemon's own UNAVAILABLE never carries.
 */
export function isConnectFailure(err: CallFailure): boolean {
  return err.code === UNAVAILABLE && /No connection established|Failed to connect|connect E[A-Z]+/.test(err.details);
}

/** Whether an established connection broke (the daemon died or was stopped mid-call). */
export function isConnectionLost(err: CallFailure): boolean {
  return err.code === UNAVAILABLE && /Connection dropped|Socket closed|ECONNRESET|EPIPE|GOAWAY/.test(err.details);
}

export const cannotConnect = (host: string, why = 'is tdockerd running? (start it with: tdockerd)'): CliError =>
  new CliError(`cannot connect to the daemon at ${host}`, why);

/** The CLI's error for a failed call; `what` names what was being done ("rm web"). */
export function daemonError(err: unknown, what: string, host: string): CliError {
  if (err instanceof CliError || !isCallFailure(err)) {
    if (err instanceof CliError) return err;
    return new CliError(what, err instanceof Error ? err.message : String(err), { cause: err });
  }
  if (isConnectFailure(err)) {
    if (/EACCES|EPERM/.test(err.details)) return cannotConnect(host, 'permission denied (the socket is for root, or its owner)');
    if (host.startsWith('tcp://') && /certificate|SSL|TLS|handshake/i.test(err.details)) {
      return cannotConnect(host, `TLS handshake failed: ${err.details.replace(/^No connection established\. Last error: (Error: )?/, '').replace(/\. Resolution note: .*$/, '')}`);
    }
    return cannotConnect(host);
  }
  if (isConnectionLost(err)) return new CliError(what, `lost the connection to the daemon at ${host} (${err.details})`, { cause: err });
  const why = err.details.trim() || (statusNames[err.code] ?? `status ${err.code}`).toLowerCase().replaceAll('_', ' ');
  return new CliError(what, why, { exitCode: exitCodeOf(err), cause: err });
}
