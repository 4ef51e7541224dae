// The local outbox: every event is written here before it is published, and leaves only when
// JetStream acknowledged it. It also holds the per-container seq counters, so seq survives
// restarts. The format is described in this folder's README ("Outbox").
//
// <dir>/outbox.jsonl  one JSON object per line, appended with write(2):
//                       {"m":"<msgID>","s":"<subject>","e":<CloudEvent>}   an event to publish
//                       {"a":"<msgID>"}                                      JetStream stored it
// <dir>/seq.json      {"version":1,"seq":{"<container id>":<last seq>}} as of the last compaction
//
// A line is in the kernel once writeSync returned, so it survives kill -9 of the daemon; fdatasync
// follows within `syncDelayMs` (batched), or before publish returns with fsync 'always', for power
// loss. On open, a torn last line (no newline) is ignored; counters are the larger of seq.json and
// the records in the log. When most of the log is acknowledged it is rewritten with only what is
// pending (seq.json first, each written to a temporary file, synced and renamed).
import {
  closeSync, existsSync, fdatasync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync,
  renameSync, writeFileSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { CloudEvent } from './cloud-event.js';

export interface OutboxRecord {
  msgId: string;
  subject: string;
  containerId: string;
  seq: number;
  action: string;
  /** The CloudEvent as published (serialized once). */
  payload: string;
}

export interface OutboxOptions {
  /** 'batch' (default): fdatasync within syncDelayMs; 'always': before append returns. */
  fsync?: 'batch' | 'always';
  syncDelayMs?: number;
  /** Rewrite the log when it is larger than this and mostly acknowledged. */
  compactBytes?: number;
  onError?: (err: unknown, what: string) => void;
}

interface SeqFile {
  version: 1;
  seq: Record<string, number>;
}

const LOG = 'outbox.jsonl';
const SEQ = 'seq.json';

export class Outbox {
  readonly dir: string;
  private fd: number | undefined;
  private readonly counters = new Map<string, number>();
  private readonly pendingRecords = new Map<string, OutboxRecord>();
  private readonly destroyed = new Set<string>();
  private acks: string[] = [];
  private ackFlush: NodeJS.Immediate | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private logBytes = 0;
  private pendingBytes = 0;
  private readonly lineBytes = new Map<string, number>();
  private readonly fsyncMode: 'batch' | 'always';
  private readonly syncDelayMs: number;
  private readonly compactBytes: number;
  private readonly onError: (err: unknown, what: string) => void;
  /** Lines ignored when the log was read (torn or damaged), for the caller to report. */
  readonly skippedLines: number = 0;

  private constructor(dir: string, opts: OutboxOptions) {
    this.dir = dir;
    this.fsyncMode = opts.fsync ?? 'batch';
    this.syncDelayMs = opts.syncDelayMs ?? 10;
    this.compactBytes = opts.compactBytes ?? 1 << 20;
    this.onError = opts.onError ?? (() => {});
  }

  static open(dir: string, opts: OutboxOptions = {}): Outbox {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const box = new Outbox(dir, opts);
    box.load();
    box.fd = openSync(join(dir, LOG), 'a', 0o600);
    return box;
  }

  /** Events not yet acknowledged, in the order they were appended. */
  pending(): OutboxRecord[] {
    return [...this.pendingRecords.values()];
  }

  get pendingCount(): number {
    return this.pendingRecords.size;
  }

  /** Assigns the next seq of a container (1 for a container never seen). */
  nextSeq(containerId: string): number {
    const seq = (this.counters.get(containerId) ?? 0) + 1;
    this.counters.set(containerId, seq);
    this.destroyed.delete(containerId);
    return seq;
  }

  lastSeq(containerId: string): number {
    return this.counters.get(containerId) ?? 0;
  }

  /** Writes the record; it survives a kill of this process once this returns. Throws on I/O errors. */
  append(rec: OutboxRecord): void {
    const line = `{"m":${JSON.stringify(rec.msgId)},"s":${JSON.stringify(rec.subject)},"e":${rec.payload}}\n`;
    const buf = Buffer.from(line);
    this.pendingRecords.set(rec.msgId, rec);
    this.lineBytes.set(rec.msgId, buf.length);
    this.pendingBytes += buf.length;
    this.write(buf);
    if (this.fsyncMode === 'always') fdatasyncSync(this.fd!);
    else this.scheduleSync();
  }

  /** Marks a record as stored by JetStream. Ack lines are written in batches (a lost ack only
   *  means the record is published again, and JetStream drops it as a duplicate). */
  ack(msgId: string): void {
    if (!this.forget(msgId)) return;
    this.acks.push(msgId);
    this.ackFlush ??= setImmediate(() => this.flushAcks());
  }

  /** Writes buffered acks, compacting the log when most of it is acknowledged. */
  flushAcks(): void {
    if (this.ackFlush) clearImmediate(this.ackFlush);
    this.ackFlush = undefined;
    if (!this.acks.length || this.fd === undefined) return;
    const text = this.acks.map((m) => `{"a":${JSON.stringify(m)}}\n`).join('');
    this.acks = [];
    try {
      this.write(Buffer.from(text));
      if (this.logBytes > this.compactBytes && this.pendingBytes * 2 < this.logBytes) this.compact();
    } catch (err) {
      this.onError(err, 'outbox ack');
    }
  }

  /** Flushes and closes. Appends after close still reach the file (opened per call). */
  close(): void {
    this.flushAcks();
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    if (this.fd !== undefined) {
      try {
        fdatasyncSync(this.fd);
      } catch (err) {
        this.onError(err, 'outbox sync');
      }
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  private write(buf: Buffer): void {
    if (this.fd === undefined) {
      const fd = openSync(join(this.dir, LOG), 'a', 0o600);
      try {
        writeAll(fd, buf);
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } else {
      writeAll(this.fd, buf);
    }
    this.logBytes += buf.length;
  }

  private scheduleSync(): void {
    if (this.syncTimer || this.fd === undefined) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      if (this.fd === undefined) return;
      fdatasync(this.fd, (err) => {
        if (err) this.onError(err, 'outbox sync');
      });
    }, this.syncDelayMs);
    this.syncTimer.unref();
  }

  private load(): void {
    const seqPath = join(this.dir, SEQ);
    if (existsSync(seqPath)) {
      try {
        const f = JSON.parse(readFileSync(seqPath, 'utf8')) as SeqFile;
        for (const [id, n] of Object.entries(f.seq)) this.counters.set(id, n);
      } catch (err) {
        this.onError(err, `outbox: ${SEQ} unreadable; counters come from the log only`);
      }
    }
    const logPath = join(this.dir, LOG);
    if (!existsSync(logPath)) return;
    const buf = readFileSync(logPath);
    this.logBytes = buf.length;
    let skipped = 0;
    let start = 0;
    while (start < buf.length) {
      const nl = buf.indexOf(0x0a, start);
      if (nl < 0) {
        skipped++; // torn last line: the write never returned
        break;
      }
      const line = buf.subarray(start, nl);
      start = nl + 1;
      if (!line.length) continue;
      let rec: { m?: string; s?: string; e?: CloudEvent; a?: string };
      try {
        rec = JSON.parse(line.toString('utf8'));
      } catch {
        skipped++;
        continue;
      }
      if (typeof rec.a === 'string') {
        this.forget(rec.a);
      } else if (typeof rec.m === 'string' && typeof rec.s === 'string' && rec.e && typeof rec.e.seq === 'number') {
        const e = rec.e;
        const containerId = e.subject;
        if (e.seq > (this.counters.get(containerId) ?? 0)) this.counters.set(containerId, e.seq);
        const r: OutboxRecord = { msgId: rec.m, subject: rec.s, containerId, seq: e.seq, action: e.data.action, payload: JSON.stringify(e) };
        this.pendingRecords.set(r.msgId, r);
        this.lineBytes.set(r.msgId, line.length + 1);
        this.pendingBytes += line.length + 1;
      } else {
        skipped++;
      }
    }
    (this as { skippedLines: number }).skippedLines = skipped;
    if (start < buf.length || skipped) this.compact(); // drop the torn tail before appending after it
  }

  /** Drops a pending record (an ack line read back, or an ack now); false when none was pending. */
  private forget(msgId: string): boolean {
    const rec = this.pendingRecords.get(msgId);
    if (!rec) return false;
    this.pendingRecords.delete(msgId);
    this.pendingBytes -= this.lineBytes.get(msgId) ?? 0;
    this.lineBytes.delete(msgId);
    if (rec.action === 'destroy' && this.counters.get(rec.containerId) === rec.seq) this.destroyed.add(rec.containerId);
    return true;
  }

  /** Rewrites seq.json, then the log with only the pending records. Counters of containers whose
   *  destroy event is acknowledged are dropped: a destroyed id never publishes again. */
  private compact(): void {
    for (const id of this.destroyed) this.counters.delete(id);
    this.destroyed.clear();
    const seq: SeqFile = { version: 1, seq: Object.fromEntries(this.counters) };
    atomicWrite(join(this.dir, SEQ), JSON.stringify(seq) + '\n');
    let text = '';
    for (const r of this.pendingRecords.values()) {
      text += `{"m":${JSON.stringify(r.msgId)},"s":${JSON.stringify(r.subject)},"e":${r.payload}}\n`;
    }
    const reopen = this.fd !== undefined;
    atomicWrite(join(this.dir, LOG), text);
    if (reopen) {
      closeSync(this.fd!);
      this.fd = openSync(join(this.dir, LOG), 'a', 0o600);
    }
    this.logBytes = Buffer.byteLength(text);
    this.pendingBytes = this.logBytes;
  }
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  const fd = openSync(tmp, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dirFd = openSync(join(path, '..'), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
