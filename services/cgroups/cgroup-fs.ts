// The file operations the drivers need, behind one interface so unit tests can run them against a
// fake kernel on a temporary tree. The real one makes synchronous calls behind the promise
// interface for files: a cgroupfs read or write is a few microseconds in the kernel, far less than
// a hop through libuv's thread pool (~30 µs of CPU here), and a container start makes some fifty
// of them. rmdir too: an empty cgroup goes in 4-12 µs (the kernel frees its state later, on its
// own workers), and removing a container's cgroup takes one per hierarchy. Not so mkdir: making a
// cgroup allocates the controllers' state (memory's takes ~65 µs alone), and under a burst of
// creates it waits for the kernel's cgroup lock; those go to the thread pool, side by side.
import { accessSync, closeSync, constants, openSync, readFileSync, rmdirSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';

export interface CgroupFs {
  readFile(path: string): Promise<string>;
  /** One write(2) of `data` into an existing file; never creates it. */
  writeFile(path: string, data: string): Promise<void>;
  /** Not recursive: EEXIST and ENOENT are the caller's to handle. */
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
}

export const nodeCgroupFs: CgroupFs = {
  readFile: async (path) => readFileSync(path, 'utf8'),
  async writeFile(path, data) {
    // The kernel parses each write(2) on its own: no O_CREAT, no O_TRUNC, one write per value.
    const fd = openSync(path, constants.O_WRONLY);
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
  },
  mkdir: async (path) => { await mkdir(path); },
  rmdir: async (path) => rmdirSync(path),
  async exists(path) {
    try {
      accessSync(path);
      return true;
    } catch {
      return false;
    }
  },
};
