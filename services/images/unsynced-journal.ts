// The list of layers committed to the store before their files were synced to disk, one line
// `<boot id> <diff id>` each. Appending is a write and an fsync of a few bytes, where a syncfs
// would wait for every dirty page of the extraction: that is what takes durability off the
// critical path of import, load and pull (ImageStore.commitLayers explains why it stays
// crash-safe). The boot id (/proc/sys/kernel/random/boot_id, new at every boot) tells at the next
// open whether the host went down since the line was written: if not, the page cache still holds
// the files and a syncfs is enough; if so, the layer may be torn and must go.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsyncDir, writeFileAtomic } from './atomic-write.js';

export interface UnsyncedEntry {
  bootId: string;
  diffId: string;
}

let cachedBootId: string | undefined;

/** This boot's id; a fixed stand-in where /proc does not have it (then nothing is ever torn). */
export function currentBootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = 'unknown';
    }
  }
  return cachedBootId;
}

const LINE = /^(\S+) (sha256:[0-9a-f]{64})$/;

export class UnsyncedJournal {
  constructor(readonly file: string) {}

  /**
   * Records layers before they are renamed into the store; durable when this returns. A crash in
   * the middle leaves at most a torn last line, which read() skips: its layer was never renamed in.
   */
  append(diffIds: string[], bootId = currentBootId()): void {
    if (!diffIds.length) return;
    const created = !existsSync(this.file);
    const fd = openSync(this.file, 'a', 0o600);
    try {
      const buf = Buffer.from(diffIds.map((d) => `${bootId} ${d}\n`).join(''));
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // A new file's name must be durable too, or the lines go with it.
    if (created) fsyncDir(dirname(this.file));
  }

  /** The whole lines, in order (a torn last line is not one). */
  read(): UnsyncedEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: UnsyncedEntry[] = [];
    const lines = text.split('\n');
    lines.pop(); // after the last newline: empty, or a line a crash cut short
    for (const line of lines) {
      const m = LINE.exec(line);
      if (m) out.push({ bootId: m[1]!, diffId: m[2]! });
    }
    return out;
  }

  /**
   * Drops the given entries (compared as whole lines, one occurrence each), keeping every other,
   * including lines appended since `entries` were read. Replaces the file atomically.
   */
  drop(entries: UnsyncedEntry[]): void {
    if (!entries.length) return;
    const gone = new Map<string, number>();
    for (const e of entries) gone.set(key(e), (gone.get(key(e)) ?? 0) + 1);
    const kept = this.read().filter((e) => {
      const n = gone.get(key(e)) ?? 0;
      if (!n) return true;
      gone.set(key(e), n - 1);
      return false;
    });
    writeFileAtomic(this.file, kept.map((e) => `${key(e)}\n`).join(''), 0o600);
  }
}

const key = (e: UnsyncedEntry) => `${e.bootId} ${e.diffId}`;
