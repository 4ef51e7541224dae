// The v1 devices cgroup rules of a Docker container, written after `a` has been denied.
import type { CgroupDir } from './cgroup-dir.js';

export const DEFAULT_DEVICE_RULES: readonly string[] = [
  'c *:* m', // mknod of any character device (using it still needs a rule below)
  'b *:* m', // mknod of any block device
  'c 1:3 rwm', // null
  'c 1:5 rwm', // zero
  'c 1:7 rwm', // full
  'c 1:8 rwm', // random
  'c 1:9 rwm', // urandom
  'c 5:0 rwm', // tty
  'c 5:1 rwm', // console
  'c 5:2 rwm', // ptmx
  'c 136:* rwm', // pts/*
];

/** What devices.list shows of a cgroup holding exactly these rules after `a` was denied. */
export const DEFAULT_DEVICE_LIST = DEFAULT_DEVICE_RULES.join('\n');

/** Gives the devices cgroup `dir` Docker's list, unless it holds exactly that one already. */
export async function restrictDevices(dir: CgroupDir): Promise<void> {
  if ((await dir.read('devices.list')) === DEFAULT_DEVICE_LIST) return;
  await dir.write('devices.deny', 'a');
  for (const rule of DEFAULT_DEVICE_RULES) await dir.write('devices.allow', rule);
}
