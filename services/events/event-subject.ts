// Subjects: tdocker.events.<host token>.<container id>.<action>.
import { SUBJECT_PREFIX } from './bus-names.js';
import { hostToken } from './host-token.js';

export const ALL_EVENTS = `${SUBJECT_PREFIX}.>`;

export function eventSubject(host: string, containerId: string, action: string): string {
  return `${SUBJECT_PREFIX}.${hostToken(host)}.${containerId}.${action}`;
}

const FULL_ID = /^[0-9a-f]{64}$/;

/**
 * The narrowest single subject filter for a set of filters (nats-server 2.9 takes one filter
 * subject per consumer): a position is fixed only when the filter names exactly one value that
 * is certain to equal the token. Everything else is matched by the subscriber.
 */
export function filterSubject(f: { host?: string[]; container?: string[]; event?: string[] }): string {
  const host = f.host?.length === 1 ? hostToken(f.host[0]!) : '*';
  const id = f.container?.length === 1 && FULL_ID.test(f.container[0]!) ? f.container[0]! : '*';
  const action = f.event?.length === 1 && /^[a-z_]+$/.test(f.event[0]!) ? f.event[0]! : '*';
  if (host === '*' && id === '*' && action === '*') return ALL_EVENTS;
  return `${SUBJECT_PREFIX}.${host}.${id}.${action}`;
}
