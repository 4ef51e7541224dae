// A stored layer as the exact tar it was made from: the skeleton's raw bytes with each file's
// contents read back from the layer directory, checked against the layer's diff id as it
// streams (the last chunk is held back until the digest is known, so a consumer never receives
// a complete-looking tar with the wrong contents).

import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { constants as fsc } from 'node:fs';
import { TdockerError } from '../errors/tdocker-error.js';
import { readSkeleton } from './layer-skeleton.js';
import type { LayerStore } from './layer-store.js';

const CHUNK = 1 << 20;

export async function* layerTar(layers: LayerStore, diffId: string): AsyncGenerator<Buffer> {
  const meta = layers.meta(diffId);
  if (!meta.skeleton) throw new TdockerError('FAILED_PRECONDITION', `layer ${diffId} cannot be rebuilt exactly (its archive overwrote its own files)`);
  const diff = layers.diffDir(diffId);
  const hash = createHash('sha256');
  let held: Buffer | undefined;
  const buf = Buffer.allocUnsafe(CHUNK);
  function* pieces(): Generator<Buffer> {
    for (const rec of readSkeleton(layers.skeletonPath(diffId))) {
      if ('raw' in rec) {
        yield rec.raw;
        continue;
      }
      const fd = openSync(`${diff}/${rec.path}`, fsc.O_RDONLY | fsc.O_NOFOLLOW);
      try {
        if (fstatSync(fd).size !== rec.size) throw new TdockerError('INTERNAL', `layer ${diffId}: ${rec.path} changed size since it was stored`);
        for (let left = rec.size; left > 0; ) {
          const n = readSync(fd, buf, 0, Math.min(CHUNK, left), null);
          if (n === 0) throw new TdockerError('INTERNAL', `layer ${diffId}: ${rec.path} is shorter than stored`);
          yield Buffer.from(buf.subarray(0, n));
          left -= n;
        }
      } finally {
        closeSync(fd);
      }
    }
  }
  for (const c of pieces()) {
    if (!c.length) continue;
    hash.update(c);
    if (held) yield held;
    held = c;
  }
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== diffId) throw new TdockerError('INTERNAL', `layer ${diffId} no longer matches its digest (got ${got}): the store was modified`);
  if (held) yield held;
}
