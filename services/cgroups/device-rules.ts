// The v1 devices cgroup rules of a Docker container, written after `a` has been denied.

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
