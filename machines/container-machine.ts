// The container actor (DESIGN.md "Lifecycle"). Pure structure: every step that touches the host is
// an actor named here and provided by the daemon (`containerMachine.provide({ actors })`); tests
// provide fakes. A command the current state cannot take is refused (`snapshot.can(event)` is
// false); a step that fails records `lastError` and leaves the container as it was before the step.
// Work in progress carries the tag `busy`: a caller sends a command, waits until the snapshot is not
// busy, and finds the command failed when `lastError` changed. Attach `actor.on('*', ...)` before
// `start()` to receive the first notification (`created`).
//
//   boot ─→ created ─START→ mounting → mounted → starting → live ─exit→ cleaningUp → exited ─┬→ stopped
//      (or the restored state)               fail ↓                                          ├→ restarting ─backoff→ mounting
//                                       unwinding → created / stopped                         └→ removing → removed (final)
//
//   live, with watchExit invoked for the whole of it so an exit is seen in any substate:
//     running ⇄ pausing / resuming ⇄ paused;  killing (KILL, forced REMOVE);  stopping (STOP, RESTART)

import { and, assign, emit, fromPromise, not, raise, setup } from 'xstate';
import { failureOf, initialContext } from './container-context.js';
import type {
  ContainerContext,
  ContainerEvent,
  ContainerInput,
  ContainerNotification,
  ContainerRef,
  ContainerRestore,
  ContainerStep,
  ExitStatus,
  SignalInput,
  StartResult,
  WatchExitInput,
} from './container-types.js';
import { nextRestartDelay, runDurationMs, shouldRestart } from './restart-policy.js';
import { isSigkill, sameSignal } from './signal-name.js';

function notProvided(name: string): never {
  throw new Error(`container machine: the "${name}" actor was not provided (use containerMachine.provide)`);
}

/** Placeholders that fix each actor's input and output types; the daemon provides the real ones. */
export const containerActors = {
  mountRootfs: fromPromise<void, ContainerRef>(async () => notProvided('mountRootfs')),
  unmountRootfs: fromPromise<void, ContainerRef>(async () => notProvided('unmountRootfs')),
  startContainer: fromPromise<StartResult, ContainerRef>(async () => notProvided('startContainer')),
  /** Resolves once, when the process exits; its AbortSignal fires when the container leaves `live`. */
  watchExit: fromPromise<ExitStatus, WatchExitInput>(async () => notProvided('watchExit')),
  /** Sends one signal; a process that is already gone ("no such process") is not a failure. */
  signalContainer: fromPromise<void, SignalInput>(async () => notProvided('signalContainer')),
  pauseContainer: fromPromise<void, ContainerRef>(async () => notProvided('pauseContainer')),
  resumeContainer: fromPromise<void, ContainerRef>(async () => notProvided('resumeContainer')),
  removeContainer: fromPromise<void, ContainerRef>(async () => notProvided('removeContainer')),
};

/** containerd reports a task whose shim died without leaving an exit status as exited with 255. */
const LOST_EXIT_CODE = 255;

const ref = ({ context }: { context: ContainerContext }): ContainerRef => ({ id: context.id });

/** The init event carries the input; the boot state reads `restore` from it (and only there). */
function restoreOf(event: { type: string }): ContainerRestore | undefined {
  return (event as { input?: ContainerInput }).input?.restore;
}

