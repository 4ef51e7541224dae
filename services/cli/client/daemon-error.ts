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

export const cannotConnect = (host: string, why = 'is tdockerd running? (start it with: tdockerd)', cause?: unknown): CliError =>
  new CliError(`cannot connect to the daemon at ${host}`, why, cause === undefined ? {} : { cause });

/** Errors of a connection that found nothing to talk to (no socket, nothing listening). */
const nobodyThere = /ENOENT|ECONNREFUSED|ENOTDIR|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ENOTFOUND|EAI_AGAIN/;

/**
 * The CLI's error for a failed call; `what` names what was being done ("rm web"), `host` the
 * daemon, and `tls` whether the CLI offered mutual TLS (for the words of a refused handshake).
 */
export function daemonError(err: unknown, what: string, host: string, tls = false): CliError {
  if (err instanceof CliError || !isCallFailure(err)) {
    if (err instanceof CliError) return err;
    return new CliError(what, err instanceof Error ? err.message : String(err), { cause: err });
  }
  if (isConnectFailure(err)) {
    const last = err.details.replace(/^No connection established\. Last error: (Error: )?/, '').replace(/\. Resolution note: .*$/, '');
    if (/EACCES|EPERM/.test(err.details)) return cannotConnect(host, 'permission denied (the socket is for root, or its owner)', err);
    if (/certificate|SSL|TLS|handshake/i.test(last)) return cannotConnect(host, `TLS handshake failed: ${last}`, err);
    if (nobodyThere.test(err.details)) return cannotConnect(host, undefined, err);
    // Something listens, but the handshake failed without a reason on this side (grpc-js says
    // only "Failed to connect"): the daemon refused this client.
    if (host.startsWith('tcp://')) {
      return cannotConnect(host, tls
        ? 'the daemon refused the connection: it does not accept this client certificate (--tlscert, --tlskey), or it listens without TLS (--insecure)'
        : 'the daemon refused a connection without TLS: it requires mutual TLS (--tlscacert, --tlscert, --tlskey)', err);
    }
    return cannotConnect(host, `the handshake failed: ${last}`, err);
  }
  if (isConnectionLost(err)) return new CliError(what, `lost the connection to the daemon at ${host} (${err.details})`, { cause: err });
  const why = err.details.trim() || (statusNames[err.code] ?? `status ${err.code}`).toLowerCase().replaceAll('_', ' ');
  return new CliError(what, why, { exitCode: exitCodeOf(err), cause: err });
}
