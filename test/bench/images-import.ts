// Benchmark for the images issue, in one run:
//  1. import of a generated ~100 MiB root filesystem tar through ImageStore.importTar (the path
//     `tdocker import` takes), against `tar -x` by GNU tar of the same file, both into fresh
//     directories on the same file system (DIR, printed with its type), the tar in the page
//     cache for both; runs alternate, which one goes first too, each after a `sync`. Ours
//     returns once the layer is committed and listed in the store's unsynced journal (fsynced);
//     the syncfs that makes it durable runs in the background after that: its time (until
//     ImageStore.close returns) is shown apart, as is tar's with `sync -f` after it.
//     Every run's tree is kept until all runs are done: on ext4 without a journal, files
//     created within seconds of a mass delete cost ~50x more (the allocator skips recently
//     deleted inodes one by one), which would charge a run for the previous one's clean-up.
//     Target: ours at least 0.7x tar's speed (tar -x alone).
//  2. the cost the journal puts on the critical path instead of a syncfs: with a fresh tar -x's
//     data dirty in the page cache, an append+fsync of one journal line, then `sync -f`.
//  3. peak RSS growth of this process while importing that tar, and while importing a 1 GiB
//     tar streamed from a generator (no file). Target: under 64 MiB.
// Prints a table and one JSON line. Knobs: N (5 runs each), MIB (100), GIB (1; 0 skips part 2's
// big import), DIR (where to work; the system temp dir by default), FS=loop-ext4 (work on a fresh
// journaled ext4 on a loop device instead, see images-scratch-fs.ts).

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ImageStore } from '../../services/images/image-store.js';
import { UnsyncedJournal } from '../../services/images/unsynced-journal.js';
import { rootfsMembers } from './images-rootfs-tar.js';
import { benchDir } from './images-scratch-fs.js';
import { childCpu, selfCpu } from './cpu-time.js';

const N = Number(process.env.N ?? 5);
const MIB = Number(process.env.MIB ?? 100);
const GIB = Number(process.env.GIB ?? 1);
const AREA = benchDir();
const WORK = join(AREA.dir, 'tdocker-bench-images');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function makeTar(path: string, bytes: number): { files: number; size: number } {
  const pool = randomBytes(8 << 20);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  let members = 0;
  for (const b of rootfsMembers(bytes, pool)) {
    writeSync(fd, b);
    if (b.length === 512 && b.readUInt8(257) === 0x75) members++;
  }
  closeSync(fd);
  execFileSync('mv', [tmp, path]);
  return { files: members, size: statSync(path).size };
}

const hwmKiB = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
/** Resets the peak-RSS counter (VmHWM) of this process. */
const resetPeak = () => writeFileSync('/proc/self/clear_refs', '5');

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Times the import as a client sees it, then the background sync it leaves (close waits). */
async function importOnce(tarPath: string, root: string): Promise<{ t: number; tSync: number }> {
  const store = new ImageStore(root);
  const t = await timed(() => store.importTar(createReadStream(tarPath, { highWaterMark: 1 << 20 }), { ref: 'bench' }));
  const tSync = await timed(() => store.close());
  return { t, tSync };
}

mkdirSync(WORK, { recursive: true });
const tarPath = join(WORK, `rootfs-${MIB}m.tar`);
if (!existsSync(tarPath)) makeTar(tarPath, MIB << 20);
const tarBytes = statSync(tarPath).size;
const members = Number(execFileSync('sh', ['-c', `tar -tf "${tarPath}" | wc -l`], { encoding: 'utf8' }).trim());

