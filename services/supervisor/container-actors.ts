// The container machine's actors, provided on the supervisor's runtime seam. The spec of a
// container is looked up when a step runs, so a renamed or restored container uses its record.
import { fromPromise } from 'xstate';
import { containerMachine } from '../../machines/container-machine.js';
import type { ContainerRef, ExitStatus, SignalInput, StartResult, WatchExitInput } from '../../machines/container-types.js';
import type { ContainerSpec } from '../daemon/container-runner.js';
import type { ContainerRuntime } from './container-runtime.js';

export interface ActorHooks {
  spec(id: string): ContainerSpec;
  /** Before the container's folder goes: stop writing its record. */
  beforeRemove(id: string): Promise<void>;
  /** The removal failed: the record is written again. */
  removeFailed(id: string): void;
}

export function provideContainerMachine(runtime: ContainerRuntime, hooks: ActorHooks) {
  return containerMachine.provide({
    actors: {
      mountRootfs: fromPromise<void, ContainerRef>(({ input }) => runtime.mount(hooks.spec(input.id))),
      unmountRootfs: fromPromise<void, ContainerRef>(({ input }) => runtime.unmount(input.id)),
      startContainer: fromPromise<StartResult, ContainerRef>(({ input }) => runtime.start(hooks.spec(input.id))),
      watchExit: fromPromise<ExitStatus, WatchExitInput>(({ input, signal }) => runtime.waitExit(input.id, signal)),
      signalContainer: fromPromise<void, SignalInput>(({ input }) => runtime.signal(input.id, input.signal)),
      pauseContainer: fromPromise<void, ContainerRef>(({ input }) => runtime.pause(input.id)),
      resumeContainer: fromPromise<void, ContainerRef>(({ input }) => runtime.resume(input.id)),
      removeContainer: fromPromise<void, ContainerRef>(async ({ input }) => {
        await hooks.beforeRemove(input.id);
        try {
          await runtime.remove(input.id);
        } catch (e) {
          hooks.removeFailed(input.id);
          throw e;
        }
      }),
    },
  });
}

export type ProvidedContainerMachine = ReturnType<typeof provideContainerMachine>;
