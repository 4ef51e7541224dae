// Reads a container's log: the rotated files (oldest first) and the current one, then, when
// following, what the shim appends, across rotations (the shim renames `log` to `log.1` and starts
// a new `log`: the old file is read to its end before the new one is opened).
import { open, stat, type FileHandle } from 'node:fs/promises';
import { parseCriLine, LineSplitter, type CriLogRecord } from './cri-log-record.js';

export interface LogReadOptions {
  /** Only the last n lines of what is stored. */
  tail?: number;
  sinceNs?: bigint;
  untilNs?: bigint;
  follow: boolean;
  /** Resolves when following should stop (the container exited); what was written is still read. */
  done: Promise<void>;
  signal: AbortSignal;
  pollMs?: number;
}

async function readWhole(path: string): Promise<Buffer | undefined> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return undefined;
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** Keeps the last n lines: a line ends with a full (F) record. */
function lastLines(records: CriLogRecord[], n: number): CriLogRecord[] {
  if (n <= 0) return [];
  let lines = 0;
  let i = records.length;
  // A trailing partial line counts as a line.
  if (i > 0 && records[i - 1]!.partial) lines++;
  while (i > 0) {
    const r = records[i - 1]!;
    if (!r.partial) {
      if (lines === n) break;
      lines++;
    }
    i--;
  }
  return records.slice(i);
}

export async function* readContainerLog(path: string, opts: LogReadOptions): AsyncGenerator<CriLogRecord> {
  const inRange = (r: CriLogRecord) => (opts.sinceNs === undefined || r.nanos >= opts.sinceNs) && (opts.untilNs === undefined || r.nanos < opts.untilNs);
  let current: FileHandle | undefined = await open(path, 'r').catch(() => undefined);
  let offset = 0;
  const stored: CriLogRecord[] = [];
  const parse = (lines: Buffer[]) => {
    for (const l of lines) {
      const r = parseCriLine(l);
      if (r && inRange(r)) stored.push(r);
    }
  };
  try {
    // Rotated files, oldest first.
    const rotated: string[] = [];
    for (let i = 1; ; i++) {
      const p = `${path}.${i}`;
      if (!(await stat(p).catch(() => undefined))) break;
      rotated.unshift(p);
    }
    for (const p of rotated) {
      const data = await readWhole(p);
      if (data) parse(new LineSplitter().push(data));
    }
    const splitter = new LineSplitter();
    if (current) {
      const data = await current.readFile();
      offset = data.length;
      parse(splitter.push(data));
    }
    const first = opts.tail === undefined ? stored : lastLines(stored, opts.tail);
    for (const r of first) yield r;
    if (!opts.follow) return;

    let finished = false;
    let wake: (() => void) | undefined;
    void opts.done.then(() => { finished = true; wake?.(); });
    const onAbort = () => wake?.();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      if (opts.signal.aborted) return;
      const wasFinished = finished;
      let got = 0;
      if (current) {
        for (;;) {
          const { bytesRead } = await current.read(buf, 0, buf.length, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          got += bytesRead;
          for (const l of splitter.push(Buffer.from(buf.subarray(0, bytesRead)))) {
            const r = parseCriLine(l);
            if (r && inRange(r)) yield r;
          }
        }
      }
      if (got > 0) continue;
      // Rotated (or created) since we opened it: the file at the path is another one.
      const [atPath, ours] = await Promise.all([stat(path).catch(() => undefined), current?.stat().catch(() => undefined)]);
      if (atPath && (!ours || atPath.ino !== ours.ino || atPath.dev !== ours.dev)) {
        await current?.close();
        current = await open(path, 'r').catch(() => undefined);
        offset = 0;
        continue;
      }
      if (wasFinished) return;
      if (opts.signal.aborted) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.pollMs ?? 100);
        wake = () => { clearTimeout(t); resolve(); };
      });
      wake = undefined;
    }
  } finally {
    await current?.close();
  }
}
