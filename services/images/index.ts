// What the images service offers the daemon's wiring and the gateway. Everything else in this
// folder is an implementation detail.

export { ImageStore, type ImageRecord, type ImageStoreOptions, type ImportOptions, type RemoveOptions, type LayerLease } from './image-store.js';
export type { ImageConfig, OciImageConfig } from './image-config.js';
export { DEFAULT_PATH } from './image-config.js';
export { normalizeTag, parseRef, fullName } from './image-ref.js';
export { loadImages, loadLayout, type LoadOptions, type LoadResult } from './image-load.js';
export { saveImages } from './image-save.js';
export { pullImage, type PullOptions } from './image-pull.js';
export { parsePullRef, type PullRef } from './pull-ref.js';
export type { RegistryAuth } from './registry-client.js';
export { commitContainer, exportRootfs, upperDirTar, type CommitOptions } from './image-commit.js';
export { busyboxRootfsTar, BUSYBOX_CONFIG, DEFAULT_BUSYBOX } from './busybox-rootfs-tar.js';
export { importBusyboxImage } from './busybox-image.js';
export { DEFAULT_MAX_BYTES } from './uncompressed.js';
export { hostSpecialFiles, type SpecialFiles } from './special-files.js';
