// One record of a container's log file in the CRI format the shim writes (native/README.md "Log
// file"): `<RFC3339Nano> stdout|stderr F|P <text>`.
import { isoNanos } from './timestamp.js';

export interface CriLogRecord {
  time: string;
  nanos: bigint;
  stream: 'stdout' | 'stderr';
  /** A partial record (P): the next record continues the line. */
  partial: boolean;
  text: Buffer;
}

export function parseCriLine(line: Buffer): CriLogRecord | undefined {
  const s1 = line.indexOf(32);
  const s2 = s1 < 0 ? -1 : line.indexOf(32, s1 + 1);
  const s3 = s2 < 0 ? -1 : line.indexOf(32, s2 + 1);
  if (s3 < 0 && !(s2 > 0 && line.length === s2 + 2)) return undefined;
  const time = line.subarray(0, s1).toString();
  const stream = line.subarray(s1 + 1, s2).toString();
  const tag = line.subarray(s2 + 1, s3 < 0 ? line.length : s3).toString();
  const nanos = isoNanos(time);
  if (nanos === undefined || (stream !== 'stdout' && stream !== 'stderr') || (tag !== 'F' && tag !== 'P')) return undefined;
  return { time, nanos, stream, partial: tag === 'P', text: s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1) };
}

/** Splits bytes into complete lines; the incomplete tail is kept for the next chunk. */
export class LineSplitter {
  private rest: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
      lines.push(buf.subarray(start, nl));
      start = nl + 1;
    }
    this.rest = Buffer.from(buf.subarray(start));
    return lines;
  }
}
