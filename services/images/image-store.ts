// The image store under the daemon's root:
//   images/sha256/<hex>   each image's config, byte for byte (its id is the sha256 of these bytes)
//   images/tags.json      tag → image id, replaced atomically
//   layers/<hex>/         extracted layers (LayerStore), shared by every image that lists them
//   tmp/                  work in progress, named after the process doing it
// Work that takes long (extraction) happens outside the store lock in tmp/; only the commits
// (rename a layer in, write a config, update tags, delete) take the lock, so they are short and
// a failure before them leaves the store untouched. A layer is deleted when the last image that
// lists it is, unless an import in progress holds it. Layers are committed before their files
// reach the disk, listed in an unsynced journal until a background syncfs (commitLayers).

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TdockerError, invalid, notFound, precondition } from '../errors/tdocker-error.js';
import { fsyncDir, writeFileAtomic } from './atomic-write.js';
import { extractLayer, type ExtractOptions, type LayerInput } from './extract-layer.js';
import { digestOf, importedConfig, parseImageConfig, type ImageConfig, type OciImageConfig } from './image-config.js';
import { fullId, idPrefix, normalizeDigestRef, normalizeTag, parseRef } from './image-ref.js';
import { LayerStore } from './layer-store.js';
import { isAlive, processIdentity } from './process-identity.js';
import { StoreLock } from './store-lock.js';
import { syncFileSystem } from './sync-fs.js';
import { TagIndex } from './tag-index.js';
import { DEFAULT_MAX_BYTES } from './uncompressed.js';
import { UnsyncedJournal, currentBootId, type UnsyncedEntry } from './unsynced-journal.js';

export type { ImageConfig } from './image-config.js';

export interface ImageRecord {
  /** `sha256:<hex>` of the config JSON. */
  id: string;
  repoTags: string[];
  /** `name@sha256:<manifest digest>` for each repository the image was pulled from. */
  repoDigests: string[];
  created: string;
  /** Bytes of file data in all layers. */
  size: number;
  /** Diff ids (sha256 of each uncompressed layer tar), bottom first. */
  layers: string[];
  config: ImageConfig;
  architecture: string;
  os: string;
}

export interface ImageStoreOptions {
  /** Cap on any one layer's uncompressed size (default 64 GiB). */
  maxLayerBytes?: number;
  /** Restore file owners (default: when running as root). */
  chown?: boolean;
  /** Where warnings go (images removed at open, a background sync that failed); pino fits. */
  log?: StoreLog;
}

export interface StoreLog {
  warn(obj: object, msg: string): void;
}

const stderrLog: StoreLog = { warn: (obj, msg) => process.stderr.write(`images: ${msg} ${JSON.stringify(obj)}\n`) };

export interface ImportOptions {
  ref?: string;
  /** Total input bytes read so far. */
  onProgress?: (bytes: number) => void;
  /** Defaults for containers of the image (`--change` of docker import). */
  config?: ImageConfig;
  comment?: string;
  /** The image's creation time (default now); a fixed one makes the image id reproducible. */
  created?: Date;
}

export type StageOptions = Pick<ExtractOptions, 'onProgress' | 'expectDiffId' | 'expectBlobDigest'>;

export interface RemoveOptions {
  force?: boolean;
  /** Whether a container uses the image (full id). */
  inUse: (imageId: string) => boolean;
}

/** A layer extracted into the store's tmp/, not yet durable nor in the store (commitLayers). */
export interface StagedLayer {
  readonly dir: string;
  readonly diffId: string;
}

/** Tags and digest references of each image id. */
interface RefsByImage {
  tags: Map<string, string[]>;
  digests: Map<string, string[]>;
}

const refsByImage = (refs: Map<string, string>): RefsByImage => ({ tags: TagIndex.byImage(refs), digests: TagIndex.digestsByImage(refs) });

/** Layers an unfinished import holds: not deleted by remove or prune until released. */
export interface LayerLease {
  readonly layers: ReadonlySet<string>;
  release(): void;
}

const short = (id: string) => id.slice(7, 19);

