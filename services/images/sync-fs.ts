// syncfs(2) of the file system a path is on, without blocking the event loop: coreutils'
// `sync --file-system` (Node has no syncfs). One call makes a whole extracted layer durable,
// where an fsync per file would cost a disk flush per file.

import { execFile } from 'node:child_process';
import { TdockerError } from '../errors/tdocker-error.js';

export function syncFileSystem(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('sync', ['--file-system', path], (err, _out, stderr) => {
      if (!err) return resolve();
      reject(new TdockerError('INTERNAL', `syncfs ${path}: ${String(stderr).trim() || err.message}`, { cause: err }));
    });
  });
}
