// A fresh ext4 (with its journal) on a loop device, for the image benchmarks when FS=loop-ext4:
// the host's own file system may carry other work's recent deletes (on ext4 without a journal
// those make every new file cost far more for minutes), which no two runs see alike.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ScratchFs {
  dir: string;
  remove(): void;
}

export function scratchExt4(sizeGiB = 4): ScratchFs {
  const base = mkdtempSync(join(tmpdir(), 'tdocker-bench-fs-'));
  const image = join(base, 'fs.img');
  const dir = join(base, 'mnt');
  execFileSync('truncate', ['-s', `${sizeGiB}G`, image]);
  execFileSync('mkfs.ext4', ['-q', '-F', image]);
  execFileSync('mkdir', [dir]);
  execFileSync('mount', ['-o', 'loop', image, dir]);
  return {
    dir,
    remove() {
      // A detached mount frees its loop device once nothing holds it.
      execFileSync('umount', [dir]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Where a benchmark works: DIR, else a scratch ext4 when FS=loop-ext4, else the temp dir. */
export function benchDir(): { dir: string; remove(): void } {
  if (process.env.DIR) return { dir: process.env.DIR, remove() {} };
  if (process.env.FS === 'loop-ext4') return scratchExt4();
  return { dir: tmpdir(), remove() {} };
}