export class ImageStore {
  readonly layers: LayerStore;
  private readonly configs: string;
  private readonly tmp: string;
  private readonly tags: TagIndex;
  private readonly lock: StoreLock;
  private readonly pins = new Map<string, number>();
  private readonly me = processIdentity();
  private readonly journal: UnsyncedJournal;
  private readonly log: StoreLog;
  private opened?: Promise<void>;
  private seq = 0;
  /** Layers were committed since the last background sync started. */
  private unsynced = false;
  /** The background sync running now, if any; syncAgain asks it for one more round. */
  private syncing?: Promise<void>;
  private syncAgain = false;

  constructor(readonly root: string, private readonly opts: ImageStoreOptions = {}) {
    this.layers = new LayerStore(join(root, 'layers'));
    this.configs = join(root, 'images', 'sha256');
    this.tmp = join(root, 'tmp');
    this.tags = new TagIndex(join(root, 'images', 'tags.json'));
    this.lock = new StoreLock(join(root, 'images', '.lock'));
    this.journal = new UnsyncedJournal(join(root, 'images', 'unsynced'));
    this.log = opts.log ?? stderrLog;
  }

  /**
   * Makes the store ready, once: creates its folders, removes what dead processes left in tmp/,
   * and settles the unsynced journal (settleJournal). Every operation awaits it; the daemon calls
   * it at start so that a journal left by a crash is settled before any client asks.
   */
  open(): Promise<void> {
    this.opened ??= this.init().catch((err: unknown) => {
      this.opened = undefined;
      throw err;
    });
    return this.opened;
  }

  /** Waits for the background sync of what this store committed (and runs it if not started). */
  async close(): Promise<void> {
    if (this.unsynced) this.startSync();
    while (this.syncing) await this.syncing;
  }

  /** Imports one root filesystem tar (plain or gzip) as a one-layer image, as `docker import`. */
  async importTar(input: NodeJS.ReadableStream | AsyncIterable<unknown>, opts: ImportOptions = {}): Promise<ImageRecord> {
    const tag = opts.ref ? normalizeTag(opts.ref) : undefined;
    const lease = this.lease();
    try {
      const diffId = await this.addLayer(input, lease, { onProgress: opts.onProgress });
      const config = importedConfig(diffId, { config: opts.config, comment: opts.comment, created: opts.created });
      const img = await this.addImage(Buffer.from(JSON.stringify(config)), tag ? [tag] : []);
      lease.release();
      return img;
    } catch (err) {
      await this.abandon(lease);
      throw err;
    }
  }

  async list(): Promise<ImageRecord[]> {
    await this.open();
    const byImage = refsByImage(this.tags.read());
    const out: ImageRecord[] = [];
    for (const hex of this.configIds()) {
      const rec = this.tryRecord(`sha256:${hex}`, byImage);
      if (rec) out.push(rec);
    }
    return out.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  }

  async get(ref: string): Promise<ImageRecord> {
    await this.open();
    const tags = this.tags.read();
    return this.record(this.resolve(ref, tags), refsByImage(tags));
  }

  /** The image's config document as stored (what `image inspect` and `save` need). */
  async configOf(ref: string): Promise<{ id: string; bytes: Buffer; config: OciImageConfig }> {
    const img = await this.get(ref);
    const bytes = this.configBytes(img.id);
    return { id: img.id, bytes, config: parseImageConfig(bytes, img.id) };
  }

  /** Extracted layer directories, top first (overlayfs lowerdir order). */
  layerDirs(img: Pick<ImageRecord, 'layers'>): string[] {
    return [...img.layers].reverse().map((d) => this.layers.diffDir(d));
  }

  async tag(ref: string, newRef: string): Promise<void> {
    const tag = normalizeTag(newRef);
    await this.open();
    await this.lock.run(() => {
      const tags = this.tags.read();
      const id = this.resolve(ref, tags);
      if (tags.get(tag) === id) return;
      tags.set(tag, id);
      this.tags.write(tags);
    });
  }

