// One layer tar (plain or gzip) streamed into `<dir>/diff`, its skeleton into `<dir>/tar-split`,
// while the digest of the uncompressed bytes (the diff id) is computed on the way. The file system
// work runs in an extraction worker. Memory stays at a few chunks whatever the archive's size.
// The caller owns `dir`: on failure it removes it.

import { createHash, type Hash } from 'node:crypto';
import { TdockerError, invalid } from '../errors/tdocker-error.js';
import { isChunkPump, pumpOf, type ChunkPump } from './chunk-pump.js';
import { ExtractionThread, type ThreadedExtraction } from './extraction-thread.js';
import { importError } from './import-error.js';
import type { ExtractionResult } from './layer-extraction.js';
import { DEFAULT_MAX_BYTES, sniffCompression } from './uncompressed.js';

export { DIFF_DIR, SKELETON_FILE } from './layer-extraction.js';

export interface ExtractOptions {
  /** Cap on the uncompressed size (default 64 GiB). */
  maxBytes?: number;
  chown?: boolean;
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

/** The input: a stream or any async iterable of buffers, or a source lending its chunks. */
export type LayerInput = AsyncIterable<unknown> | ChunkPump;

export async function extractLayer(input: LayerInput, dir: string, opts: ExtractOptions = {}): Promise<ExtractedLayer> {
  const settings = { maxEntrySize: opts.maxBytes ?? DEFAULT_MAX_BYTES, chown: opts.chown };
  return extractThreaded(isChunkPump(input) ? input : pumpOf(input), dir, settings, opts);
}

/**
 * The input goes to an extraction worker as it comes. A compressed layer is inflated and hashed
 * there (this thread then only reads and digests the blob, which keeps several layers' work on
 * several cores); a plain tar is hashed as ExtractionThread.startHashed says (on a second
 * worker reading the same batches, or for a small layer here). Each chunk is used before the
 * next is asked for (digested, copied into a batch), so a lent one is never kept.
 */
async function extractThreaded(input: ChunkPump, dir: string, settings: { maxEntrySize: number; chown?: boolean }, opts: ExtractOptions): Promise<ExtractedLayer> {
  const maxBytes = settings.maxEntrySize;
  const blobHash = opts.expectBlobDigest ? createHash('sha256') : undefined;
  let plain = false;
  let engine: ThreadedExtraction | undefined;
  let head: Buffer[] = [];
  let headLen = 0;
  let read = 0;
  const begin = (first: Buffer) => {
    const kind = first.length >= 8 ? sniffCompression(first) : 'none';
    if (kind !== 'none' && kind !== 'gzip') throw invalid(`${kind}-compressed archives are not supported (use plain tar or gzip)`);
    plain = kind === 'none';
    const thread = ExtractionThread.get();
    engine = plain ? thread.startHashed(dir, settings) : thread.start(dir, { ...settings, inflate: { maxBytes, verified: !!opts.expectDiffId } });
  };
  const send = (chunk: Buffer): Promise<void> | undefined => {
    if (plain && read > maxBytes) throw new TdockerError('RESOURCE_EXHAUSTED', `archive is larger than the limit of ${maxBytes} bytes uncompressed`);
    return engine!.write(chunk);
  };
  const take = (chunk: Buffer): Promise<void> | undefined => {
    read += chunk.length;
    blobHash?.update(chunk);
    opts.onProgress?.(read);
    if (engine) return send(chunk);
    // The first 8 bytes tell the compression; a network stream may give fewer at first. A lent
    // chunk is kept only then (copied); one that tells is sent as it is.
    if (!headLen && chunk.length >= 8) {
      begin(chunk);
      return send(chunk);
    }
    head.push(Buffer.from(chunk));
    headLen += chunk.length;
    if (headLen < 8) return undefined;
    const first = Buffer.concat(head, headLen);
    head = [];
    begin(first);
    return send(first);
  };
  try {
    await input.pump(take);
    if (!engine) {
      const first = Buffer.concat(head, headLen);
      begin(first);
      if (first.length) await send(first);
    }
    const result = await engine!.end();
    return { size: result.size, entries: result.entries, skeleton: result.skeleton, ...verified(opts, result.diffId!, blobHash), tarSize: result.tarSize! };
  } catch (err) {
    await engine?.abort();
    throw importError(err);
  }
}

/** The diff id, once the blob digest and the diff id are the ones expected. */
function verified(opts: ExtractOptions, diffId: string, blobHash: Hash | undefined): { diffId: string } {
  if (blobHash) {
    const blob = `sha256:${blobHash.digest('hex')}`;
    if (blob !== opts.expectBlobDigest) throw invalid(`blob digest mismatch: expected ${opts.expectBlobDigest}, got ${blob}`);
  }
  if (opts.expectDiffId && opts.expectDiffId !== diffId) throw invalid(`layer digest mismatch: expected ${opts.expectDiffId}, got ${diffId}`);
  return { diffId };
}

export { importError } from './import-error.js';
