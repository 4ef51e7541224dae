// Benchmark for the images issue: pull of a multi-layer image from Debian's docker-registry on
// loopback, against `skopeo copy` of the same image to a local directory, runs alternating, each
// into a fresh place on the same file system (DIR, printed with its type). The image (LAYERS
// layers, MIB MiB of file data in all, gzip-compressed by the push) is built here, saved with
// saveImages and pushed with skopeo. Target: ours <= 1.25x skopeo's time. CPU time (user+sys,
// ours including the extraction workers and zlib's threads) is printed beside, as the steadier
// figure on a shared machine. On the host's file system every run's tree is kept until all runs
// are done: on ext4 without a journal, files created within seconds of a mass delete cost ~50x
// more (the allocator skips recently deleted inodes one by one), which would charge the tool
// that creates thousands of files for the previous run's clean-up. On the journaled scratch
// ext4 (FS=loop-ext4), which has no such cost, each run's trees are removed once measured, so
// that every run writes into page cache a previous run used: on a VM whose memory the host
// backs lazily, writing into never-touched memory cost here 6-10 ms of system time per MiB
// (dd of 400 MiB: 2.4-4.8 s, then 0.1 s after a delete), which grew with every run kept and
// charged each tool for the bytes it writes rather than for its work. Ours returns before its
// syncfs, which runs in the background (its time until ImageStore.close returns is printed
// apart, beside skopeo followed by `sync -f`). Prints a table and one JSON line. Knobs: N (5),
// MIB (100), LAYERS (4), DIR (the system temp dir), FS=loop-ext4 (a fresh journaled ext4 on a
// loop device instead, see images-scratch-fs.ts).

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pullImage } from '../../services/images/image-pull.js';
import { saveImages } from '../../services/images/image-save.js';
import { ImageStore } from '../../services/images/image-store.js';
import { canRunRegistry, LoopbackRegistry } from '../integration/images-registry.js';
import { rootfsMembers } from './images-rootfs-tar.js';
import { benchDir } from './images-scratch-fs.js';
import { childCpu, selfCpu } from './cpu-time.js';

