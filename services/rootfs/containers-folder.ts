// The folder every container's folder sits in (`<root>/containers`), made by whichever of the
// record store and the runner comes first, once per process.
import { mkdir } from 'node:fs/promises';
import { FS_TOPDIR_FL, addInodeFlags } from '../../native/libc.js';

/** The folders this process made (or marked) already. */
const made = new Set<string>();

/**
 * Makes `dir` (0700, parents too) and marks it a top of directory hierarchies for ext4's Orlov
 * allocator (`chattr +T`): each container's folder then starts in a block group of its own
 * choosing instead of its parent's. Why it matters: on ext4 without a journal, allocating an
 * inode skips every inode of the group freed in the last minutes, reading each one's table
 * entry; with every container made and deleted in one group, that scan grew with each removal
 * and became the costliest step of a burst of starts. Other file systems have no such flag.
 */
export async function makeContainersFolder(dir: string): Promise<void> {
  if (made.has(dir)) return;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    addInodeFlags(dir, FS_TOPDIR_FL);
  } catch {
    // A hint to the allocator: a file system that refuses it (EPERM, EROFS…) only goes without.
  }
  made.add(dir);
}
