// The nats-server a daemon started for itself (no --nats) under <root>/nats. A daemon killed with
// SIGKILL leaves it running (the next daemon on that root adopts it); a test that ends there stops
// it here, so no nats-server outlives the test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function killEmbeddedNats(root: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(join(root, 'nats', 'nats-server.pid'), 'utf8').trim());
  } catch {
    return;
  }
  if (!pid) return;
  try {
    // Only the server of this root: its command line names the root's store.
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(join(root, 'nats'))) return;
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
