// Reads a container's log: the rotated files (oldest first) and the current one, then, when
// following, what the shim appends, across rotations. The shim rotates by renaming `log.1` to
// `log.2` (and so on, the oldest renamed over and gone), then `log` to `log.1`, and creating a new
// `log`. Files are told apart by inode, and every file this reader relies on is held open while
// it decides what to read: an open file's inode cannot be reused by a new file, and its data stays
// readable after rotation removes its name. So a reader that slept through several rotations
// reads the files it missed, in order, before the newer current one; the path's brief absence
// during a rotation, or a rotation between two looks, neither repeats nor skips a file. Lines in
// files that rotation deleted before the reader saw them are gone (as in Docker).
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
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

interface LogFile {
  fh: FileHandle;
  ino: number;
}

async function openFile(path: string): Promise<LogFile | undefined> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return undefined;
  return { fh, ino: (await fh.stat()).ino };
}

/** Whether a rotated file past `pos` exists (a missing `log.<pos>` is then a rotation's gap). */
async function rotatedPast(path: string, pos: number): Promise<boolean> {
  const base = basename(path);
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  return names.some((n) => n.startsWith(`${base}.`) && Number(n.slice(base.length + 1)) > pos);
}

/**
 * The rotated files older than inode `newer` (-1: every one) and newer than inode `older` (-1:
 * down to the oldest), oldest first, open. It walks the names from `log` up while the shim may
 * rotate, which moves every file up by one name. Every file met is held open (as are `older` and
 * `newer`, by the caller), so an inode met again is the same file, moved, and is skipped. One
 * rotation during a walk cannot reorder what it sees (a file moves one name, never past the
 * walk); two can (the newest file can catch up), so a walk during which `log` was replaced is
 * done again. The files the walk keeps stay readable across rotations, since they are open.
 */
async function filesBetween(path: string, older: number, newer: number): Promise<LogFile[]> {
  for (let attempt = 1; ; attempt++) {
    const first = await openFile(path);
    const walked = await walk(path, older, newer, first);
    const last = await openFile(path);
    const settled = first !== undefined && first.ino === last?.ino;
    await Promise.all([first && !walked.includes(first) ? first.fh.close() : undefined, last?.fh.close()]);
    // Rotations that outpace every walk cannot last: after a while take what was seen.
    if (settled || attempt === 50) return walked;
    await Promise.all(walked.map((f) => f.fh.close()));
  }
}

async function walk(path: string, older: number, newer: number, first: LogFile | undefined): Promise<LogFile[]> {
  const out: LogFile[] = [];
  const kept = new Set<number>();
  let collecting = newer === -1;
  let gapLooks = 0;
  for (let pos = 0; ; pos++) {
    const f = pos === 0 ? first : await openFile(`${path}.${pos}`);
    if (!f) {
      if (pos === 0) continue;
      // The shim renames `log.N-1` to `log.N` from the oldest down: a name can be missing for a
      // moment. Look again, unless nothing lies past it (the end) or it stays missing.
      if (gapLooks++ < 20 && (await rotatedPast(path, pos))) {
        pos--;
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      gapLooks = 0;
      if (await rotatedPast(path, pos)) continue;
      break;
    }
    gapLooks = 0;
    const keep = collecting && f.ino !== newer && f.ino !== older && !kept.has(f.ino);
    if (f.ino === newer) collecting = true;
    if (keep) {
      kept.add(f.ino);
      out.push(f);
    } else if (pos > 0) {
      await f.fh.close();
    }
    if (f.ino === older) break;
  }
  return out.reverse();
}

async function readAll(f: LogFile): Promise<Buffer> {
  try {
    return await f.fh.readFile();
  } finally {
    await f.fh.close();
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
  let current = await openFile(path);
  let offset = 0;
  let splitter = new LineSplitter();
  const readCurrent = async (): Promise<CriLogRecord[]> => {
    if (!current) return [];
    const out: CriLogRecord[] = [];
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await current.fh.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) return out;
      offset += bytesRead;
      out.push(...parse(Buffer.from(buf.subarray(0, bytesRead)), splitter));
    }
  };
  const readFiles = async (files: LogFile[]): Promise<CriLogRecord[]> => {
    const out: CriLogRecord[] = [];
    for (const f of files) out.push(...parse(await readAll(f)));
    return out;
  };

  try {
    // Stored: rotated files older than the current one, oldest first, then the current one.
    const older = await filesBetween(path, -1, current?.ino ?? -1);
    // `log` missing: a rotation is between its two renames (or nothing was written yet). The
    // newest rotated file stands for the current one until `log` is back.
    current ??= older.pop();
    const stored = await readFiles(older);
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
      // Opened before deciding, so that the file that follows is the one read next.
      const next = await openFile(path);
      if (next && next.ino !== current?.ino) {
        // Rotated since the last look: the end of the old file, the files in between, then the
        // new current file.
        for (const r of await readCurrent()) yield r;
        for (const r of await readFiles(await filesBetween(path, current?.ino ?? -1, next.ino))) yield r;
        await current?.fh.close();
        current = next;
        offset = 0;
        splitter = new LineSplitter();
        continue;
      }
      await next?.fh.close();
      if (wasFinished) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.pollMs ?? 100);
        wake = () => { clearTimeout(t); resolve(); };
      });
      wake = undefined;
    }
  } finally {
    await current?.fh.close();
  }
}
