// The STATUS and CREATED words of `tdocker ps`, built from a ContainerSummary as Docker's
// State.String() builds them: "Up 5 seconds", "Up 2 minutes (Paused)", "Restarting (1) 3 seconds
// ago", "Exited (0) 3 seconds ago", "Created", "Removal In Progress", "Dead".
import type { ContainerSummary } from '../../../proto/gen/tinydocker/v1/containers.js';
import { humanDuration } from './human-duration.js';
import { isSet, timestampMs } from './timestamp-text.js';

// tinydocker.v1.ContainerStatus values (see proto-enums.ts for why they are numbers here).
const RUNNING = 2;
const PAUSED = 3;
const RESTARTING = 4;
const REMOVING = 5;
const DEAD = 7;

type StatusPieces = Pick<ContainerSummary, 'state' | 'exitCode' | 'startedAt' | 'finishedAt' | 'paused'>;

export function statusText(c: StatusPieces, nowMs: number): string {
  const since = (t: StatusPieces['startedAt']) => humanDuration(isSet(t) ? nowMs - timestampMs(t) : 0);
  if (c.state === PAUSED || (c.state === RUNNING && c.paused)) return `Up ${since(c.startedAt)} (Paused)`;
  if (c.state === RESTARTING) return `Restarting (${c.exitCode}) ${since(c.finishedAt)} ago`;
  if (c.state === RUNNING) return `Up ${since(c.startedAt)}`;
  if (c.state === REMOVING) return 'Removal In Progress';
  if (c.state === DEAD) return 'Dead';
  if (!isSet(c.startedAt)) return 'Created';
  if (!isSet(c.finishedAt)) return '';
  return `Exited (${c.exitCode}) ${since(c.finishedAt)} ago`;
}

/** "5 seconds ago", Docker's CREATED (RunningFor). */
export function createdText(created: ContainerSummary['created'], nowMs: number): string {
  return `${humanDuration(isSet(created) ? nowMs - timestampMs(created) : 0)} ago`;
}
