// The seam between the supervisor and the host: every piece of I/O a container actor does. The
// daemon implements it on the container runner (services/daemon/runner-runtime.ts); unit tests
// implement it with a fake. Each method either completes or leaves the container as it was.
import type { ExitStatus, StartResult } from '../../machines/container-types.js';
import type { ContainerSpec } from '../daemon/container-runner.js';

/** What the host says about a container the daemon finds on disk when it starts. */
export type ContainerProbe =
  /** A shim is alive; `created` means its init still waits for `start`. */
  | { state: 'running' | 'created'; pid: number; startedAt: string }
  /** The process has exited: the shim's answer, or the exit.json it left. */
  | { state: 'exited'; startedAt: string; exit: ExitStatus }
  /** No shim and no exit.json: nothing ran, or its status was already taken. */
  | { state: 'gone' };

export interface ContainerRuntime {
  /** Mounts the root filesystem and volumes; mounting a mounted container mounts it afresh. */
  mount(spec: ContainerSpec): Promise<void>;
  /** After an exit or a failed start: lets the shim go, removes the cgroup, unmounts. Idempotent. */
  unmount(id: string): Promise<void>;
  /** Creates the cgroup and shim and lets the payload exec. */
  start(spec: ContainerSpec): Promise<StartResult>;
  /** Resolves when the process exits; rejects when `signal` aborts or the status is lost. */
  waitExit(id: string, signal: AbortSignal): Promise<ExitStatus>;
  /** One signal (name or number) to the container's init; a process already gone is fine. */
  signal(id: string, signal: string): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Everything of the container on the host, its folder included. Idempotent. */
  remove(id: string): Promise<void>;
  probe(id: string): Promise<ContainerProbe>;
}
