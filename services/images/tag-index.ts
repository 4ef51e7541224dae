// The one file mapping tags to image ids (`images/tags.json`), replaced atomically on each change.

import { readFileSync } from 'node:fs';
import { TdockerError } from '../errors/tdocker-error.js';
import { writeFileAtomic } from './atomic-write.js';

export class TagIndex {
  constructor(readonly file: string) {}

  /** Tag (`name:tag`) → image id (`sha256:<hex>`). */
  read(): Map<string, string> {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw TdockerError.from(err);
    }
    try {
      const doc = JSON.parse(text) as { tags?: Record<string, string> };
      return new Map(Object.entries(doc.tags ?? {}));
    } catch (err) {
      throw new TdockerError('INTERNAL', `tag index ${this.file} is corrupt`, { cause: err });
    }
  }

  write(tags: Map<string, string>): void {
    const sorted = Object.fromEntries([...tags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    writeFileAtomic(this.file, `${JSON.stringify({ tags: sorted }, null, 1)}\n`);
  }

  /** Tags of each image id. */
  static byImage(tags: Map<string, string>): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [tag, id] of tags) {
      const list = out.get(id);
      if (list) list.push(tag);
      else out.set(id, [tag]);
    }
    return out;
  }
}
