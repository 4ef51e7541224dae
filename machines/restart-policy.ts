// Restart policies as Docker has them (`--restart no | on-failure[:N] | always | unless-stopped`)
// and the backoff between restarts (moby's restartmanager: 100 ms, doubling, capped at one minute,
// back to 100 ms once the container had run for 10 s).

export type RestartPolicyName = 'no' | 'on-failure' | 'always' | 'unless-stopped';

export interface RestartPolicy {
  name: RestartPolicyName;
  /** on-failure only: restarts allowed; absent means no limit (Docker's `on-failure` or `:0`). */
  maxRetries?: number;
}

export class RestartPolicyError extends Error {
  override name = 'RestartPolicyError';
}

export const RESTART_BACKOFF = {
  initialMs: 100,
  maxMs: 60_000,
  /** A run at least this long resets the backoff to initialMs. */
  resetAfterMs: 10_000,
} as const;

const NAMES: readonly RestartPolicyName[] = ['no', 'on-failure', 'always', 'unless-stopped'];

/** Parses the `--restart` value; an empty value is `no`, as in Docker. */
export function parseRestartPolicy(text: string): RestartPolicy {
  const value = text.trim();
  if (value === '') return { name: 'no' };
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  if (!(NAMES as readonly string[]).includes(name)) {
    throw new RestartPolicyError(
      `invalid restart policy "${value}": expected no, on-failure[:max-retries], always or unless-stopped`,
    );
  }
  const policy = name as RestartPolicyName;
  if (colon < 0) return { name: policy };
  const count = value.slice(colon + 1);
  if (policy !== 'on-failure') {
    throw new RestartPolicyError(`invalid restart policy "${value}": max-retries only goes with on-failure`);
  }
  if (!/^\d+$/.test(count) || !Number.isSafeInteger(Number(count))) {
    throw new RestartPolicyError(
      `invalid restart policy "${value}": max-retries must be a whole number of 0 or more, not "${count}"`,
    );
  }
  const maxRetries = Number(count);
  return maxRetries === 0 ? { name: 'on-failure' } : { name: 'on-failure', maxRetries };
}

/** The `--restart` text of a policy; parseRestartPolicy(formatRestartPolicy(p)) equals p. */
export function formatRestartPolicy(policy: RestartPolicy): string {
  return policy.maxRetries === undefined ? policy.name : `${policy.name}:${policy.maxRetries}`;
}

export interface ExitFacts {
  exitCode: number;
  restartCount: number;
  manuallyStopped: boolean;
}

/** Whether the policy restarts a container whose process just exited. */
export function shouldRestart(policy: RestartPolicy, facts: ExitFacts): boolean {
  if (facts.manuallyStopped) return false;
  switch (policy.name) {
    case 'no':
      return false;
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return facts.exitCode !== 0 && (policy.maxRetries === undefined || facts.restartCount < policy.maxRetries);
  }
}

/**
 * Whether a daemon that comes back starts a container it finds stopped (Docker's restore): `always`
 * even after the user stopped it, the others as if the container had just exited.
 */
export function startsWithDaemon(policy: RestartPolicy, facts: ExitFacts): boolean {
  return policy.name === 'always' || shouldRestart(policy, facts);
}

/**
 * The delay before the next restart: initialMs for the first, then double the previous, at most
 * maxMs; initialMs again when the run that just ended lasted resetAfterMs or more.
 * `ranForMs` is null when the run's length is unknown (counted as short).
 */
export function nextRestartDelay(previousMs: number, ranForMs: number | null): number {
  if (previousMs <= 0 || (ranForMs !== null && ranForMs >= RESTART_BACKOFF.resetAfterMs)) {
    return RESTART_BACKOFF.initialMs;
  }
  return Math.min(previousMs * 2, RESTART_BACKOFF.maxMs);
}

/** How long a run lasted, from the ISO times the shim reports; null when either is missing or bad. */
export function runDurationMs(startedAt: string | null, finishedAt: string | null): number | null {
  if (startedAt === null || finishedAt === null) return null;
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  return Number.isFinite(ms) ? ms : null;
}
