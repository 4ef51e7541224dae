// The file operations the drivers need, behind one interface so unit tests can run them against a
// fake kernel on a temporary tree. The real one makes synchronous calls behind the promise
// interface for files: a cgroupfs read or write is a few microseconds in the kernel, far less than
// a hop through libuv's thread pool (~30 µs of CPU here), and a container start makes some fifty
// of them. Not so mkdir and rmdir: making or freeing a cgroup takes the kernel 0.1-0.3 ms (a
// container has one per hierarchy), and even a failing one waits for the kernel's cgroup lock,
// which other containers' mkdir and rmdir hold meanwhile; the event loop should not wait for
// either, so those go to the thread pool, the hierarchies side by side.
import { accessSync, closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';

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
  rmdir: (path) => rmdir(path),
  async exists(path) {
    try {
      accessSync(path);
      return true;
    } catch {
      return false;
    }
  },
};
