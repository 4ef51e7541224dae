// Image references as users type them: `busybox` is `busybox:latest`, `docker.io/library/x` is
// `x`, a registry host may carry a port (`localhost:5000/app:1`). Tags are kept in this familiar
// form, as `docker images` shows them. Grammar: distribution/reference.

import { invalid } from '../errors/tdocker-error.js';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HEX = /^[0-9a-f]+$/;

export interface ImageRef {
  /** Familiar repository name: `busybox`, `user/app`, `localhost:5000/app`. */
  name: string;
  tag: string;
}

/** Parses `name[:tag]`; null when it is not a valid reference. */
export function parseRef(ref: string): ImageRef | null {
  if (!ref || ref.length > 255 || ref.includes('@')) return null;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  let name = ref;
  let tag = 'latest';
  if (colon > slash) {
    name = ref.slice(0, colon);
    tag = ref.slice(colon + 1);
  }
  if (!TAG.test(tag)) return null;
  const parts = name.split('/');
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    if (!DOMAIN.test(first)) return null;
    if (!parts.slice(1).every((p) => COMPONENT.test(p))) return null;
  } else if (!parts.every((p) => COMPONENT.test(p))) {
    return null;
  }
  if (first === 'docker.io' || first === 'index.docker.io') parts.shift();
  if (parts[0] === 'library' && parts.length === 2) parts.shift();
  return { name: parts.join('/'), tag };
}

/** `name:tag`, or INVALID_ARGUMENT saying what is wrong. */
export function normalizeTag(ref: string): string {
  const r = parseRef(ref);
  if (!r) {
    if (ref.includes('@')) throw invalid(`invalid reference '${ref}': digests cannot be used as tags`);
    throw invalid(`invalid reference format '${ref}': repository names are lowercase [a-z0-9._-/], tags [A-Za-z0-9_.-]`);
  }
  return `${r.name}:${r.tag}`;
}

/**
 * `name@sha256:<hex>` with the name in familiar form (a tag after the name is dropped, as Docker
 * does for `name:tag@digest`); null when it is not a digest reference.
 */
export function normalizeDigestRef(ref: string): string | null {
  const at = ref.indexOf('@');
  if (at === -1) return null;
  const digest = ref.slice(at + 1);
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return null;
  const r = parseRef(ref.slice(0, at));
  return r ? `${r.name}@${digest}` : null;
}

/** The hex of a full image id given as `sha256:<hex>` or `<hex>`; null otherwise. */
export function fullId(ref: string): string | null {
  const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref;
  return hex.length === 64 && HEX.test(hex) ? hex : null;
}

/** The hex prefix of a short id (at least 4 hex digits); null otherwise. */
export function idPrefix(ref: string): string | null {
  const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref;
  return hex.length >= 4 && hex.length <= 64 && HEX.test(hex) ? hex : null;
}

/** The fully qualified name of a familiar tag: `busybox:latest` → `docker.io/library/busybox:latest`. */
export function fullName(tag: string): string {
  const first = tag.split('/')[0]!;
  const hasDomain = tag.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain) return tag;
  return tag.includes('/') ? `docker.io/${tag}` : `docker.io/library/${tag}`;
}
