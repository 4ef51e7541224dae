// After a daemon restart: the true state of a container, from what the daemon had persisted (its
// record and machine snapshot) and what the host says now (a live shim, an exit.json, nothing).
// The actor is then built from that state (`input.restore`), never resumed from a snapshot taken
// in the middle of a step (machines/resumable-snapshot.ts says why).
import type { ContainerContext, ContainerEvent, ContainerRestore, ContainerStatus } from '../../machines/container-types.js';
import type { ContainerRecord } from './container-record.js';
import type { ContainerProbe } from './container-runtime.js';

export interface RestorePlan {
  restore: ContainerRestore;
  /** Undo a step the daemon died in before the actor starts: let the shim go and unmount. */
  unmountFirst: boolean;
  /** Thaw the cgroup first: the daemon died between freezing and recording it (or the reverse). */
  thawFirst: boolean;
  /** A command the daemon had accepted and not finished; sent once the actor runs. */
  resend?: ContainerEvent;
}

interface Persisted {
  value?: unknown;
  status?: string;
  context?: Partial<ContainerContext>;
}

/** The state path of a persisted snapshot as one string: "created", "live.paused", … */
export function persistedStateName(snapshot: unknown): string {
  const value = (snapshot as Persisted | undefined)?.value;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const [k, sub] = Object.entries(value)[0] ?? [];
    if (k === undefined) return 'created';
    return typeof sub === 'string' ? `${k}.${sub}` : typeof sub === 'object' && sub !== null ? `${k}.${Object.keys(sub)[0]}` : k;
  }
  return 'created';
}

export function restorePlan(record: ContainerRecord, probe: ContainerProbe): RestorePlan {
  const persisted = (record.snapshot ?? {}) as Persisted;
  const ctx = persisted.context ?? {};
  const was = persistedStateName(record.snapshot);
  const status: Partial<ContainerStatus> = {
    exitCode: ctx.exitCode ?? null,
    signal: ctx.signal ?? null,
    oomKilled: ctx.oomKilled ?? false,
    startedAt: ctx.startedAt ?? null,
    finishedAt: ctx.finishedAt ?? null,
    restartCount: ctx.restartCount ?? record.restartCount ?? 0,
    lastError: ctx.lastError ?? null,
  };
  const base = { status, manuallyStopped: ctx.manuallyStopped ?? false };
  const idle = (): ContainerRestore => ({ ...base, state: status.startedAt == null ? 'created' : 'stopped' });
  const plan = (restore: ContainerRestore, more: Partial<RestorePlan> = {}): RestorePlan => ({
    restore, unmountFirst: false, thawFirst: false, ...more,
  });
  const wasLive = was.startsWith('live') || was === 'starting' || was === 'cleaningUp';

  switch (probe.state) {
    case 'running': {
      const live = { ...base, pid: probe.pid, startedAt: probe.startedAt };
      if (was === 'live.paused') return plan({ ...live, state: 'paused' });
      const resend = resendOf(was, ctx);
      return plan({ ...live, state: 'running' }, {
        thawFirst: was === 'live.pausing' || was === 'live.resuming' || was.startsWith('live.stopping') || was === 'live.killing',
        ...(resend ? { resend } : {}),
      });
    }
    case 'created':
      // The daemon died between creating the shim and starting it: undo, then start again.
      return plan(idle(), { unmountFirst: true, resend: { type: 'START' } });
    case 'exited':
      if (wasLive) return plan({ ...base, state: 'exited', startedAt: probe.startedAt, exit: probe.exit });
      return restFrom(was, idle());
    case 'gone':
      if (wasLive) {
        // The shim went away without leaving a status (killed): containerd's "lost" exit.
        return plan({
          ...base,
          state: 'exited',
          startedAt: status.startedAt ?? new Date(0).toISOString(),
          exit: { exitCode: 255, oomKilled: false, finishedAt: null },
          status: { ...status, lastError: { step: 'watch', message: 'the container shim went away without an exit status' } },
        });
      }
      return restFrom(was, idle());
  }
}

/** A container with no process: undo a half-done step and pick up the command behind it. */
function restFrom(was: string, idle: ContainerRestore): RestorePlan {
  const plan: RestorePlan = { restore: idle, unmountFirst: false, thawFirst: false };
  switch (was) {
    case 'mounting':
    case 'mounted':
      return { ...plan, unmountFirst: true, resend: { type: 'START' } };
    case 'unwinding':
      return { ...plan, unmountFirst: true };
    case 'removing':
      return { ...plan, unmountFirst: true, resend: { type: 'REMOVE', force: true } };
    default:
      return plan;
  }
}

/** A stop, kill or forced removal that was under way when the daemon died: do it again. */
function resendOf(was: string, ctx: Partial<ContainerContext>): ContainerEvent | undefined {
  if (ctx.afterExit === 'remove') return { type: 'REMOVE', force: true };
  if (was.startsWith('live.stopping')) {
    if (ctx.afterExit === 'start') return { type: 'RESTART', timeout: ctx.stopWait };
    return { type: 'STOP', timeout: ctx.stopWait, signal: ctx.signalToSend === 'SIGKILL' ? 'SIGKILL' : undefined };
  }
  return undefined;
}
