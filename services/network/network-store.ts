// Network records on disk: one JSON file each under `<root>/networks/`, written atomically
// (temporary file, rename). Writes are synchronous: every change of the allocation is in the file
// before an address is used, so a daemon that dies never hands a live address out again. (No
// fsync, as for the supervisor's records: a crash of the daemon loses nothing written.)
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkRecord } from './network-record.js';

export class NetworkStore {
  readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'networks');
  }

  load(): NetworkRecord[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: NetworkRecord[] = [];
    for (const n of names) {
      if (!n.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(readFileSync(join(this.dir, n), 'utf8')) as NetworkRecord);
      } catch {
        // A torn temporary file cannot be here (rename is atomic); an unreadable file is skipped.
      }
    }
    return out;
  }

  save(r: NetworkRecord): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const path = join(this.dir, `${r.id}.json`);
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(r));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  }

  delete(id: string): void {
    rmSync(join(this.dir, `${id}.json`), { force: true });
  }
}
