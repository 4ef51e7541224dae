// What the gateway needs of the image store (services/images/image-store.ts): the interface it is
// written against, so the gateway and its tests do not depend on the store's implementation.

export interface ImageConfigFields {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, unknown>;
  StopSignal?: string;
}

export interface ImageRecord {
  /** "sha256:<hex>". */
  id: string;
  repoTags: string[];
  created: string;
  size: number;
  layers: string[];
  config: ImageConfigFields;
}

export interface ImageSource {
  importTar(input: NodeJS.ReadableStream, opts: { ref?: string; config?: Omit<ImageConfigFields, 'ExposedPorts'> & { ExposedPorts?: Record<string, object> }; comment?: string }): Promise<ImageRecord>;
  list(): Promise<ImageRecord[]>;
  /** name[:tag], full id, or unique id prefix; NOT_FOUND otherwise. */
  get(ref: string): Promise<ImageRecord>;
  /** Layer directories, top first. */
  layerDirs(img: ImageRecord): string[];
  remove(ref: string, opts: { force?: boolean; inUse: (imageId: string) => boolean }): Promise<{ untagged: string[]; deleted: string[] }>;
}
