// google.protobuf.Timestamp in the forms the CLI prints: milliseconds for arithmetic, Docker's
// RFC 3339 with nanoseconds for inspect ("2024-05-01T10:00:00.123456789Z", zero time
// "0001-01-01T00:00:00Z" when unset), and Go's time.String() for ps --format json's CreatedAt.
import type { Timestamp } from '../../../proto/gen/google/protobuf/timestamp.js';

export const zeroTime = '0001-01-01T00:00:00Z';

export const isSet = (t: Timestamp | undefined): t is Timestamp => t !== undefined && (t.seconds !== 0 || t.nanos !== 0);

export const timestampMs = (t: Timestamp): number => t.seconds * 1000 + Math.trunc(t.nanos / 1e6);

export function rfc3339Nano(t: Timestamp | undefined): string {
  if (!isSet(t)) return zeroTime;
  const base = new Date(t.seconds * 1000).toISOString().slice(0, 19);
  const frac = t.nanos === 0 ? '' : `.${String(t.nanos).padStart(9, '0').replace(/0+$/, '')}`;
  return `${base}${frac}Z`;
}

/** "2024-05-01 10:00:00 +0000 UTC" (always UTC). */
export function goTimeString(t: Timestamp | undefined): string {
  if (!isSet(t)) return '0001-01-01 00:00:00 +0000 UTC';
  return `${new Date(t.seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}
