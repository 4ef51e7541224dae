// What the daemon-level event tests share: polling with a deadline, waiting until a daemon's outbox
// is empty, and reading System.Events (a replay that ends at `until`, or a live follow) through
// the real gRPC API.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { Event, EventsRequest, InfoResponse } from '../../proto/gen/tinydocker/v1/system.js';
import { unary, type DaemonHarness } from './daemon-harness.js';

/** Polls fn until it returns something other than undefined; a throw counts as not yet. */
export async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(100);
  }
}

export const info = (h: DaemonHarness) => unary<InfoResponse>((cb) => h.system.info({}, cb));

/** Resolves once the daemon is connected and everything it published was acknowledged. */
export function drained(h: DaemonHarness, ms = 30_000): Promise<true> {
  return until('the daemon\'s outbox to drain', async () => {
    const i = await info(h);
    return i.natsState === 'connected' && i.natsPending === 0 ? true : undefined;
  }, ms);
}

const stamp = (d: Date) => ({ seconds: Math.floor(d.getTime() / 1000), nanos: (d.getTime() % 1000) * 1e6 });

export type EventFilter = Partial<Pick<EventsRequest, 'container' | 'image' | 'event' | 'host'>>;

/** History from `since` until now (+1 s), through System.Events; rejects if the stream errs or
 *  has not ended within `ms` (a replay never hangs a test). */
export function replay(h: DaemonHarness, since: Date, filter: EventFilter = {}, ms = 30_000): Promise<Event[]> {
  const stream = h.system.events({
    since: stamp(since), until: stamp(new Date(Date.now() + 1000)),
    container: [], image: [], event: [], host: [], ...filter,
  });
  return new Promise((resolve, reject) => {
    const out: Event[] = [];
    const timer = setTimeout(() => {
      stream.cancel();
      reject(new Error(`the replay did not end within ${ms} ms (${out.length} events so far)`));
    }, ms);
    stream.on('data', (e: Event) => out.push(e));
    stream.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    stream.on('end', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** A live follow of System.Events into an array; cancel() ends it. */
export function follow(h: DaemonHarness, filter: EventFilter = {}, since?: Date): { events: Event[]; errors: Error[]; cancel: () => void; stream: ClientReadableStream<Event> } {
  const stream = h.system.events({ container: [], image: [], event: [], host: [], ...filter, ...(since ? { since: stamp(since) } : {}) });
  const events: Event[] = [];
  const errors: Error[] = [];
  stream.on('data', (e: Event) => events.push(e));
  stream.on('error', (e) => {
    if ((e as { code?: number }).code !== 1) errors.push(e); // 1: CANCELLED, by cancel()
  });
  return { events, errors, cancel: () => stream.cancel(), stream };
}

/** Each container's events in arrival order, and the per-container seq check: 1, 2, 3, ... */
export function byContainer(events: Event[]): Map<string, Event[]> {
  const m = new Map<string, Event[]>();
  for (const e of events) {
    const list = m.get(e.containerId) ?? [];
    list.push(e);
    m.set(e.containerId, list);
  }
  return m;
}

export function seqs(events: Event[]): string {
  return events.map((e) => `${e.seq}:${e.action}`).join(' ');
}
