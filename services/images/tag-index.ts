// The one file mapping references to image ids (`images/tags.json`), replaced atomically on each
// change: tags (`name:tag`) and the digest references of pulled images (`name@sha256:<manifest
// digest>`, Docker's RepoDigests). In memory both live in one map; a key with '@' is a digest.

import { readFileSync } from 'node:fs';
import { TdockerError } from '../errors/tdocker-error.js';
import { writeFileAtomic } from './atomic-write.js';

export const isDigestRef = (ref: string) => ref.includes('@');

export class TagIndex {
  constructor(readonly file: string) {}

  /** Reference (`name:tag` or `name@sha256:…`) → image id (`sha256:<hex>`). */
  read(): Map<string, string> {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw TdockerError.from(err);
    }
    try {
      const doc = JSON.parse(text) as { tags?: Record<string, string>; digests?: Record<string, string> };
      return new Map([...Object.entries(doc.tags ?? {}), ...Object.entries(doc.digests ?? {})]);
    } catch (err) {
      throw new TdockerError('INTERNAL', `tag index ${this.file} is corrupt`, { cause: err });
    }
  }

  write(refs: Map<string, string>): void {
    const sorted = [...refs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const tags = Object.fromEntries(sorted.filter(([k]) => !isDigestRef(k)));
    const digests = Object.fromEntries(sorted.filter(([k]) => isDigestRef(k)));
    const doc = Object.keys(digests).length ? { tags, digests } : { tags };
    writeFileAtomic(this.file, `${JSON.stringify(doc, null, 1)}\n`);
  }

  /** Tags of each image id (digest references left out). */
  static byImage(refs: Map<string, string>): Map<string, string[]> {
    return group(refs, (k) => !isDigestRef(k));
  }

  /** Digest references of each image id. */
  static digestsByImage(refs: Map<string, string>): Map<string, string[]> {
    return group(refs, isDigestRef);
  }
}

function group(refs: Map<string, string>, keep: (ref: string) => boolean): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [ref, id] of refs) {
    if (!keep(ref)) continue;
    const list = out.get(id);
    if (list) list.push(ref);
    else out.set(id, [ref]);
  }
  return out;
}
