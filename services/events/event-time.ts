// Nanosecond wall-clock time for events. Date has milliseconds only, so the clock is anchored to
// Date.now() and advanced with the monotonic hrtime: real nanosecond digits, never backwards within
// a process. When the wall clock has moved away from it (NTP steps, slow drift over weeks) by more
// than 5 ms, it is anchored again, still without going backwards.

const MS = 1_000_000n;
let anchor = BigInt(Date.now()) * MS - process.hrtime.bigint();
let last = 0n;

/** Nanoseconds since the Unix epoch. */
export function nowNanos(): bigint {
  const hr = process.hrtime.bigint();
  let t = anchor + hr;
  const wall = BigInt(Date.now()) * MS;
  if (t - wall > 5n * MS || wall - t > 5n * MS) {
    anchor = wall - hr;
    t = wall;
  }
  if (t <= last) t = last + 1n;
  last = t;
  return t;
}

let lastSecs = -1n;
let lastPrefix = '';

/** RFC 3339 in UTC with nine fraction digits: 2024-05-01T12:00:00.123456789Z. */
export function formatRfc3339Nano(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  if (secs !== lastSecs) {
    // Events come many per second: the date and time of day are formatted once per second.
    lastPrefix = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
    lastSecs = secs;
  }
  return `${lastPrefix}.${frac}Z`;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses any RFC 3339 time (fraction of any length up to 9 digits, any offset) to epoch nanoseconds. */
export function parseRfc3339Nano(s: string): bigint | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const offset = m[3]!.toUpperCase() === 'Z' ? 'Z' : m[3]!;
  const ms = Date.parse(`${m[1]!.replace(/[t ]/, 'T')}${offset}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

export function dateToNanos(d: Date): bigint {
  return BigInt(d.getTime()) * 1_000_000n;
}
