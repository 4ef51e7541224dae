// Which group the kernel gives a file or dir it creates (inode_init_owner): the creator's egid,
// unless the parent dir is setgid or its file system is mounted `grpid` (`bsdgroups`). Then it
// takes the parent's group, and a new dir under a setgid one is setgid too.

import { statSync } from 'node:fs';
import { readMountinfo } from '../rootfs/mountinfo.js';
import { devMajor, devMinor } from './dev-number.js';

/** Whether what is made in `dir` and below it takes its parent's group, not our egid. */
export function groupFromParent(dir: string): boolean {
  const st = statSync(dir, { bigint: true });
  if (st.mode & 0o2000n) return true;
  // Mount options are the file system's: any mount of its device shows them. (A btrfs
  // subvolume reports a device of its own, which no mount lists: it is taken as not grpid.)
  const dev = `${devMajor(st.dev)}:${devMinor(st.dev)}`;
  return readMountinfo().some((m) => m.dev === dev && m.superOptions.some((o) => o === 'grpid' || o === 'bsdgroups'));
}
