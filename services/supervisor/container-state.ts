// Docker's State.Status of a container, read from its actor's snapshot.
import type { SnapshotFrom } from 'xstate';
import type { ContainerMachine } from '../../machines/container-machine.js';
import type { ContainerState } from './container-record.js';

export type ContainerSnapshot = SnapshotFrom<ContainerMachine>;

export function containerState(s: ContainerSnapshot): ContainerState {
  if (s.status !== 'active') return 'removing';
  const v = s.value;
  if (typeof v === 'object' && 'live' in v) {
    return v.live === 'paused' || v.live === 'resuming' ? 'paused' : 'running';
  }
  switch (v) {
    case 'boot':
    case 'created':
      return 'created';
    case 'mounting':
    case 'mounted':
    case 'starting':
    case 'unwinding':
      // Work on the way to running: Docker shows what the container was before it.
      return s.context.startedAt === null ? 'created' : s.context.restartCount > 0 ? 'restarting' : 'exited';
    case 'restarting':
      return 'restarting';
    case 'removing':
    case 'removed':
      return 'removing';
    default:
      return 'exited';
  }
}

/** The state path as one string ("live.running"), for messages and logs. */
export function stateName(s: ContainerSnapshot): string {
  const v = s.value;
  if (typeof v === 'string') return v;
  return Object.entries(v).map(([k, sub]) => (typeof sub === 'string' ? `${k}.${sub}` : k)).join(',');
}