const ours: number[] = [];
const gnu: number[] = [];
const gnuSynced: number[] = [];
const ratio: number[] = [];
const oursCpu: number[] = [];
const oursBgSync: number[] = [];
const journalMs: number[] = [];
const syncfsMs: number[] = [];
const gnuCpu: number[] = [];
const runs = join(WORK, `runs-${process.pid}`);
try {
  mkdirSync(runs);
  // One warm-up of each: JIT for us, page cache for both.
  for (let i = -1; i < N; i++) {
    const a = join(runs, `ours-${i}`);
    const b = join(runs, `gnu-${i}`);
    mkdirSync(b);
    const runOurs = async () => {
      execFileSync('sync');
      const c0 = selfCpu();
      const { t, tSync } = await importOnce(tarPath, a);
      return { t, tSync, cpu: selfCpu() - c0 };
    };
    const runGnu = async () => {
      execFileSync('sync');
      const c0 = childCpu();
      const t = await timed(() => execFileSync('tar', ['-x', '-f', tarPath, '-C', b]));
      const cpu = childCpu() - c0;
      const ts = await timed(() => execFileSync('sync', ['-f', b]));
      return { t, synced: t + ts, cpu };
    };
    const first = i % 2 === 0 ? 'ours' : 'gnu';
    const o = first === 'ours' ? await runOurs() : undefined;
    const g = await runGnu();
    const o2 = o ?? (await runOurs());
    if (i < 0) continue;
    ours.push(o2.t);
    oursBgSync.push(o2.tSync);
    oursCpu.push(o2.cpu);
    gnu.push(g.t);
    gnuSynced.push(g.synced);
    gnuCpu.push(g.cpu);
    ratio.push(g.t / o2.t);
  }
  rmSync(runs, { recursive: true, force: true });

  // The journal's fsync against a syncfs, each right after an extraction (dirty data pending).
  for (let i = 0; i < N; i++) {
    const d = join(WORK, `journal-${i}`);
    mkdirSync(d);
    execFileSync('sync');
    execFileSync('tar', ['-x', '-f', tarPath, '-C', d]);
    const journal = new UnsyncedJournal(join(d, 'unsynced'));
    journal.append([`sha256:${'0'.repeat(64)}`]);
    journalMs.push(await timed(() => journal.append([`sha256:${i.toString(16).padStart(64, '0')}`])));
    syncfsMs.push(await timed(() => execFileSync('sync', ['-f', d])));
    rmSync(d, { recursive: true, force: true });
  }

  const base100 = rssKiB();
  resetPeak();
  await importOnce(tarPath, join(WORK, 'rss-100'));
  const growth100 = (hwmKiB() - base100) / 1024;
  rmSync(join(WORK, 'rss-100'), { recursive: true, force: true });

  let growthBig: number | null = null;
  let bigSeconds: number | null = null;
  if (GIB > 0) {
    const pool = randomBytes(8 << 20);
    const root = join(WORK, 'rss-big');
    execFileSync('sync');
    const baseBig = rssKiB();
    resetPeak();
    const store = new ImageStore(root);
    const ms = await timed(() => store.importTar(Readable.from(rootfsMembers(GIB * 1024 ** 3, pool)), { ref: 'big' }));
    await store.close();
    growthBig = (hwmKiB() - baseBig) / 1024;
    bigSeconds = ms / 1000;
    rmSync(root, { recursive: true, force: true });
  }

  const res = {
    tarMiB: tarBytes / 2 ** 20,
    members,
    n: N,
    oursMedianMs: median(ours),
    oursBackgroundSyncMedianMs: median(oursBgSync),
    journalAppendMedianMs: median(journalMs),
    syncfsAfterTarMedianMs: median(syncfsMs),
    gnuTarMedianMs: median(gnu),
    gnuTarSyncedMedianMs: median(gnuSynced),
    speedRatioMedian: median(ratio),
    oursCpuMedianMs: median(oursCpu),
    gnuCpuMedianMs: median(gnuCpu),
    fs: execFileSync('findmnt', ['-n', '-o', 'FSTYPE', '--target', WORK], { encoding: 'utf8' }).trim().split('\n').at(-1),
    load: readFileSync('/proc/loadavg', 'utf8').split(' ')[0],
    oursMiBps: tarBytes / 2 ** 20 / (median(ours) / 1000),
    rssGrowthMiB100: growth100,
    bigGiB: GIB || null,
    bigSeconds,
    rssGrowthMiBBig: growthBig,
  };
  const f1 = (x: number | null) => (x === null ? '-' : x.toFixed(1));
  console.log(`rootfs tar: ${res.tarMiB.toFixed(1)} MiB, ${members} members, ${N} alternating runs after a warm-up, each after sync`);
  console.log(`both extract under ${runs} (${res.fs}); load ${res.load}`);
  console.log(`ImageStore.importTar (stream, extract, digest, journal, commit) median ${f1(res.oursMedianMs)} ms  (${f1(res.oursMiBps)} MiB/s), CPU ${f1(res.oursCpuMedianMs)} ms`);
  console.log(`  then its background syncfs (until close returns)              median ${f1(res.oursBackgroundSyncMedianMs)} ms`);
  console.log(`GNU tar -x of the same file                                     median ${f1(res.gnuTarMedianMs)} ms, CPU ${f1(res.gnuCpuMedianMs)} ms`);
  console.log(`GNU tar -x, then sync -f                                        median ${f1(res.gnuTarSyncedMedianMs)} ms`);
  console.log(`speed ratio tar -x time / our time, per pair                    median ${res.speedRatioMedian.toFixed(2)}   (target >= 0.7)`);
  console.log(`after a tar -x: journal line append+fsync ${res.journalAppendMedianMs.toFixed(2)} ms vs sync -f ${f1(res.syncfsAfterTarMedianMs)} ms (medians)`);
  console.log(`peak RSS growth importing ${f1(res.tarMiB)} MiB                                ${f1(growth100)} MiB`);
  if (GIB > 0) console.log(`peak RSS growth importing ${GIB} GiB (streamed)                          ${f1(growthBig)} MiB in ${f1(bigSeconds)} s (target < 64)`);
  console.log(JSON.stringify(res));
} finally {
  rmSync(runs, { recursive: true, force: true });
  AREA.remove();
}
