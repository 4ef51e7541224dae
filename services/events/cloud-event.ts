// The event on the wire: CloudEvents 1.0, JSON format (REFERENCE.md "Events and buses"), with the
// per-container `seq` extension. `id` is `<host token>.<container id>.<seq>`, the same string as the
// JetStream msgID, so a replayed event carries the id it had the first time.
import { EVENT_TYPE_PREFIX, SOURCE_SCHEME } from './bus-names.js';
import type { ContainerAction, ContainerEventInput } from './container-event.js';
import { formatRfc3339Nano } from './event-time.js';
import { hostToken } from './host-token.js';

export interface CloudEvent {
  specversion: '1.0';
  id: string;
  /** `tdocker://<host>` (the host name percent-encoded as a URI authority). */
  source: string;
  /** `io.tinydocker.container.<action>`. */
  type: string;
  /** The container id. */
  subject: string;
  /** RFC 3339, UTC, nine fraction digits. */
  time: string;
  datacontenttype: 'application/json';
  /** Per container: 1, 2, 3, … with no gaps, across daemon restarts. */
  seq: number;
  data: ContainerEventInput;
}

export function eventSource(host: string): string {
  return SOURCE_SCHEME + encodeURIComponent(host);
}

/** The host name an event came from (the inverse of eventSource). */
export function eventHost(e: Pick<CloudEvent, 'source'>): string {
  return e.source.startsWith(SOURCE_SCHEME) ? decodeURIComponent(e.source.slice(SOURCE_SCHEME.length)) : e.source;
}

export function eventType(action: ContainerAction): string {
  return EVENT_TYPE_PREFIX + action;
}

export function eventId(host: string, containerId: string, seq: number): string {
  return `${hostToken(host)}.${containerId}.${seq}`;
}

export function toCloudEvent(host: string, input: ContainerEventInput, seq: number, timeNs: bigint): CloudEvent {
  const data: ContainerEventInput = { id: input.id, name: input.name, image: input.image, action: input.action, state: input.state };
  if (input.pid !== undefined) data.pid = input.pid;
  if (input.exitCode !== undefined) data.exitCode = input.exitCode;
  if (input.signal !== undefined) data.signal = input.signal;
  if (input.oomKilled !== undefined) data.oomKilled = input.oomKilled;
  if (input.attributes !== undefined) data.attributes = { ...input.attributes };
  return {
    specversion: '1.0',
    id: eventId(host, input.id, seq),
    source: eventSource(host),
    type: eventType(input.action),
    subject: input.id,
    time: formatRfc3339Nano(timeNs),
    datacontenttype: 'application/json',
    seq,
    data,
  };
}

/** Parses a message payload; undefined when it is not one of our events. */
export function parseCloudEvent(payload: Uint8Array | string): CloudEvent | undefined {
  try {
    const e = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8')) as CloudEvent;
    if (e?.specversion !== '1.0' || typeof e.seq !== 'number' || typeof e.subject !== 'string' || !e.data) return undefined;
    return e;
  } catch {
    return undefined;
  }
}
