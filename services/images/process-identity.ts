// A process named so that pid reuse cannot fool a later check: its pid and its start time
// (field 22 of /proc/<pid>/stat). Used for lock files and temporary directories.

import { readFileSync } from 'node:fs';

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the parenthesised command name start at field 3; starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** `<pid>.<starttime>` of a running process (this one by default). */
export function processIdentity(pid = process.pid): string {
  return `${pid}.${startTime(pid) ?? '0'}`;
}

/** Whether the process an identity names still runs. */
export function isAlive(identity: string): boolean {
  const [pid, started] = identity.split('.');
  const n = Number(pid);
  return Number.isInteger(n) && n > 0 && started !== undefined && startTime(n) === started;
}
