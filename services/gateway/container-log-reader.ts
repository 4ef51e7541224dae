// Reads a container's log: the rotated files (oldest first) and the current one, then, when
// following, what the shim appends, across rotations. The shim rotates by renaming `log` to
// `log.1` (`log.1` to `log.2`, ...) and starting a new `log`; files are told apart by inode, so a
// reader that slept through several rotations reads the files it missed, in order, before the new
// current one. Lines in files that rotation deleted before they were read are gone (as in Docker).
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

/** The rotated files that exist, newest (`.1`) first, with their inodes. */
async function rotatedFiles(path: string): Promise<{ path: string; ino: number }[]> {
  const out: { path: string; ino: number }[] = [];
  for (let i = 1; ; i++) {
    const p = `${path}.${i}`;
    const st = await stat(p).catch(() => undefined);
    if (!st) return out;
    out.push({ path: p, ino: st.ino });
  }
}

/** Keeps the last n lines: a line ends with a full (F) record. */
function lastLines(records: CriLogRecord[], n: number): CriLogRecord[] {
  if (n <= 0) return [];
  let lines = 0;
  let i = records.length;
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
  const parse = (data: Buffer, splitter = new LineSplitter()): CriLogRecord[] => {
    const out: CriLogRecord[] = [];
    for (const l of splitter.push(data)) {
      const r = parseCriLine(l);
      if (r && inRange(r)) out.push(r);
    }
    return out;
  };
  let current: FileHandle | undefined = await open(path, 'r').catch(() => undefined);
  let ino = current ? (await current.stat()).ino : -1;
  let offset = 0;
  let splitter = new LineSplitter();
  const readCurrent = async (): Promise<CriLogRecord[]> => {
    if (!current) return [];
    const out: CriLogRecord[] = [];
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await current.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) return out;
      offset += bytesRead;
      out.push(...parse(Buffer.from(buf.subarray(0, bytesRead)), splitter));
    }
  };
  /** Rotated files newer than the one with inode `after` (all of them when it is gone), oldest first. */
  const missed = async (after: number): Promise<CriLogRecord[]> => {
    const files = await rotatedFiles(path);
    const k = files.findIndex((f) => f.ino === after);
    const newer = (k < 0 ? files : files.slice(0, k)).reverse();
    const out: CriLogRecord[] = [];
    for (const f of newer) {
      const data = await readWhole(f.path);
      if (data) out.push(...parse(data));
    }
    return out;
  };

  try {
    // Stored: rotated files older than the current one, oldest first, then the current one.
    const stored: CriLogRecord[] = [];
    const files = await rotatedFiles(path);
    const k = files.findIndex((f) => f.ino === ino);
    for (const f of (k < 0 ? files : files.slice(k + 1)).reverse()) {
      const data = await readWhole(f.path);
      if (data) stored.push(...parse(data));
    }
    stored.push(...(await readCurrent()));
    for (const r of opts.tail === undefined ? stored : lastLines(stored, opts.tail)) yield r;
    if (!opts.follow) return;

    let finished = false;
    let wake: (() => void) | undefined;
    void opts.done.then(() => { finished = true; wake?.(); });
    opts.signal.addEventListener('abort', () => wake?.(), { once: true });
    for (;;) {
      if (opts.signal.aborted) return;
      const wasFinished = finished;
      const fresh = await readCurrent();
      for (const r of fresh) yield r;
      if (fresh.length > 0) continue;
      const atPath = await stat(path).catch(() => undefined);
      if (atPath && atPath.ino !== ino) {
        // Rotated since the last look: the end of the old file, the files in between, then the
        // new current file.
        for (const r of await readCurrent()) yield r;
        for (const r of await missed(ino)) yield r;
        await current?.close();
        current = await open(path, 'r').catch(() => undefined);
        ino = current ? (await current.stat()).ino : -1;
        offset = 0;
        splitter = new LineSplitter();
        continue;
      }
      if (wasFinished) return;
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
