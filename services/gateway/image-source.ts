// What the gateway needs of the image store: the store's own types, narrowed to what the gateway
// calls, so the gateway and its tests do not depend on the store's implementation (and the image
// library is only loaded when an image call comes).

import type { ImageConfig, ImageRecord as StoredImage, ImageStore } from '../images/index.js';

export type ImageConfigFields = ImageConfig;

/** An image as the gateway reads it; what only pulled or stored images have is optional. */
export type ImageRecord = Pick<StoredImage, 'id' | 'repoTags' | 'created' | 'size' | 'layers' | 'config'> & Partial<Pick<StoredImage, 'repoDigests' | 'architecture' | 'os'>>;

export type ImageSource = Pick<ImageStore, 'importTar' | 'list' | 'get' | 'layerDirs' | 'remove'>;
