// The container actor's context: built from its input (a new container, or the true state the
// daemon found on disk), and the plain-data record of a failed step.

import type { ContainerContext, ContainerFailure, ContainerInput, ContainerStatus, ContainerStep } from './container-types.js';

export const DEFAULT_STOP_SIGNAL = 'SIGTERM';
export const DEFAULT_STOP_TIMEOUT = 10;

const NO_STATUS: ContainerStatus = {
  pid: null,
  exitCode: null,
  signal: null,
  oomKilled: false,
  startedAt: null,
  finishedAt: null,
  restartCount: 0,
  lastError: null,
};

export function initialContext(input: ContainerInput): ContainerContext {
  const restore = input.restore;
  const stopSignal = input.stopSignal ?? DEFAULT_STOP_SIGNAL;
  const stopTimeout = input.stopTimeout ?? DEFAULT_STOP_TIMEOUT;
  const context: ContainerContext = {
    ...NO_STATUS,
    ...restore?.status,
    id: input.id,
    name: input.name,
    restartPolicy: input.restartPolicy ?? { name: 'no' },
    autoRemove: input.autoRemove ?? false,
    manuallyStopped: restore?.manuallyStopped ?? false,
    frozen: restore?.state === 'paused',
    stopSignal,
    stopTimeout,
    stopWait: stopTimeout,
    signalToSend: stopSignal,
    afterExit: null,
    restartDelayMs: 0,
  };
  if (restore === undefined) return context;
  switch (restore.state) {
    case 'created':
    case 'stopped':
      return { ...context, pid: null };
    case 'running':
    case 'paused':
      return { ...context, pid: restore.pid, startedAt: restore.startedAt, exitCode: null, signal: null, oomKilled: false };
    case 'exited':
      return {
        ...context,
        pid: null,
        startedAt: restore.startedAt,
        exitCode: restore.exit.exitCode,
        signal: restore.exit.signal ?? null,
        oomKilled: restore.exit.oomKilled,
        finishedAt: restore.exit.finishedAt,
      };
  }
}

/** Turns whatever an actor threw into data that survives JSON (Error objects do not). */
export function failureOf(step: ContainerStep, error: unknown): ContainerFailure {
  const failure: ContainerFailure = { step, message: messageOf(error) };
  if (typeof error === 'object' && error !== null) {
    const { code, exitCode } = error as { code?: unknown; exitCode?: unknown };
    if (typeof code === 'string') failure.code = code;
    if (typeof exitCode === 'number') failure.exitCode = exitCode;
  }
  return failure;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
