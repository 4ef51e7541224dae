// The file operations the drivers need, behind one interface so unit tests can run them against a
// fake kernel on a temporary tree. The real one is plain node:fs/promises.
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, rmdir } from 'node:fs/promises';

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
  readFile: (path) => readFile(path, 'utf8'),
  async writeFile(path, data) {
    // The kernel parses each write(2) on its own: no O_CREAT, no O_TRUNC, one write per value.
    const fh = await open(path, constants.O_WRONLY);
    try {
      await fh.write(data);
    } finally {
      await fh.close();
    }
  },
  mkdir: async (path) => { await mkdir(path); },
  rmdir: (path) => rmdir(path),
  exists: (path) => access(path).then(() => true, () => false),
};
