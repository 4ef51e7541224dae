// One layer tar (plain or gzip) streamed into `<dir>/diff`, its skeleton into `<dir>/tar-split`,
// while the digest of the uncompressed bytes (the diff id) is computed on the way. Memory stays
// at a few chunks whatever the archive's size. The caller owns `dir`: on failure it removes it.

import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TdockerError, invalid } from '../errors/tdocker-error.js';
import { LayerWriter } from './layer-writer.js';
import { SkeletonWriter } from './layer-skeleton.js';
import { hostSpecialFiles, type SpecialFiles } from './special-files.js';
import { TarReader } from './tar-reader.js';
import { DEFAULT_MAX_BYTES, uncompressed } from './uncompressed.js';

export interface ExtractOptions {
  /** Cap on the uncompressed size (default 64 GiB). */
  maxBytes?: number;
  special?: SpecialFiles;
  chown?: boolean;
  /** Total input bytes read so far. */
  onProgress?: (bytes: number) => void;
  /** Refuse the layer unless its uncompressed digest is this one ('sha256:<hex>'). */
  expectDiffId?: string;
}

export interface ExtractedLayer {
  diffId: string;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
  /** Bytes of regular-file data. */
  size: number;
  entries: number;
  /** Whether `<dir>/tar-split` can rebuild the exact tar. */
  skeleton: boolean;
}

export const DIFF_DIR = 'diff';
export const SKELETON_FILE = 'tar-split';

export async function extractLayer(input: AsyncIterable<unknown>, dir: string, opts: ExtractOptions = {}): Promise<ExtractedLayer> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const diff = join(dir, DIFF_DIR);
  mkdirSync(diff, { recursive: true, mode: 0o755 });
  const skeleton = new SkeletonWriter(join(dir, SKELETON_FILE));
  const writer = new LayerWriter(diff, { special: opts.special ?? hostSpecialFiles(), chown: opts.chown, skeleton });
  const reader = new TarReader(writer, { maxEntrySize: maxBytes });
  const hash = createHash('sha256');
  let tarSize = 0;
  try {
    for await (const chunk of uncompressed(input, { maxBytes, onInput: opts.onProgress })) {
      hash.update(chunk);
      tarSize += chunk.length;
      reader.write(chunk);
    }
    reader.end();
    const stats = writer.finish();
    const diffId = `sha256:${hash.digest('hex')}`;
    if (opts.expectDiffId && opts.expectDiffId !== diffId) {
      throw invalid(`layer digest mismatch: expected ${opts.expectDiffId}, got ${diffId}`);
    }
    return { diffId, tarSize, size: stats.size, entries: stats.entries, skeleton: skeleton.finish() };
  } catch (err) {
    writer.abort();
    throw importError(err);
  }
}

/** What a failed extraction reports: disk errors by their errno, a broken input as such. */
export function importError(err: unknown): TdockerError {
  if (err instanceof TdockerError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC' || e?.code === 'EDQUOT') return TdockerError.from(err, 'RESOURCE_EXHAUSTED');
  if (e?.syscall) return TdockerError.from(err, 'INTERNAL');
  return new TdockerError('INVALID_ARGUMENT', `reading the archive failed: ${e?.message ?? String(err)}`, { cause: err });
}
