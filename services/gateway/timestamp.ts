// RFC 3339 times (the shim writes nanoseconds) to and from google.protobuf.Timestamp, keeping
// the nanoseconds that Date would drop.
import type { Timestamp } from '../../proto/gen/google/protobuf/timestamp.js';

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

export function toTimestamp(iso: string | null | undefined): Timestamp | undefined {
  if (!iso) return undefined;
  const m = RFC3339.exec(iso);
  if (!m) {
    const ms = Date.parse(iso);
    return Number.isFinite(ms) ? { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 } : undefined;
  }
  const seconds = Date.parse(`${m[1]}${m[3]}`) / 1000;
  return { seconds, nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

/** Nanoseconds since the epoch, as a bigint (log lines compare at that precision). */
export function timestampNanos(t: Timestamp): bigint {
  return BigInt(t.seconds) * 1_000_000_000n + BigInt(t.nanos);
}

export function isoNanos(iso: string): bigint | undefined {
  const t = toTimestamp(iso);
  return t ? timestampNanos(t) : undefined;
}

export function nowTimestamp(): Timestamp {
  const ms = Date.now();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}
