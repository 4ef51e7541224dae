// Signals every task of a cgroup when the kernel has no cgroup.kill for it (v1, or a signal other
// than SIGKILL).
import { TdockerError } from '../errors/tdocker-error.js';

export interface Freezer {
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  isFrozen(): Promise<boolean>;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ESRCH') return; // exited since cgroup.procs was read
    throw new TdockerError('FAILED_PRECONDITION', `cannot send ${sig} to ${pid}: ${e.code}`, {
      cause: err,
      sys: { syscall: 'kill', errno: Math.abs(e.errno ?? 0) },
    });
  }
}

/**
 * The cgroup is frozen first so no task can fork a new one between reading cgroup.procs and
 * sending the signals (a fork loop would otherwise keep a task out of reach). A cgroup that was
 * paused stays paused, except after SIGKILL: a task frozen by the v1 freezer only dies once thawed.
 * Without a freezer the signals are sent as they are, and a task forked meanwhile is missed.
 */
export async function signalCgroupTasks(pids: () => Promise<number[]>, sig: NodeJS.Signals, freezer?: Freezer): Promise<void> {
  if (!freezer) {
    for (const pid of await pids()) signal(pid, sig);
    return;
  }
  const wasFrozen = await freezer.isFrozen();
  let froze = false;
  if (!wasFrozen) {
    try {
      await freezer.freeze();
      froze = true;
    } catch {
      // A freeze that times out leaves the cgroup thawed: signal anyway, as without a freezer,
      // rather than fail a kill.
    }
  }
  try {
    for (const pid of await pids()) signal(pid, sig);
  } finally {
    if (froze || (wasFrozen && sig === 'SIGKILL')) await freezer.thaw();
  }
}
