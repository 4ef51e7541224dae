// Nanosecond wall-clock time for events. Date has milliseconds only, so the clock is anchored
// once to Date.now() and advanced with the monotonic hrtime: times from one process never go
// backwards and carry real nanosecond digits.

const anchor = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Nanoseconds since the Unix epoch. */
export function nowNanos(): bigint {
  return anchor + process.hrtime.bigint();
}

/** RFC 3339 in UTC with nine fraction digits: 2024-05-01T12:00:00.123456789Z. */
export function formatRfc3339Nano(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(Number(secs) * 1000).toISOString().slice(0, 19)}.${frac}Z`;
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