  /**
   * `rmi`: a tag shared with other tags is only untagged; otherwise the image is untagged and
   * deleted with the layers no other image lists. Refused while a container uses the image, or
   * (by id) while it has several tags, unless forced. Forced while in use, the image is untagged
   * but kept, with its layers, since the container's overlay still stands on them.
   */
  async remove(ref: string, opts: RemoveOptions): Promise<{ untagged: string[]; deleted: string[] }> {
    await this.open();
    return this.lock.run(() => {
      const tags = this.tags.read();
      const parsed = parseRef(ref);
      const digestRef = normalizeDigestRef(ref);
      const viaTag = parsed && tags.has(`${parsed.name}:${parsed.tag}`) ? `${parsed.name}:${parsed.tag}` : digestRef && tags.has(digestRef) ? digestRef : undefined;
      const id = viaTag ? tags.get(viaTag)! : this.resolve(ref, tags);
      const imgTags = TagIndex.byImage(tags).get(id) ?? [];
      const imgDigests = TagIndex.digestsByImage(tags).get(id) ?? [];
      // A digest reference goes like a tag, but only tags keep an image: its last tag takes it.
      if (viaTag && (imgTags.length > 1 || (viaTag === digestRef && imgTags.length > 0))) {
        tags.delete(viaTag);
        this.tags.write(tags);
        return { untagged: [viaTag], deleted: [] };
      }
      if (!viaTag && imgTags.length > 1 && !opts.force) {
        throw precondition(`unable to delete ${short(id)} (must be forced): image is referenced in multiple repositories (${imgTags.join(', ')})`);
      }
      const used = opts.inUse(id);
      if (used && !opts.force) {
        throw precondition(
          viaTag
            ? `unable to remove repository reference "${ref}" (must force): a container is using its referenced image ${short(id)}`
            : `unable to delete ${short(id)} (must be forced): image is being used by a container`,
        );
      }
      // Docker untags the digest references too, even of an image kept for a container.
      const untagged = [...imgTags, ...imgDigests];
      for (const t of untagged) tags.delete(t);
      if (untagged.length) this.tags.write(tags);
      if (used) return { untagged, deleted: [] };
      return { untagged, deleted: this.deleteImages([id]) };
    });
  }

  /** `image prune`: images without tags that no container uses, and layers no image lists. */
  async prune(opts: { inUse: (imageId: string) => boolean }): Promise<{ deleted: string[]; reclaimed: number }> {
    await this.open();
    return this.lock.run(() => {
      const refs = this.tags.read();
      const tagged = TagIndex.byImage(refs);
      const dangling = this.configIds()
        .map((hex) => `sha256:${hex}`)
        .filter((id) => !tagged.has(id) && !opts.inUse(id));
      const before = this.layers.list();
      const sizes = new Map(before.map((d) => [d, this.layerSize(d)]));
      // A dangling image may still have digest references (pulled by digest): they go with it.
      const gone = new Set(dangling);
      const stale = [...refs].filter(([, id]) => gone.has(id)).map(([ref]) => ref);
      if (stale.length) {
        for (const ref of stale) refs.delete(ref);
        this.tags.write(refs);
      }
      const deleted = this.deleteImages(dangling);
      deleted.push(...this.deleteUnreferencedLayers(new Set(before)));
      const reclaimed = deleted.reduce((n, d) => n + (sizes.get(d) ?? 0), 0);
      return { deleted: [...new Set(deleted)], reclaimed };
    });
  }

  // ---- building blocks for import, load and commit ----

  /** Holds layers for an import in progress (see LayerLease). */
  lease(): LayerLease {
    const held = new Set<string>();
    const pins = this.pins;
    return {
      layers: held,
      release() {
        for (const d of held) {
          const n = (pins.get(d) ?? 1) - 1;
          if (n > 0) pins.set(d, n);
          else pins.delete(d);
        }
        held.clear();
      },
    };
  }

  /**
   * Releases a lease after a failed import, deleting the layers it held that no image lists:
   * an interrupted load leaves no orphans behind (complete layers, but unused).
   */
  async abandon(lease: LayerLease): Promise<string[]> {
    const held = new Set(lease.layers);
    lease.release();
    this.syncSoon();
    if (!held.size) return [];
    return this.lock.run(() => this.deleteUnreferencedLayers(held));
  }

  private hold(lease: LayerLease, diffId: string): void {
    if (lease.layers.has(diffId)) return;
    (lease.layers as Set<string>).add(diffId);
    this.pins.set(diffId, (this.pins.get(diffId) ?? 0) + 1);
  }

  /** Whether the store has this layer; if so the lease now holds it. */
  async hasLayer(diffId: string, lease: LayerLease): Promise<boolean> {
    await this.open();
    return this.lock.run(() => {
      if (!this.layers.has(diffId)) return false;
      this.hold(lease, diffId);
      return true;
    });
  }

