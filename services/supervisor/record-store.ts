// Container records on disk: `<root>/containers/<id>/state.<generation>.json`. Each write makes
// the next generation and keeps the one before, so a daemon killed mid-write leaves the old
// record or the new one, never half of one: a reader takes the newest generation that parses.
// The two files take turns: the next generation is written over the one before the newest
// (in place, then cut to length) and renamed to its new name. Not a new file per write: on this
// kind of disk an inode allocation and an unlink cost a fraction of a millisecond each (ext4 looks
// past every recently freed inode), several per container start. Not a temporary file renamed
// over the old one, nor a truncation to zero: ext4 (auto_da_alloc) turns either into a forced
// writeback, milliseconds per transition on a busy disk.
// No fsync: a killed daemon's writes are in the page cache already,
// and a host that loses power loses its containers too (exit.json, which the shim fsyncs, is the
// record of an exit). Writes of one container are serialized and coalesced: at most
// one in flight, and the next one carries the latest record.
import { closeSync, ftruncateSync, mkdirSync, openSync, readdirSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TdockerError } from '../errors/tdocker-error.js';
import type { ContainerRecord } from './container-record.js';
import { makeContainersFolder } from '../rootfs/containers-folder.js';

/** Renders the record when it is written: a burst of transitions costs one serialization. */
export type RecordRender = () => ContainerRecord;

interface Pending {
  latest: RecordRender | undefined;
  running: Promise<void>;
}

const RECORD_FILE = /^state\.(\d+)\.json$/;

/** The record files of a container folder, newest generation first. */
export function recordFiles(dir: string): { path: string; generation: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw TdockerError.from(e);
  }
  return names
    .map((n) => ({ n, m: RECORD_FILE.exec(n) }))
    .filter((x) => x.m)
    .map((x) => ({ path: join(dir, x.n), generation: Number(x.m![1]) }))
    .sort((a, b) => b.generation - a.generation);
}

/** The newest record file of a container folder (what a reader should open). */
export function recordPath(dir: string): string | undefined {
  return recordFiles(dir)[0]?.path;
}

/** The file opened for writing when it exists; undefined when it does not. */
function openExisting(path: string): { fd: number; path: string } | undefined {
  try {
    return { fd: openSync(path, 'r+'), path };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw TdockerError.from(e);
  }
}

export class RecordStore {
  private readonly pending = new Map<string, Pending>();
  /** The generation of each container's newest record file. */
  private readonly generations = new Map<string, number>();
  /** Containers whose folder is going away: their records are not written again. */
  private readonly dropped = new Set<string>();

  constructor(readonly root: string) {}

  dir(id: string): string {
    return join(this.root, 'containers', id);
  }

  // Synchronous on purpose: a record is a few KiB without fsync, which the kernel takes in
  // microseconds. A new file (the first two generations) costs the host's disk an inode
  // allocation, a fraction of a millisecond, but a thread-pool hop for each of open, write and
  // close costs more CPU (a futex wake and two context switches): 50 Runs at once took ~5% less
  // time with these, the folder's mkdir, config.json and the rootfs dirs made on this thread.
  private async write(id: string, record: ContainerRecord): Promise<void> {
    const dir = this.dir(id);
    const gen = (this.generations.get(id) ?? 0) + 1;
    const data = Buffer.from(JSON.stringify(record));
    const path = join(dir, `state.${gen}.json`);
    const spare = gen > 2 ? openExisting(join(dir, `state.${gen - 2}.json`)) : undefined;
    if (spare === undefined) {
      writeFileSync(path, data, { mode: 0o600, flag: 'wx' });
    } else {
      // Killed before the rename, the spare only holds a generation older than the newest.
      try {
        writeSync(spare.fd, data, 0, data.length, 0);
        ftruncateSync(spare.fd, data.length);
      } finally {
        closeSync(spare.fd);
      }
      renameSync(spare.path, path);
    }
    this.generations.set(id, gen);
  }

  /** Makes the container's folder (its first record is then saved); rejects when it exists. */
  async create(id: string): Promise<void> {
    await makeContainersFolder(join(this.root, 'containers'));
    try {
      mkdirSync(this.dir(id), { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new TdockerError('ALREADY_EXISTS', `container ${id} already exists`);
      }
      throw TdockerError.from(e);
    }
  }

  /** Queues a write of the record; the promise settles once it (or a later one) is on disk. */
  save(id: string, render: RecordRender): Promise<void> {
    if (this.dropped.has(id)) return Promise.resolve();
    const p = this.pending.get(id);
    if (p) {
      p.latest = render;
      return p.running;
    }
    const entry: Pending = { latest: render, running: Promise.resolve() };
    this.pending.set(id, entry);
    entry.running = (async () => {
      try {
        // Writes start on the next turn, so the transitions of one step share a write.
        await Promise.resolve();
        while (entry.latest && !this.dropped.has(id)) {
          const next = entry.latest;
          entry.latest = undefined;
          await this.write(id, next());
        }
      } finally {
        this.pending.delete(id);
      }
    })();
    return entry.running;
  }

  /** Waits for the writes in flight, and stops writing this container's record. */
  async drop(id: string): Promise<void> {
    this.dropped.add(id);
    await this.pending.get(id)?.running.catch(() => {});
  }

  /** A removal that failed: the record is written again. */
  keep(id: string): void {
    this.dropped.delete(id);
  }

  /** Writes of every container settled (for a graceful shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending.values()].map((p) => p.running.catch(() => {})));
  }

  /** Removes what is left of a record's folder (after a removal the runner did not finish). */
  async erase(id: string): Promise<void> {
    await this.drop(id);
    await rm(this.dir(id), { recursive: true, force: true });
    this.generations.delete(id);
  }

  /** Every record under the root; unreadable ones are reported, not thrown. */
  async loadAll(onBad: (id: string, err: unknown) => void): Promise<ContainerRecord[]> {
    let ids: string[];
    try {
      ids = await readdir(join(this.root, 'containers'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw TdockerError.from(e);
    }
    const out: ContainerRecord[] = [];
    await Promise.all(ids.filter((id) => /^[0-9a-f]{64}$/.test(id)).map(async (id) => {
      const files = recordFiles(this.dir(id));
      let firstError: unknown = new Error('no record file');
      for (const f of files) {
        try {
          const record = JSON.parse(await readFile(f.path, 'utf8')) as ContainerRecord;
          if (record.id !== id) throw new Error(`record names container ${record.id}`);
          this.generations.set(id, files[0]!.generation);
          out.push(record);
          return;
        } catch (e) {
          // A torn newest generation (a daemon killed while writing it): the one before counts.
          if (f === files[0]) firstError = e;
        }
      }
      onBad(id, firstError);
    }));
    return out;
  }
}
