// The contract of the container actor: what it is created with, what it holds, the events it takes,
// the actors it invokes (the daemon provides them) and the lifecycle notifications it emits.

import type { RestartPolicy } from './restart-policy.js';

/** How the container's process ended, as the shim records it in exit.json. */
export interface ExitStatus {
  /** Docker's convention: the process's code, or 128 + signal when a signal ended it. */
  exitCode: number;
  /** The signal number that ended the process, if one did. */
  signal?: number;
  oomKilled: boolean;
  /** ISO 8601, as the shim wrote it; null when the exit was never observed (watch lost). */
  finishedAt: string | null;
}

/** The step a recorded failure happened in (a named actor, or the watch on the process). */
export type ContainerStep = 'mount' | 'start' | 'unmount' | 'signal' | 'pause' | 'resume' | 'remove' | 'watch';

/** A failure, as plain data so it survives a persisted snapshot. */
export interface ContainerFailure {
  step: ContainerStep;
  message: string;
  /** The error's `code` when it had a string one (the project's error codes, errno names). */
  code?: string;
  /** The error's `exitCode` when it had one (126 cannot execute, 127 not found). */
  exitCode?: number;
}

export interface ContainerStatus {
  pid: number | null;
  exitCode: number | null;
  signal: number | null;
  oomKilled: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  /** Restarts made by the restart policy since the last start by the user (Docker's RestartCount). */
  restartCount: number;
  lastError: ContainerFailure | null;
}

/** The container's process is still there: the daemon found its shim alive. */
export interface RestoreLive {
  state: 'running' | 'paused';
  pid: number;
  startedAt: string;
}

/** The container's process ended while the daemon was away: the daemon read its exit.json. */
export interface RestoreExited {
  state: 'exited';
  /** When the run that ended had started (the restart backoff needs how long it ran). */
  startedAt: string;
  exit: ExitStatus;
}

/** No process: the container had never started, or had stopped before the daemon went away. */
export interface RestoreIdle {
  state: 'created' | 'stopped';
}

/**
 * The true state the daemon found on disk for a container it had before it restarted. The actor
 * then begins there instead of in `created`, and emits nothing for what was already announced
 * (an `exited` read from exit.json is new, so that one is emitted).
 */
export type ContainerRestore = (RestoreLive | RestoreExited | RestoreIdle) & {
  /** What the daemon had persisted about earlier runs (restartCount, last exit, lastError). */
  status?: Partial<ContainerStatus>;
  manuallyStopped?: boolean;
};

export interface ContainerInput {
  /** 64 hex characters. */
  id: string;
  name: string;
  restartPolicy?: RestartPolicy;
  /** `--rm`: remove the container once it has stopped. */
  autoRemove?: boolean;
  /** The image's or the user's stop signal; SIGTERM by default. */
  stopSignal?: string;
  /** Seconds STOP waits before SIGKILL; 10 by default, negative waits forever. */
  stopTimeout?: number;
  restore?: ContainerRestore;
}

/** What happens once the process has exited and the rootfs is unmounted, when the user asked. */
export type AfterExit = 'start' | 'remove' | null;

export interface ContainerContext extends ContainerStatus {
  id: string;
  name: string;
  restartPolicy: RestartPolicy;
  autoRemove: boolean;
  /** Set by STOP and KILL, cleared by START: `always` and `unless-stopped` then do not restart. */
  manuallyStopped: boolean;
  /** The cgroup freezer is engaged: a SIGKILL must be followed by a thaw to take effect. */
  frozen: boolean;
  stopSignal: string;
  stopTimeout: number;
  /** Seconds the stop in progress waits before SIGKILL (the STOP event's, or stopTimeout). */
  stopWait: number;
  /** The signal the signalling step in progress sends. */
  signalToSend: string;
  afterExit: AfterExit;
  /** The restart policy's current backoff, in ms; 0 before the first restart. */
  restartDelayMs: number;
}

export type ContainerEvent =
  | { type: 'START' }
  | { type: 'STOP'; timeout?: number; signal?: string }
  | { type: 'KILL'; signal: string }
  | { type: 'PAUSE' }
  | { type: 'UNPAUSE' }
  | { type: 'RESTART'; timeout?: number; signal?: string }
  | { type: 'REMOVE'; force?: boolean };

export type ContainerCommand = ContainerEvent['type'];

/** Lifecycle notifications, emitted in lifecycle order (created < mounted < started < exited < removed). */
export type ContainerNotification =
  | { type: 'created'; id: string; name: string }
  | { type: 'mounted'; id: string }
  | { type: 'started'; id: string; pid: number; startedAt: string }
  | { type: 'paused'; id: string }
  | { type: 'resumed'; id: string }
  | ({ type: 'exited'; id: string } & ExitStatus)
  | { type: 'restarting'; id: string; restartCount: number; delayMs: number }
  | { type: 'removed'; id: string };

// The actors the machine invokes. Each throws on failure; the machine turns that into a recorded
// failure and a return to the state before the step. mountRootfs, unmountRootfs and removeContainer
// must be idempotent: a restored actor may run them again for a step the daemon died in.

export interface ContainerRef {
  id: string;
}

export interface StartResult {
  pid: number;
  startedAt: string;
}

export interface WatchExitInput {
  id: string;
  pid: number;
}

export interface SignalInput {
  id: string;
  /** A signal name (`SIGTERM`, `TERM`) or number (`15`), as the user typed it. */
  signal: string;
}
