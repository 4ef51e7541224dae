// What the events integration tests share: throwaway roots, polling, a collector on the bus, the
// raw-protocol monitor example as a child, and checks of per-container order.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { CloudEvent, ContainerAction, EventBus, SubscribeOptions } from '../../services/events/mod.js';

export const newId = () => randomBytes(32).toString('hex');

export function tempRoot(): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'tdt-events-'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Polls cond until it is true; a cond that throws counts as not yet (a cluster electing a leader
 *  answers UNAVAILABLE for a few seconds), and its last error is in the timeout message. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await cond()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A lifecycle that real containers go through, for tests to publish. */
export const LIFECYCLE: ContainerAction[] = ['create', 'mount', 'start', 'die', 'unmount', 'destroy'];

/** Follows the bus (history from `since`, then live) into an array until stop(). */
export function collect(bus: EventBus, opts: SubscribeOptions = {}): { events: CloudEvent[]; done: Promise<void>; stop: () => Promise<void> } {
  const events: CloudEvent[] = [];
  const ctl = new AbortController();
  const done = bus.subscribe(opts, (e) => events.push(e), ctl.signal);
  return {
    events,
    done,
    stop: async () => {
      ctl.abort();
      await done;
    },
  };
}

/** Checks that, per container, seqs are exactly first..last in order (no gap, no duplicate). */
export function checkContiguous(events: CloudEvent[], expected: Map<string, number>, first = 1): void {
  const next = new Map<string, number>();
  for (const e of events) {
    const want = next.get(e.subject) ?? first;
    if (e.seq !== want) throw new Error(`container ${e.subject.slice(0, 12)}: got seq ${e.seq}, expected ${want}`);
    next.set(e.subject, want + 1);
  }
  for (const [id, last] of expected) {
    const got = (next.get(id) ?? first) - 1;
    if (got !== last) throw new Error(`container ${id.slice(0, 12)}: last seq ${got}, expected ${last}`);
  }
}

/** Monitors not stopped (a test that failed before stop()): killed when this process exits. */
const liveMonitors = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of liveMonitors) c.kill('SIGKILL');
});

/** deploy/examples/monitor.mjs as a child: a subscriber over raw NATS protocol. A monitor that a
 *  failing test never stopped does not keep the test process alive (its handles are unreferenced). */
export class RawMonitor {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private subscribed = false;

  private constructor(url: string, json: boolean) {
    const script = fileURLToPath(new URL('../../../deploy/examples/monitor.mjs', import.meta.url));
    this.child = spawn(process.execPath, [script, ...(json ? ['--json'] : []), url], { stdio: ['ignore', 'pipe', 'pipe'] });
    const child = this.child;
    liveMonitors.add(child);
    child.once('exit', () => liveMonitors.delete(child));
    child.unref();
    for (const s of [child.stdout, child.stderr]) (s as unknown as { unref(): void }).unref();
    let out = '';
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        this.lines.push(out.slice(0, nl));
        out = out.slice(nl + 1);
      }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      if (d.includes('subscribed to')) this.subscribed = true;
    });
  }

  static async start(url: string, json = true): Promise<RawMonitor> {
    const m = new RawMonitor(url, json);
    await waitFor('the monitor to subscribe', () => m.subscribed);
    return m;
  }

  events(): CloudEvent[] {
    return this.lines.map((l) => JSON.parse(l) as CloudEvent);
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}
