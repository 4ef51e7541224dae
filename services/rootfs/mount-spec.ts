// A container mount as the user asked for it (`-v`, `--mount`, `--tmpfs`), before anything is
// mounted. Parsers produce it; prepareRootfs consumes it; the container config can carry it.

import { posix } from 'node:path';
import { invalid } from '../errors/tdocker-error.js';

export type Propagation = 'rprivate' | 'private' | 'rshared' | 'shared' | 'rslave' | 'slave';

export const PROPAGATIONS: readonly Propagation[] = ['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave'];

export interface BindMountSpec {
  type: 'bind';
  /** Absolute host path, normalized. Checked for existence when mounted. */
  source: string;
  /** Absolute path inside the container, normalized, never `/`. */
  destination: string;
  readonly: boolean;
  /** Bind the source's submounts too (Docker's default; `bind-nonrecursive` turns it off). */
  recursive: boolean;
  /**
   * Applied by the container init inside its own mount namespace, never on the host: changing
   * the propagation of a host mount that already propagated copies to its peers would orphan them.
   */
  propagation: Propagation;
}

export interface TmpfsMountSpec {
  type: 'tmpfs';
  destination: string;
  readonly: boolean;
  /** Bytes; the kernel's default (half of RAM) when absent. */
  sizeBytes?: number;
  /** Permission bits of the tmpfs root (`1777`), octal on the command line. */
  mode?: number;
  /** Docker mounts tmpfs noexec, nosuid, nodev unless told otherwise. */
  exec: boolean;
  suid: boolean;
  dev: boolean;
}

export type MountSpec = BindMountSpec | TmpfsMountSpec;

/** Normalizes a container path; refuses relative paths and `/`. */
export function checkDestination(dst: string, what: string): string {
  if (dst.includes('\0')) throw invalid(`invalid ${what} destination: contains a NUL byte`);
  if (!posix.isAbsolute(dst)) throw invalid(`invalid ${what} destination '${dst}': must be an absolute path`);
  const clean = posix.normalize(dst).replace(/\/+$/, '') || '/';
  if (clean === '/') throw invalid(`invalid ${what} destination '${dst}': cannot mount over the container's root`);
  return clean;
}

/** Normalizes an absolute host path; refuses relative ones. */
export function checkSource(src: string, what: string): string {
  if (src.includes('\0')) throw invalid(`invalid ${what} source: contains a NUL byte`);
  if (!posix.isAbsolute(src)) throw invalid(`invalid ${what} source '${src}': must be an absolute path`);
  return posix.normalize(src).replace(/(.)\/+$/, '$1');
}