export const containerMachine = setup({
  types: {} as {
    context: ContainerContext;
    events: ContainerEvent;
    input: ContainerInput;
    emitted: ContainerNotification;
    tags: 'busy';
  },
  actors: containerActors,
  delays: {
    stopTimeout: ({ context }) => Math.max(0, context.stopWait) * 1000,
    restartBackoff: ({ context }) => context.restartDelayMs,
  },
  guards: {
    restoring: ({ event }, params: { state: ContainerRestore['state'] }) => restoreOf(event)?.state === params.state,
    force: ({ event }) => event.type === 'REMOVE' && event.force === true,
    neverStarted: ({ context }) => context.startedAt === null,
    frozen: ({ context }) => context.frozen,
    sendingSigkill: ({ context }) => isSigkill(context.signalToSend),
    /** Docker thaws a paused container after sending it SIGKILL or its stop signal, so it can act on it. */
    sendingDeadlySignal: ({ context }) =>
      isSigkill(context.signalToSend) || sameSignal(context.signalToSend, context.stopSignal),
    stopWaitsForever: ({ context }) => context.stopWait < 0,
    removeRequested: ({ context }) => context.afterExit === 'remove',
    startRequested: ({ context }) => context.afterExit === 'start',
    autoRemove: ({ context }) => context.autoRemove,
    policyRestarts: ({ context }) =>
      shouldRestart(context.restartPolicy, {
        exitCode: context.exitCode ?? LOST_EXIT_CODE,
        restartCount: context.restartCount,
        manuallyStopped: context.manuallyStopped,
      }),
  },
  actions: {
    recordFailure: assign((_, params: { step: ContainerStep; error: unknown }) => ({
      lastError: failureOf(params.step, params.error),
    })),
    /** A user START (or the start half of RESTART): Docker resets the restart count and the stop mark. */
    beginUserStart: assign({ restartCount: 0, restartDelayMs: 0, manuallyStopped: false, afterExit: null, lastError: null }),
    recordStart: assign((_, params: StartResult) => ({
      pid: params.pid,
      startedAt: params.startedAt,
      exitCode: null,
      signal: null,
      oomKilled: false,
      finishedAt: null,
      frozen: false,
    })),
    recordExit: assign((_, params: ExitStatus) => ({
      pid: null,
      exitCode: params.exitCode,
      signal: params.signal ?? null,
      oomKilled: params.oomKilled,
      finishedAt: params.finishedAt,
      frozen: false,
    })),
    beginKill: assign(({ event }) => ({
      signalToSend: event.type === 'KILL' ? event.signal : 'SIGKILL',
      manuallyStopped: true,
    })),
    beginStop: assign(({ context, event }) => ({
      signalToSend: (event.type === 'STOP' || event.type === 'RESTART' ? event.signal : undefined) ?? context.stopSignal,
      stopWait: (event.type === 'STOP' || event.type === 'RESTART' ? event.timeout : undefined) ?? context.stopTimeout,
      manuallyStopped: true,
      afterExit: event.type === 'RESTART' ? ('start' as const) : null,
    })),
    escalateToSigkill: assign({ signalToSend: 'SIGKILL' }),
    requestRemoval: assign({ afterExit: 'remove' as const }),
    /** A kill or stop that failed: the process runs on as before, with no restart or removal queued. */
    abandonStop: assign({ manuallyStopped: false, afterExit: null }),
    /** A removal that failed: nothing is queued any more. */
    forgetRemoval: assign({ afterExit: null }),
    setFrozen: assign((_, params: { frozen: boolean }) => ({ frozen: params.frozen })),
    scheduleRestart: assign(({ context }) => ({
      restartCount: context.restartCount + 1,
      restartDelayMs: nextRestartDelay(context.restartDelayMs, runDurationMs(context.startedAt, context.finishedAt)),
    })),
    markStopped: assign({ manuallyStopped: true }),

    notifyCreated: emit(({ context }) => ({ type: 'created' as const, id: context.id, name: context.name })),
    notifyMounted: emit(({ context }) => ({ type: 'mounted' as const, id: context.id })),
    notifyStarted: emit(({ context }) => ({
      type: 'started' as const,
      id: context.id,
      pid: context.pid ?? 0,
      startedAt: context.startedAt ?? '',
    })),
    notifyPaused: emit(({ context }) => ({ type: 'paused' as const, id: context.id })),
    notifyResumed: emit(({ context }) => ({ type: 'resumed' as const, id: context.id })),
    notifyExited: emit(({ context }) => {
      const exited: ContainerNotification = {
        type: 'exited',
        id: context.id,
        exitCode: context.exitCode ?? LOST_EXIT_CODE,
        oomKilled: context.oomKilled,
        finishedAt: context.finishedAt,
      };
      if (context.signal !== null) exited.signal = context.signal;
      return exited;
    }),
    notifyRestarting: emit(({ context }) => ({
      type: 'restarting' as const,
      id: context.id,
      restartCount: context.restartCount,
      delayMs: context.restartDelayMs,
    })),
    notifyRemoved: emit(({ context }) => ({ type: 'removed' as const, id: context.id })),
  },
}).createMachine({
  id: 'container',
  context: ({ input }) => initialContext(input),
  initial: 'boot',
  states: {
    /** Decides where the actor begins: a new container, or the true state the daemon found. */
    boot: {
      always: [
        { guard: { type: 'restoring', params: { state: 'exited' } }, target: 'cleaningUp', actions: 'notifyExited' },
        { guard: { type: 'restoring', params: { state: 'running' } }, target: 'live.running' },
        { guard: { type: 'restoring', params: { state: 'paused' } }, target: 'live.paused' },
        { guard: { type: 'restoring', params: { state: 'stopped' } }, target: 'stopped' },
        { guard: { type: 'restoring', params: { state: 'created' } }, target: 'created' },
        { target: 'created', actions: 'notifyCreated' },
      ],
    },

    created: {
      on: {
        START: { target: 'mounting', actions: 'beginUserStart' },
        RESTART: { target: 'mounting', actions: 'beginUserStart' },
        REMOVE: 'removing',
      },
    },

    mounting: {
      tags: 'busy',
      invoke: {
        src: 'mountRootfs',
        input: ref,
        // START goes on through `mounted`, which also takes a START from the user when it is
        // where a failed unwind left the container.
        onDone: { target: 'mounted', actions: ['notifyMounted', raise({ type: 'START' })] },
        onError: [
          {
            guard: 'neverStarted',
            target: 'created',
            actions: { type: 'recordFailure', params: ({ event }) => ({ step: 'mount', error: event.error }) },
          },
          {
            target: 'stopped',
            actions: { type: 'recordFailure', params: ({ event }) => ({ step: 'mount', error: event.error }) },
          },
        ],
      },
    },

    /** The rootfs is mounted and nothing runs. Passed through on every start. */
    mounted: {
      on: {
        START: 'starting',
        RESTART: 'starting',
        REMOVE: { target: 'unwinding', actions: 'requestRemoval' },
      },
    },

    starting: {
      tags: 'busy',
      invoke: {
        src: 'startContainer',
        input: ref,
        onDone: {
          target: 'live.running',
          actions: [{ type: 'recordStart', params: ({ event }) => event.output }, 'notifyStarted'],
        },
        onError: {
          target: 'unwinding',
          actions: { type: 'recordFailure', params: ({ event }) => ({ step: 'start', error: event.error }) },
        },
      },
    },

    /** Undoes the mount: after a failed start, or before removing a container left `mounted`. */
    unwinding: {
      tags: 'busy',
      invoke: {
        src: 'unmountRootfs',
        input: ref,
        onDone: [
          { guard: 'removeRequested', target: 'removing' },
          { guard: 'neverStarted', target: 'created' },
          { target: 'stopped' },
        ],
        onError: {
          target: 'mounted',
          actions: [
            { type: 'recordFailure', params: ({ event }) => ({ step: 'unmount', error: event.error }) },
            'forgetRemoval',
          ],
        },
      },
    },

    /** The container's process exists (running, frozen, or being signalled). */
    live: {
      invoke: {
        id: 'watchExit',
        src: 'watchExit',
        input: ({ context }) => ({ id: context.id, pid: context.pid ?? 0 }),
        onDone: {
          target: 'cleaningUp',
          actions: [{ type: 'recordExit', params: ({ event }) => event.output }, 'notifyExited'],
        },
        onError: {
          target: 'cleaningUp',
          actions: [
            { type: 'recordFailure', params: ({ event }) => ({ step: 'watch', error: event.error }) },
            { type: 'recordExit', params: { exitCode: LOST_EXIT_CODE, oomKilled: false, finishedAt: null } },
            'notifyExited',
          ],
        },
      },
      initial: 'running',
      states: {
        running: {
          on: {
            PAUSE: 'pausing',
            KILL: { target: 'killing', actions: 'beginKill' },
            STOP: { target: 'stopping', actions: 'beginStop' },
            RESTART: { target: 'stopping', actions: 'beginStop' },
            REMOVE: { guard: 'force', target: 'killing', actions: ['beginKill', 'requestRemoval'] },
          },
        },
        pausing: {
          tags: 'busy',
          invoke: {
            src: 'pauseContainer',
            input: ref,
            onDone: {
              target: 'paused',
              actions: [{ type: 'setFrozen', params: { frozen: true } }, 'notifyPaused'],
            },
            onError: {
              target: 'running',
              actions: { type: 'recordFailure', params: ({ event }) => ({ step: 'pause', error: event.error }) },
            },
          },
        },
        paused: {
          on: {
            UNPAUSE: 'resuming',
            KILL: { target: 'killing', actions: 'beginKill' },
            STOP: { target: 'stopping', actions: 'beginStop' },
            RESTART: { target: 'stopping', actions: 'beginStop' },
            REMOVE: { guard: 'force', target: 'killing', actions: ['beginKill', 'requestRemoval'] },
          },
        },
        resuming: {
          tags: 'busy',
          invoke: {
            src: 'resumeContainer',
            input: ref,
            onDone: {
              target: 'running',
              actions: [{ type: 'setFrozen', params: { frozen: false } }, 'notifyResumed'],
            },
            onError: {
              target: 'paused',
              actions: { type: 'recordFailure', params: ({ event }) => ({ step: 'resume', error: event.error }) },
            },
          },
        },
        /** KILL, or a forced REMOVE: one signal, then back to where it was until the exit comes. */
        killing: {
          tags: 'busy',
          invoke: {
            src: 'signalContainer',
            input: ({ context }) => ({ id: context.id, signal: context.signalToSend }),
            onDone: [
              { guard: and(['frozen', 'sendingDeadlySignal']), target: 'resuming' },
              { guard: 'frozen', target: 'paused' },
              { target: 'running' },
            ],
            onError: [
              {
                guard: 'frozen',
                target: 'paused',
                actions: [
                  { type: 'recordFailure', params: ({ event }) => ({ step: 'signal', error: event.error }) },
                  'abandonStop',
                ],
              },
              {
                target: 'running',
                actions: [
                  { type: 'recordFailure', params: ({ event }) => ({ step: 'signal', error: event.error }) },
                  'abandonStop',
                ],
              },
            ],
          },
        },
        /** STOP and RESTART: the stop signal, `stopWait` seconds, then SIGKILL; done when the exit comes. */
        stopping: {
          tags: 'busy',
          initial: 'signalling',
          on: {
            KILL: { target: '.signalling', actions: 'beginKill' },
            REMOVE: { guard: 'force', target: '.signalling', actions: ['beginKill', 'requestRemoval'] },
          },
          states: {
            signalling: {
              invoke: {
                src: 'signalContainer',
                input: ({ context }) => ({ id: context.id, signal: context.signalToSend }),
                onDone: [
                  { guard: and(['frozen', 'sendingDeadlySignal']), target: 'thawing' },
                  { guard: 'sendingSigkill', target: 'exiting' },
                  { target: 'waiting' },
                ],
                onError: [
                  {
                    guard: 'frozen',
                    target: '#container.live.paused',
                    actions: [
                      { type: 'recordFailure', params: ({ event }) => ({ step: 'signal', error: event.error }) },
                      'abandonStop',
                    ],
                  },
                  {
                    target: '#container.live.running',
                    actions: [
                      { type: 'recordFailure', params: ({ event }) => ({ step: 'signal', error: event.error }) },
                      'abandonStop',
                    ],
                  },
                ],
              },
            },
            thawing: {
              invoke: {
                src: 'resumeContainer',
                input: ref,
                onDone: [
                  { guard: 'sendingSigkill', target: 'exiting', actions: { type: 'setFrozen', params: { frozen: false } } },
                  { target: 'waiting', actions: { type: 'setFrozen', params: { frozen: false } } },
                ],
                // The signal is sent; a frozen process acts on it once thawed, so keep waiting.
                onError: [
                  {
                    guard: 'sendingSigkill',
                    target: 'exiting',
                    actions: { type: 'recordFailure', params: ({ event }) => ({ step: 'resume', error: event.error }) },
                  },
                  {
                    target: 'waiting',
                    actions: { type: 'recordFailure', params: ({ event }) => ({ step: 'resume', error: event.error }) },
                  },
                ],
              },
            },
            waiting: {
              after: {
                stopTimeout: { guard: not('stopWaitsForever'), target: 'signalling', actions: 'escalateToSigkill' },
              },
            },
            /** SIGKILL is sent: only the exit is left to wait for. */
            exiting: {},
          },
        },
      },
    },

    /** The process has exited: unmount the rootfs before anything else (Docker's cleanup). */
    cleaningUp: {
      tags: 'busy',
      invoke: {
        src: 'unmountRootfs',
        input: ref,
        onDone: 'exited',
        onError: {
          target: 'exited',
          actions: { type: 'recordFailure', params: ({ event }) => ({ step: 'unmount', error: event.error }) },
        },
      },
    },

    /** Passed through, never rested in: what follows an exit, in Docker's order of precedence. */
    exited: {
      always: [
        { guard: 'removeRequested', target: 'removing' },
        { guard: 'startRequested', target: 'mounting', actions: 'beginUserStart' },
        { guard: 'autoRemove', target: 'removing' },
        { guard: 'policyRestarts', target: 'restarting' },
        { target: 'stopped' },
      ],
    },

    /** The restart policy's backoff before the next start. */
    restarting: {
      entry: ['scheduleRestart', 'notifyRestarting'],
      after: { restartBackoff: 'mounting' },
      on: {
        STOP: { target: 'stopped', actions: 'markStopped' },
        KILL: { target: 'stopped', actions: 'markStopped' },
        RESTART: { target: 'mounting', actions: 'beginUserStart' },
        REMOVE: { guard: 'force', target: 'removing' },
      },
    },

    stopped: {
      on: {
        START: { target: 'mounting', actions: 'beginUserStart' },
        RESTART: { target: 'mounting', actions: 'beginUserStart' },
        REMOVE: 'removing',
      },
    },

    removing: {
      tags: 'busy',
      invoke: {
        src: 'removeContainer',
        input: ref,
        onDone: { target: 'removed', actions: 'notifyRemoved' },
        onError: [
          {
            guard: 'neverStarted',
            target: 'created',
            actions: [
              { type: 'recordFailure', params: ({ event }) => ({ step: 'remove', error: event.error }) },
              'forgetRemoval',
            ],
          },
          {
            target: 'stopped',
            actions: [
              { type: 'recordFailure', params: ({ event }) => ({ step: 'remove', error: event.error }) },
              'forgetRemoval',
            ],
          },
        ],
      },
    },

    removed: { type: 'final' },
  },
});

export type ContainerMachine = typeof containerMachine;
