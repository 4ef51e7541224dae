// Serialises the store's short critical sections (committing a layer, writing the tag index,
// deleting): a promise chain inside the process, and a lock file across processes (the daemon
// and the starter-image script may share a root). A lock file left by a dead process, recognised
// by its pid and that process's start time, is taken over.

import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { TdockerError } from '../errors/tdocker-error.js';
import { isAlive, processIdentity } from './process-identity.js';

const WAIT_MS = 30_000;

export class StoreLock {
  private chain: Promise<void> = Promise.resolve();
  private readonly me = processIdentity();

  constructor(private readonly file: string) {}

  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    const prev = this.chain;
    let release!: () => void;
    this.chain = new Promise((r) => (release = r));
    await prev;
    try {
      await this.acquire();
      try {
        return await fn();
      } finally {
        try {
          unlinkSync(this.file);
        } catch {
          // Already taken over as stale: nothing to release.
        }
      }
    } finally {
      release();
    }
  }

  private async acquire(): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      try {
        writeFileSync(this.file, this.me, { flag: 'wx', mode: 0o600 });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw TdockerError.from(err);
      }
      let owner = '';
      try {
        owner = readFileSync(this.file, 'utf8');
      } catch {
        continue;
      }
      if (!isAlive(owner)) {
        try {
          unlinkSync(this.file);
        } catch {
          // Someone else took it over first.
        }
        continue;
      }
      if (Date.now() > deadline) throw new TdockerError('UNAVAILABLE', `image store is locked by process ${owner.split('.')[0]} (${this.file})`);
      await sleep(5);
    }
  }
}
