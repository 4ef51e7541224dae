// One layer tar (plain or gzip) streamed into `<dir>/diff`, its skeleton into `<dir>/tar-split`,
// while the digest of the uncompressed bytes (the diff id) is computed on the way. The file
// system work runs in the extraction worker (or inline, when asked or when the caller supplies
// its own SpecialFiles); this thread reads, inflates and hashes. Memory stays at a few chunks
// whatever the archive's size. The caller owns `dir`: on failure it removes it.

import { createHash } from 'node:crypto';
import { TdockerError, invalid } from '../errors/tdocker-error.js';
import { ExtractionThread } from './extraction-thread.js';
import { LayerExtraction, type ExtractionResult } from './layer-extraction.js';
import { hostSpecialFiles, type SpecialFiles } from './special-files.js';
import { DEFAULT_MAX_BYTES, uncompressed } from './uncompressed.js';

export { DIFF_DIR, SKELETON_FILE } from './layer-extraction.js';

export interface ExtractOptions {
  /** Cap on the uncompressed size (default 64 GiB). */
  maxBytes?: number;
  /** Calls for device nodes and xattrs; supplying them runs the extraction inline. */
  special?: SpecialFiles;
  chown?: boolean;
  /** Run the file system work on this thread instead of the extraction worker. */
  inline?: boolean;
  /** Total input bytes read so far. */
  onProgress?: (bytes: number) => void;
  /** Refuse the layer unless its uncompressed digest is this one ('sha256:<hex>'). */
  expectDiffId?: string;
  /** Refuse the layer unless the digest of the input as given (compressed) is this one. */
  expectBlobDigest?: string;
}

export interface ExtractedLayer extends ExtractionResult {
  diffId: string;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
}

interface Engine {
  write(chunk: Buffer): Promise<void> | undefined | void;
  end(): Promise<ExtractionResult> | ExtractionResult;
  abort(): Promise<void> | void;
}

export async function extractLayer(input: AsyncIterable<unknown>, dir: string, opts: ExtractOptions = {}): Promise<ExtractedLayer> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const settings = { maxEntrySize: maxBytes, chown: opts.chown };
  const engine: Engine =
    opts.inline || opts.special ? new LayerExtraction(dir, opts.special ?? hostSpecialFiles(), settings) : ExtractionThread.get().start(dir, settings);
  const hash = createHash('sha256');
  const blobHash = opts.expectBlobDigest ? createHash('sha256') : undefined;
  let tarSize = 0;
  try {
    const onRaw = blobHash && ((c: Buffer) => void blobHash.update(c));
    for await (const chunk of uncompressed(input, { maxBytes, onInput: opts.onProgress, onRaw })) {
      hash.update(chunk);
      tarSize += chunk.length;
      const wait = engine.write(chunk);
      if (wait) await wait;
    }
    const result = await engine.end();
    const diffId = `sha256:${hash.digest('hex')}`;
    if (blobHash) {
      const blob = `sha256:${blobHash.digest('hex')}`;
      if (blob !== opts.expectBlobDigest) throw invalid(`blob digest mismatch: expected ${opts.expectBlobDigest}, got ${blob}`);
    }
    if (opts.expectDiffId && opts.expectDiffId !== diffId) {
      throw invalid(`layer digest mismatch: expected ${opts.expectDiffId}, got ${diffId}`);
    }
    return { ...result, diffId, tarSize };
  } catch (err) {
    await engine.abort();
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
