// The image configuration (OCI image-spec config.json; Docker's image JSON is the same shape).
// An image's id is the sha256 of this document's bytes, so the bytes are stored as received.

import { createHash } from 'node:crypto';
import { invalid } from '../errors/tdocker-error.js';

/** The defaults a container of the image runs with (`config` of the image config). */
export interface ImageConfig {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, object>;
  StopSignal?: string;
  Volumes?: Record<string, object>;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  author?: string;
  empty_layer?: boolean;
}

export interface OciImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: ImageConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
  [extra: string]: unknown;
}

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** This host's architecture in the Go/OCI spelling (`amd64`). */
export function hostArch(): string {
  return GO_ARCH[process.arch] ?? process.arch;
}

export function digestOf(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Checks the fields the store relies on; returns the config typed. */
export function parseImageConfig(bytes: Buffer, what: string): OciImageConfig {
  let c: unknown;
  try {
    c = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid(`${what}: image config is not JSON`);
  }
  const cfg = c as OciImageConfig;
  const ids = cfg?.rootfs?.diff_ids;
  if (!cfg || typeof cfg !== 'object' || !Array.isArray(ids) || !ids.every((d) => typeof d === 'string' && /^sha256:[0-9a-f]{64}$/.test(d))) {
    throw invalid(`${what}: image config has no valid rootfs.diff_ids`);
  }
  return cfg;
}

/** The config of an image made from one root filesystem tar (`import`). */
export function importedConfig(diffId: string, opts: { config?: ImageConfig; comment?: string; created?: Date }): OciImageConfig {
  const created = (opts.created ?? new Date()).toISOString();
  return {
    architecture: hostArch(),
    os: 'linux',
    created,
    config: opts.config ?? {},
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: 'tdocker import', comment: opts.comment ?? 'Imported from tarball' }],
  };
}