  /**
   * Extracts one layer tar (plain or gzip) into the store, or finds it there already; the lease
   * holds it until the image that lists it is written. Returns its diff id.
   */
  async addLayer(input: NodeJS.ReadableStream | AsyncIterable<unknown>, lease: LayerLease, opts: StageOptions = {}): Promise<string> {
    const staged = await this.stageLayer(input, opts);
    try {
      await this.commitLayers([staged], lease);
    } finally {
      this.discard([staged]);
    }
    return staged.diffId;
  }

  /**
   * Extracts one layer tar (plain or gzip) into a temporary directory of the store; nothing is
   * synced yet. commitLayers moves it in, discard drops it. A failure leaves nothing behind.
   */
  async stageLayer(input: NodeJS.ReadableStream | LayerInput, opts: StageOptions = {}): Promise<StagedLayer> {
    await this.open();
    const dir = this.tempDir('layer');
    try {
      const layer = await extractLayer(input as LayerInput, dir, {
        maxBytes: this.opts.maxLayerBytes ?? DEFAULT_MAX_BYTES,
        chown: this.opts.chown,
        onProgress: opts.onProgress,
        expectDiffId: opts.expectDiffId,
        expectBlobDigest: opts.expectBlobDigest,
      });
      this.layers.seal(dir, layer);
      return { dir, diffId: layer.diffId };
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * Makes staged layers part of the store, held by the lease, without waiting for their files to
   * reach the disk. Before the renames, the layers new to the store are appended to the unsynced
   * journal with this boot's id, and that append is fsynced: a few bytes and one journal commit
   * of the file system, where a syncfs (which durability would otherwise need here) waits for
   * every page of the extraction, ~80 ms for 100 MiB on a plain disk. The syncfs runs in the
   * background once the operation has returned (syncSoon, coalesced across operations), and
   * only then are the lines dropped. So at any moment a layer in layers/ is either synced or
   * named in the journal, and the next open can tell which journal lines a crash made matter:
   *  - the daemon was killed, the host kept running (same boot id): the page cache still holds
   *    every file and the kernel writes it back whatever happened to us; a syncfs settles it;
   *  - the host went down (another boot id): the files may be torn (empty, short, missing), so
   *    those layers are removed with every image listing them, and a warning names the images.
   * What a power loss costs is therefore the images imported, loaded or pulled in the last moment
   * before it (the sync takes well under a second after each operation): they are gone, never
   * half there, and the user imports or pulls them again. An image config is still only written
   * after its layers are renamed in (addImage), and recovery removes the config before the layer.
   */
  async commitLayers(staged: StagedLayer[], lease: LayerLease): Promise<void> {
    if (!staged.length) return;
    await this.lock.run(() => {
      // A layer the store already has is either durable or already in the journal: a retry must
      // not put a synced layer back on the list of what a reboot would delete.
      const fresh = [...new Set(staged.filter((s) => !this.layers.has(s.diffId)).map((s) => s.diffId))];
      this.journal.append(fresh);
      if (fresh.length) this.unsynced = true;
      for (const s of staged) {
        this.layers.commit(s.dir, s.diffId);
        this.hold(lease, s.diffId);
      }
    });
  }

  /** Removes what is left of staged layers (all of them after a failure; none after a commit). */
  discard(staged: StagedLayer[]): void {
    for (const s of staged) rmSync(s.dir, { recursive: true, force: true });
  }

  /**
   * Writes an image config whose layers are all in the store, and points `tags` (and the digest
   * references `digestRefs`, `name@sha256:…` of a pulled manifest) at it.
   */
  async addImage(configBytes: Buffer, tags: string[], digestRefs: string[] = []): Promise<ImageRecord> {
    await this.open();
    const id = digestOf(configBytes);
    const cfg = parseImageConfig(configBytes, id);
    const normalized = tags.map(normalizeTag);
    for (const d of digestRefs) {
      const n = normalizeDigestRef(d);
      if (!n) throw invalid(`invalid digest reference '${d}'`);
      normalized.push(n);
    }
    return this.lock.run(() => {
      for (const d of cfg.rootfs.diff_ids) {
        if (!this.layers.has(d)) throw precondition(`image ${short(id)}: layer ${d} is not in the store`);
      }
      writeFileAtomic(join(this.configs, id.slice(7)), configBytes, 0o600);
      if (normalized.length) {
        const index = this.tags.read();
        for (const t of normalized) index.set(t, id);
        this.tags.write(index);
      }
      return this.record(id, refsByImage(this.tags.read()));
    }).finally(() => this.syncSoon());
  }

  /** Runs `fn` with a fresh directory under the store's tmp/, removed afterwards whatever happens. */
  async withTempDir<T>(kind: string, fn: (dir: string) => Promise<T>): Promise<T> {
    await this.open();
    const dir = this.tempDir(kind);
    try {
      return await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // ---- internals ----

  private async init(): Promise<void> {
    mkdirSync(this.configs, { recursive: true, mode: 0o700 });
    mkdirSync(this.tmp, { recursive: true, mode: 0o700 });
    this.layers.init();
    // Work left by a process that died mid-import: nothing of it reached the store.
    for (const name of readdirSync(this.tmp)) {
      const owner = name.split('.').slice(0, 2).join('.');
      if (!isAlive(owner)) rmSync(join(this.tmp, name), { recursive: true, force: true });
    }
    await this.lock.run(() => this.settleJournal());
  }

  /**
   * At open, under the lock: layers the journal names from another boot are removed with the
   * images that list them (see commitLayers); lines of this boot only need the background sync.
   * Configs go first and the journal lines last, so a crash in between redoes the same work and
   * never leaves an image naming a removed layer.
   */
  private settleJournal(): void {
    const entries = this.journal.read();
    if (!entries.length) return;
    const boot = currentBootId();
    const stale = entries.filter((e) => e.bootId !== boot);
    if (stale.length < entries.length) {
      this.unsynced = true;
      this.syncSoon();
    }
    if (!stale.length) return;
    const torn = new Set(stale.map((e) => e.diffId));
    const images: string[] = [];
    for (const hex of this.configIds()) {
      let layers: string[];
      try {
        layers = parseImageConfig(this.configBytes(`sha256:${hex}`), hex).rootfs.diff_ids;
      } catch {
        // A config that cannot be read was written after its layers: it may list a torn one.
        layers = [...torn];
      }
      if (layers.some((d) => torn.has(d))) images.push(`sha256:${hex}`);
    }
    const refs = this.tags.read();
    const gone = new Set(images);
    const names = images.map((id) => {
      const own = [...refs].filter(([, v]) => v === id).map(([ref]) => ref);
      return own.length ? `${own.join(', ')} (${short(id)})` : short(id);
    });
    const stalerefs = [...refs].filter(([, id]) => gone.has(id)).map(([ref]) => ref);
    if (stalerefs.length) {
      for (const r of stalerefs) refs.delete(r);
      this.tags.write(refs);
    }
    for (const id of images) rmSync(join(this.configs, id.slice(7)), { force: true });
    if (images.length) fsyncDir(this.configs);
    const removed: string[] = [];
    for (const d of torn) {
      if (!existsSync(this.layers.path(d))) continue;
      this.layers.remove(d, join(this.tmp, `${this.me}.torn-${d.slice(7, 19)}-${++this.seq}`));
      removed.push(d);
    }
    this.journal.drop(stale);
    this.log.warn(
      { images: names, layers: removed },
      `the host went down before ${removed.length} layer(s) reached the disk; removed them and the ${images.length} image(s) using them` +
        (names.length ? `: ${names.join('; ')}` : '') + ' (pull, load or import them again)',
    );
  }

  /** Starts the background sync after the current operation has returned its result. */
  private syncSoon(): void {
    if (this.unsynced) setImmediate(() => this.startSync());
  }

  private startSync(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = this.syncRounds().finally(() => (this.syncing = undefined));
  }

  /**
   * syncfs, then drop the journal lines that were there before it began: their renames were done
   * (read under the lock) and their files written, so the syncfs made them durable. Lines added
   * meanwhile wait for the next round, which a commit during this one asks for (coalescing: one
   * syncfs covers every operation that finished before it started). A failure keeps the lines:
   * the next round, close or open tries again.
   */
  private async syncRounds(): Promise<void> {
    do {
      this.syncAgain = false;
      this.unsynced = false;
      let mine: UnsyncedEntry[] = [];
      try {
        mine = await this.lock.run(() => this.journal.read().filter((e) => e.bootId === currentBootId()));
        if (!mine.length) continue;
        await syncFileSystem(this.root);
        await this.lock.run(() => this.journal.drop(mine));
      } catch (err) {
        // A store deleted under us (a test's temporary root) has nothing left to sync.
        if (existsSync(this.journal.file)) this.log.warn({ err: String(err), layers: mine.length }, 'background sync of the image store failed; it is retried at the next commit, close or start');
        this.unsynced = true;
        return;
      }
    } while (this.syncAgain);
  }

  private tempDir(kind: string): string {
    const dir = join(this.tmp, `${this.me}.${kind}-${++this.seq}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(dir, { mode: 0o700 });
    return dir;
  }

  private configIds(): string[] {
    return readdirSync(this.configs).filter((n) => /^[0-9a-f]{64}$/.test(n));
  }

  private configBytes(id: string): Buffer {
    try {
      return readFileSync(join(this.configs, id.slice(7)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`no such image: ${id}`);
      throw TdockerError.from(err);
    }
  }

  /** The full id `ref` names: a tag, a full id, or a unique id prefix of 4+ hex digits. */
  private resolve(ref: string, tags: Map<string, string>): string {
    const hex = fullId(ref);
    if (hex) {
      if (this.configIds().includes(hex)) return `sha256:${hex}`;
      throw notFound(`no such image: ${ref}`);
    }
    const digestRef = normalizeDigestRef(ref);
    if (digestRef) {
      const pinned = tags.get(digestRef);
      if (pinned) return pinned;
      throw notFound(`no such image: ${digestRef}`);
    }
    const parsed = parseRef(ref);
    const tagged = parsed && tags.get(`${parsed.name}:${parsed.tag}`);
    if (tagged) return tagged;
    const prefix = idPrefix(ref);
    if (prefix) {
      const hits = this.configIds().filter((h) => h.startsWith(prefix));
      if (hits.length === 1) return `sha256:${hits[0]}`;
      if (hits.length > 1) throw invalid(`image id prefix '${ref}' is ambiguous: it matches ${hits.length} images`);
    }
    if (!parsed && !prefix) throw invalid(`invalid reference format '${ref}'`);
    throw notFound(`no such image: ${parsed ? `${parsed.name}:${parsed.tag}` : ref}`);
  }

  private record(id: string, byImage: RefsByImage): ImageRecord {
    const cfg = parseImageConfig(this.configBytes(id), id);
    const layers = cfg.rootfs.diff_ids;
    return {
      id,
      repoTags: [...(byImage.tags.get(id) ?? [])].sort(),
      repoDigests: [...(byImage.digests.get(id) ?? [])].sort(),
      created: cfg.created ?? '',
      size: layers.reduce((n, d) => n + this.layerSize(d), 0),
      layers: [...layers],
      config: cfg.config ?? {},
      architecture: cfg.architecture,
      os: cfg.os,
    };
  }

  private tryRecord(id: string, byImage: RefsByImage): ImageRecord | undefined {
    try {
      return this.record(id, byImage);
    } catch (err) {
      // Deleted between readdir and read by a concurrent rmi.
      if (err instanceof TdockerError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
  }

  private layerSize(diffId: string): number {
    try {
      return this.layers.meta(diffId).size;
    } catch {
      return 0;
    }
  }

  /** Deletes image configs, then the layers they alone listed. Under the lock. */
  private deleteImages(ids: string[]): string[] {
    if (!ids.length) return [];
    const candidates = new Set<string>();
    for (const id of ids) {
      for (const d of parseImageConfig(this.configBytes(id), id).rootfs.diff_ids) candidates.add(d);
      rmSync(join(this.configs, id.slice(7)), { force: true });
    }
    return [...ids, ...this.deleteUnreferencedLayers(candidates)];
  }

  private deleteUnreferencedLayers(candidates: Set<string>): string[] {
    const used = new Set<string>();
    for (const hex of this.configIds()) {
      try {
        for (const d of parseImageConfig(this.configBytes(`sha256:${hex}`), hex).rootfs.diff_ids) used.add(d);
      } catch {
        // An unreadable config might list any layer: delete none rather than guess.
        return [];
      }
    }
    const deleted: string[] = [];
    for (const d of candidates) {
      if (used.has(d) || this.pins.has(d) || !this.layers.has(d)) continue;
      this.layers.remove(d, join(this.tmp, `${this.me}.delete-${d.slice(7, 19)}-${++this.seq}`));
      deleted.push(d);
    }
    return deleted;
  }
}
