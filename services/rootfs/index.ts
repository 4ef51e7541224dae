// What the rootfs service offers the rest of the daemon.

export { prepareRootfs, releaseRootfs, type PrepareRootfsOptions, type PreparedRootfs } from './prepare-rootfs.js';
export { unmountAll } from './unmount-all.js';
export { removeUnmounted } from './remove-unmounted.js';
export { parseVolumeFlag } from './volume-flag.js';
export { parseMountFlag } from './mount-flag.js';
export { parseTmpfsFlag } from './tmpfs-flag.js';
export type { BindMountSpec, MountSpec, Propagation, TmpfsMountSpec } from './mount-spec.js';
