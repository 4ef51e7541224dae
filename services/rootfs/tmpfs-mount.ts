// A tmpfs on a pinned mountpoint, with Docker's defaults (noexec, nosuid, nodev).

import { MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, mount } from '../../native/libc.js';
import type { TmpfsMountSpec } from './mount-spec.js';

export function mountTmpfs(spec: TmpfsMountSpec, target: string, hostPath: string): void {
  const flags =
    (spec.readonly ? MS_RDONLY : 0) | (spec.exec ? 0 : MS_NOEXEC) | (spec.suid ? 0 : MS_NOSUID) | (spec.dev ? 0 : MS_NODEV);
  const data = [
    ...(spec.sizeBytes !== undefined ? [`size=${spec.sizeBytes}`] : []),
    ...(spec.mode !== undefined ? [`mode=${spec.mode.toString(8).padStart(4, '0')}`] : []),
  ].join(',');
  mount('tmpfs', target, 'tmpfs', flags, data, hostPath);
}
