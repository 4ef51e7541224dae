// System.Events: the fleet's container events from the bus (history from `since`, then live),
// written to the stream in the order the bus delivers them (per container: seq order).
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { Event, EventsRequest } from '../../proto/gen/tinydocker/v1/system.js';
import { TdockerError } from '../errors/tdocker-error.js';
import { eventHost, type CloudEvent, type EventFilters } from '../events/mod.js';
import type { GatewayContext } from './gateway-context.js';
import { toServiceError } from './grpc-status.js';
import { cancelSignal } from './unary-call.js';

export function eventMessage(e: CloudEvent): Event {
  const d = e.data;
  const m: Event = {
    id: e.id,
    source: e.source,
    type: e.type,
    time: e.time,
    seq: e.seq,
    host: eventHost(e),
    action: d.action,
    containerId: e.subject,
    containerName: d.name,
    image: d.image,
    state: d.state,
    oomKilled: d.oomKilled === true,
    attributes: { ...(d.attributes ?? {}) },
    cloudEvent: JSON.stringify(e),
  };
  if (d.pid !== undefined) m.pid = d.pid;
  if (d.exitCode !== undefined) m.exitCode = d.exitCode;
  if (d.signal !== undefined) m.signal = d.signal;
  return m;
}

const toDate = (t: { seconds: number; nanos: number } | undefined) =>
  t ? new Date(t.seconds * 1000 + Math.floor(t.nanos / 1e6)) : undefined;

export async function eventsCall(ctx: GatewayContext, call: ServerWritableStream<EventsRequest, Event>): Promise<void> {
  const signal = cancelSignal(call);
  try {
    if (!ctx.bus) throw new TdockerError('UNAVAILABLE', 'events: this daemon has no event bus');
    const req = call.request;
    const filters: EventFilters = {};
    if (req.container.length) filters.container = req.container;
    if (req.image.length) filters.image = req.image;
    if (req.event.length) filters.event = req.event;
    if (req.host.length) filters.host = req.host;
    const since = toDate(req.since);
    const until = toDate(req.until);
    // Events are small and few: keep the bus's order and let grpc-js buffer for a slow reader.
    await ctx.bus.subscribe(
      { ...(since ? { since } : {}), ...(until ? { until } : {}), filters },
      (e) => { if (!signal.aborted) call.write(eventMessage(e)); },
      signal,
    );
    if (!signal.aborted) call.end();
  } catch (err) {
    if (!signal.aborted) call.destroy(toServiceError(err) as Error);
  }
}