const N = Number(process.env.N ?? 5);
const MIB = Number(process.env.MIB ?? 100);
const LAYERS = Number(process.env.LAYERS ?? 4);
const AREA = benchDir();
/** Each run's trees are removed once measured (on the journaled scratch ext4 only, see above). */
const REMOVE_RUNS = process.env.FS === 'loop-ext4' && !process.env.DIR;
const WORK = join(AREA.dir, `tdocker-bench-pull-${process.pid}`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** File contents that compress about as well as a distribution's (half noise, half text). */
function pool(): Buffer {
  const text = Buffer.from('lorem ipsum dolor sit amet, consectetur adipiscing elit; /usr/lib/x86_64-linux-gnu/libc.so.6 '.repeat(64));
  const out = randomBytes(8 << 20);
  for (let off = 0; off < out.length; off += 8192) text.copy(out, off, 0, Math.min(4096, out.length - off));
  return out;
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** The type of the file system a directory is on. */
const fsType = (dir: string) => execFileSync('findmnt', ['-n', '-o', 'FSTYPE', '--target', dir], { encoding: 'utf8' }).trim().split('\n').at(-1);

if (!canRunRegistry) {
  console.log('skipped: needs docker-registry and skopeo');
  AREA.remove();
  process.exit(0);
}

mkdirSync(WORK, { recursive: true });
const registry = await LoopbackRegistry.start(join(WORK, 'registry'));
try {
  const src = new ImageStore(join(WORK, 'src'));
  const lease = src.lease();
  const p = pool();
  const diffIds: string[] = [];
  for (let i = 0; i < LAYERS; i++) {
    diffIds.push(await src.addLayer(Readable.from(rootfsMembers((MIB << 20) / LAYERS, p, 100 + i)), lease));
  }
  await src.addImage(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } })), ['bench/app:1']);
  lease.release();
  const archive = join(WORK, 'app.tar');
  const chunks: Buffer[] = [];
  for await (const c of saveImages(src, ['bench/app:1'])) chunks.push(c);
  writeFileSync(archive, Buffer.concat(chunks));
  chunks.length = 0;
  execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--dest-compress-format', 'gzip', `oci-archive:${archive}:1`, `docker://${registry.host}/bench/app:1`]);
  // The source store stays until the end: removing its thousands of files now would make the
  // runs' file creation pay for it (above), ours more than skopeo's, which makes five files.
  rmSync(archive);
  const manifest = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/bench/app:1`], { encoding: 'utf8' }));
  const blobMiB = manifest.layers.reduce((n: number, l: { size: number }) => n + l.size, 0) / 2 ** 20;

  const ours: number[] = [];
  const skopeo: number[] = [];
  const ratio: number[] = [];
  const oursCpu: number[] = [];
  const skopeoCpu: number[] = [];
  const skopeoSynced: number[] = [];
  const oursBgSync: number[] = [];
  const runs = join(WORK, 'runs');
  mkdirSync(runs);
  for (let i = -1; i < N; i++) {
    const a = join(runs, `ours-${i}`);
    const b = join(runs, `skopeo-${i}`);
    execFileSync('sync');
    const c0 = selfCpu();
    const store = new ImageStore(a);
    const tOurs = await timed(() => pullImage(store, `${registry.host}/bench/app:1`));
    const cOurs = selfCpu() - c0;
    // The syncfs the pull leaves in the background (close waits for it), apart.
    const tBg = await timed(() => store.close());
    execFileSync('sync');
    const k0 = childCpu();
    const tSkopeo = await timed(() => execFileSync('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${registry.host}/bench/app:1`, `dir:${b}`]));
    const cSkopeo = childCpu() - k0;
    const tSync = await timed(() => execFileSync('sync', ['-f', b]));
    if (REMOVE_RUNS) {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
    if (i < 0) continue;
    skopeoSynced.push(tSkopeo + tSync);
    oursBgSync.push(tBg);
    ours.push(tOurs);
    skopeo.push(tSkopeo);
    ratio.push(tOurs / tSkopeo);
    oursCpu.push(cOurs);
    skopeoCpu.push(cSkopeo);
  }
  const res = {
    layers: LAYERS, fileMiB: MIB, blobMiB, mediaType: manifest.layers[0]?.mediaType, fs: fsType(runs), n: N,
    oursMedianMs: median(ours), oursBackgroundSyncMedianMs: median(oursBgSync), skopeoMedianMs: median(skopeo), ratioMedian: median(ratio),
    oursCpuMedianMs: median(oursCpu), skopeoCpuMedianMs: median(skopeoCpu), skopeoSyncedMedianMs: median(skopeoSynced), load: readFileSync('/proc/loadavg', 'utf8').split(' ')[0],
  };
  console.log(`image: ${LAYERS} layers, ${MIB} MiB of files, ${blobMiB.toFixed(1)} MiB of ${res.mediaType} blobs; ${N} alternating runs after a warm-up`);
  console.log(`both write to ${runs} (${res.fs}; each run's trees ${REMOVE_RUNS ? 'removed once measured' : 'kept until the end'}); load ${res.load}`);
  console.log(`pullImage (fetch, verify, inflate, extract, journal, commit) median ${res.oursMedianMs.toFixed(0)} ms, CPU ${res.oursCpuMedianMs.toFixed(0)} ms`);
  console.log(`  then its background syncfs (until close returns)           median ${res.oursBackgroundSyncMedianMs.toFixed(0)} ms`);
  console.log(`skopeo copy docker:// -> dir: (fetch, verify, write)       median ${res.skopeoMedianMs.toFixed(0)} ms, CPU ${res.skopeoCpuMedianMs.toFixed(0)} ms`);
  console.log(`skopeo copy, then sync -f (what ours does in the background) median ${res.skopeoSyncedMedianMs.toFixed(0)} ms`);
  console.log(`ratio ours / skopeo, per pair                              median ${res.ratioMedian.toFixed(2)}   (target <= 1.25)`);
  console.log(JSON.stringify(res));
} finally {
  await registry.stop();
  rmSync(WORK, { recursive: true, force: true });
  AREA.remove();
}
