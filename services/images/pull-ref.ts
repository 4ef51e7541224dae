// What `pull REF` names on a registry. Familiar names are Docker Hub's: `busybox` is
// `registry-1.docker.io`, repository `library/busybox`, tag `latest`; a first component with a
// dot or a port, or `localhost`, is a registry host. `NAME@sha256:…` pins a manifest digest.

import { invalid } from '../errors/tdocker-error.js';
import { parseRef } from './image-ref.js';

export interface PullRef {
  /** The familiar repository name (`busybox`, `localhost:5000/app`) tags and digests are kept under. */
  name: string;
  /** Host (and port) to talk to. */
  registry: string;
  repository: string;
  /** Tag or digest to fetch the manifest by. */
  reference: string;
  /** The familiar tag to store (`busybox:latest`), none when pulled by digest only. */
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB = 'registry-1.docker.io';

export function parsePullRef(ref: string): PullRef {
  const at = ref.indexOf('@');
  const namePart = at === -1 ? ref : ref.slice(0, at);
  const digest = at === -1 ? undefined : ref.slice(at + 1);
  if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest)) throw invalid(`invalid reference '${ref}': bad digest`);
  const parsed = parseRef(namePart);
  if (!parsed) throw invalid(`invalid reference format '${ref}'`);
  const explicitTag = namePart.lastIndexOf(':') > namePart.lastIndexOf('/');
  const parts = parsed.name.split('/');
  const first = parts[0]!;
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasHost ? first : DOCKER_HUB;
  let repository = hasHost ? parts.slice(1).join('/') : parsed.name;
  if (!hasHost && parts.length === 1) repository = `library/${repository}`;
  const tag = digest && !explicitTag ? undefined : `${parsed.name}:${parsed.tag}`;
  return { name: parsed.name, registry, repository, reference: digest ?? parsed.tag, tag, digest };
}

/** Registries Docker talks plain HTTP to by default: loopback ones. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.split(':')[0]!;
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
