// What the supervisor keeps of one container, persisted as `<root>/containers/<id>/state.<generation>.json` (record-store.ts)
// on every transition: the definition the container was created with, and the machine's
// persisted snapshot, from which the daemon restores the actor after a restart.
import type { RestartPolicy } from '../../machines/restart-policy.js';
import type { ContainerSpec } from '../daemon/container-runner.js';

export const RECORD_VERSION = 1;

/** How a container was asked for, resolved against its image: everything needed to run it again. */
export interface ContainerDefinition {
  /** Without the leading "/"; empty lets the supervisor pick one. */
  name: string;
  /** The image as the user wrote it, and the id it resolved to. */
  image: { ref: string; id: string };
  labels: Record<string, string>;
  /** What runs; `spec.id` is filled in by the supervisor. */
  spec: Omit<ContainerSpec, 'id'>;
  restartPolicy: RestartPolicy;
  autoRemove: boolean;
  stopSignal?: string;
  stopTimeout?: number;
  /** The create request as the gateway received it (its JSON form), for inspect. */
  request?: unknown;
}

/** Docker's State.Status values, plus "removed" for a container whose record is going away. */
export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerRecord extends Omit<ContainerDefinition, 'spec'> {
  version: number;
  id: string;
  /** ISO 8601 with milliseconds. */
  created: string;
  spec: ContainerSpec;
  /** The last status seen, for a reader of the file. */
  state: ContainerState;
  restartCount: number;
  /** The machine's persisted snapshot (`actor.getPersistedSnapshot()`). */
  snapshot?: unknown;
}
