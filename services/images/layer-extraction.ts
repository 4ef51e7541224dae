// One layer tar being written into `<dir>/diff` (and its skeleton into `<dir>/tar-split`), fed
// chunk by chunk: the synchronous engine that runs in the extraction worker.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LayerWriter } from './layer-writer.js';
import { SkeletonWriter } from './layer-skeleton.js';
import type { SpecialFiles } from './special-files.js';
import { TarReader } from './tar-reader.js';

export const DIFF_DIR = 'diff';
export const SKELETON_FILE = 'tar-split';

export interface ExtractionSettings {
  /** Largest member accepted. */
  maxEntrySize: number;
  chown?: boolean;
}

export interface ExtractionResult {
  /** Bytes of regular-file data. */
  size: number;
  entries: number;
  /** Whether `<dir>/tar-split` can rebuild the exact tar. */
  skeleton: boolean;
}

export class LayerExtraction {
  private readonly writer: LayerWriter;
  private readonly reader: TarReader;
  private readonly skeleton: SkeletonWriter;

  constructor(dir: string, special: SpecialFiles, settings: ExtractionSettings) {
    const diff = join(dir, DIFF_DIR);
    mkdirSync(diff, { recursive: true, mode: 0o755 });
    this.skeleton = new SkeletonWriter(join(dir, SKELETON_FILE));
    this.writer = new LayerWriter(diff, { special, chown: settings.chown, skeleton: this.skeleton });
    this.reader = new TarReader(this.writer, { maxEntrySize: settings.maxEntrySize });
  }

  write(chunk: Buffer): void {
    this.reader.write(chunk);
  }

  end(): ExtractionResult {
    this.reader.end();
    const stats = this.writer.finish();
    return { size: stats.size, entries: stats.entries, skeleton: this.skeleton.finish() };
  }

  /** Closes what a failed extraction holds open; the caller removes the directory. */
  abort(): void {
    this.writer.abort();
  }
}
