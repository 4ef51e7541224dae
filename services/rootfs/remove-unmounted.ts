// rm -rf for the folders of a container's root filesystem, refusing while anything is mounted
// under them: removing through a live bind mount would delete the host's files.

import { realpathSync, rmSync } from 'node:fs';
import { TdockerError } from '../errors/tdocker-error.js';
import { mountsUnder } from './mountinfo.js';

export function removeUnmounted(path: string): void {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw TdockerError.from(err);
  }
  const mounted = mountsUnder(real);
  if (mounted.length) {
    throw new TdockerError('FAILED_PRECONDITION', `refusing to remove ${real}: still mounted: ${mounted.map((m) => m.mountPoint).join(', ')}`);
  }
  rmSync(real, { recursive: true, force: true });
}
