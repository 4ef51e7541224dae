// Network records on disk: one JSON file each under `<root>/networks/`, written atomically
// (temporary file, fsync, rename). Writes are synchronous: the files are tiny and every change of
// the allocation must be on disk before an address is used.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
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
      writeSync(fd, JSON.stringify(r, null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  }

  delete(id: string): void {
    rmSync(join(this.dir, `${id}.json`), { force: true });
  }
}
