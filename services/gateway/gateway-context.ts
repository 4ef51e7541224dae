// What the gateway's handlers reach: the supervisor, the host's runner (logs, shims, cgroups), the
// image store, the exec starter, and facts about this daemon.
import type { ContainerRunner } from '../daemon/container-runner.js';
import type { Supervisor, SupervisorLog } from '../supervisor/supervisor.js';
import type { ImageSource } from './image-source.js';
import type { StartExec } from './exec-types.js';
import type { NetworkManager } from '../network/index.js';
import type { NetworkDefaults } from './network-definition.js';
import type { FleetBus } from './fleet-bus.js';

export interface DaemonFacts {
  /** Stable id of this daemon. */
  id: string;
  hostName: string;
  root: string;
  version: string;
  cgroupVersion: string;
  swapLimit: boolean;
}

export interface GatewayContext {
  supervisor: Supervisor;
  runner: ContainerRunner;
  /** Undefined while no image store is available: image RPCs answer UNAVAILABLE. */
  images?: ImageSource;
  /** Undefined when exec is not available on this build: Exec answers UNAVAILABLE. */
  startExec?: StartExec;
  /** Called between creating a container's shim and starting it, so Attach sees all output. */
  whenCreated(id: string, hook: () => Promise<void>): () => void;
  /** Undefined when this daemon has no bridge networks: only none and host. */
  network?: NetworkManager;
  networkDefaults?: NetworkDefaults;
  facts: DaemonFacts;
  /** The event bus (events, hosts, fleet containers); undefined: those RPCs answer UNAVAILABLE. */
  bus?: FleetBus;
  log: SupervisorLog;
}
