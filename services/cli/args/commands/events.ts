// tdocker events: container events of every host of the fleet, replayed and followed.
import type { EventsRequest } from '../../../../proto/gen/tinydocker/v1/system.js';
import { InvalidValue } from '../../values/invalid-value.js';
import { parseTimestamp } from '../../values/parse-since.js';
import { parseTemplate } from '../../values/parse-output-format.js';
import type { CommandSpec } from '../command-spec.js';

export type EventsFormat = { kind: 'text' } | { kind: 'json' } | { kind: 'template'; template: string };

export interface EventsCommand {
  name: 'events';
  request: EventsRequest;
  format: EventsFormat;
}

export const eventFilterKeys = ['container', 'image', 'event', 'host'] as const;
type EventFilterKey = (typeof eventFilterKeys)[number];

function parseEventFilter(value: string): { key: EventFilterKey; value: string } {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidValue('bad format of filter (expected name=value)');
  const key = value.slice(0, eq).trim().toLowerCase();
  if (!(eventFilterKeys as readonly string[]).includes(key)) throw new InvalidValue(`invalid filter '${key}' (want one of ${eventFilterKeys.join(', ')})`);
  const v = value.slice(eq + 1);
  if (!v) throw new InvalidValue(`invalid filter '${key}=': the value is empty`);
  return { key: key as EventFilterKey, value: v };
}

function parseEventsFormat(value: string): EventsFormat {
  const v = value.trim();
  if (v === '') return { kind: 'text' };
  if (v === 'json' || v === '{{json .}}') return { kind: 'json' };
  return { kind: 'template', template: parseTemplate(v) };
}

export const eventsSpec: CommandSpec<EventsCommand> = {
  name: 'events',
  usage: '[OPTIONS]',
  description: 'Get real time events from the fleet',
  flags: [
    { name: 'filter', short: 'f', kind: 'list', type: 'filter', description: 'Filter output based on conditions provided (container, image, event, host)' },
    { name: 'format', kind: 'string', description: "Format output: 'json' (the CloudEvent) or a template" },
    { name: 'since', kind: 'string', description: 'Show all events created since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m")' },
    { name: 'until', kind: 'string', description: 'Stream events until this timestamp' },
  ],
  args: { min: 0, max: 0 },
  interspersed: true,
  build({ flags, ctx }) {
    const now = ctx.now();
    const request: EventsRequest = { container: [], image: [], event: [], host: [] };
    for (const f of flags.convertEach('filter', parseEventFilter)) request[f.key].push(f.value);
    const since = flags.convert('since', (v) => parseTimestamp(v, now));
    if (since) request.since = since;
    const until = flags.convert('until', (v) => parseTimestamp(v, now));
    if (until) request.until = until;
    return { name: 'events', request, format: flags.convert('format', parseEventsFormat) ?? { kind: 'text' } };
  },
};
