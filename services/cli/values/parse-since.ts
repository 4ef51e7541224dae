// --since / --until of logs, as Docker's GetTimestamp reads them: a duration before now ("10m",
// "1h30m", "1.5h", "300ms"), a unix time in seconds with up to 9 decimals ("1700000000.5"), or
// an RFC 3339 date or date-time, with or without a zone (no zone means local time).
import type { Timestamp } from '../../../proto/gen/google/protobuf/timestamp.js';
import { InvalidValue } from './invalid-value.js';

const unitNs: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Nanoseconds of a Go duration ("1h30m"), or undefined when it is not one. */
export function parseGoDuration(value: string): number | undefined {
  if (!/^(?:\d+(?:\.\d*)?(?:ns|us|µs|ms|s|m|h))+$/.test(value)) return undefined;
  let ns = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)/g)) ns += Number(m[1]) * unitNs[m[2]!]!;
  return ns;
}

const fromNs = (ns: bigint): Timestamp => ({
  seconds: Number(ns / 1_000_000_000n) - (ns % 1_000_000_000n < 0n ? 1 : 0),
  nanos: Number(((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n),
});

export function parseTimestamp(value: string, nowMs: number): Timestamp {
  const d = parseGoDuration(value);
  if (d !== undefined) return fromNs(BigInt(nowMs) * 1_000_000n - BigInt(Math.round(d)));
  const unix = /^(\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (unix) return { seconds: Number(unix[1]), nanos: Number((unix[2] ?? '').padEnd(9, '0')) };
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value);
  if (iso) {
    const [, date, time = '00:00:00', frac = '', zone] = iso;
    const zoneText = zone === undefined ? '' : zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
    const ms = Date.parse(`${date}T${time.length === 5 ? `${time}:00` : time}${zoneText}`);
    if (!Number.isNaN(ms)) return { seconds: Math.floor(ms / 1000), nanos: Number(frac.padEnd(9, '0')) };
  }
  throw new InvalidValue(`want a duration (10m), an RFC 3339 date-time or a unix timestamp, not '${value}'`);
}
